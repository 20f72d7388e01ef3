"""Attachments on S3-compatible object storage (django-storages), with the choices made.

`STORAGE_BACKEND=s3` selects `AttachmentS3Storage`; the environment gives only where the
bucket is and the keys (`S3_*`). What is decided here, and why:

- Files are never held whole in memory. django-storages' own save hands the file object
  to boto3, which reads several multipart parts into memory at once (a 50 MB upload
  peaked above 60 MB of Python heap). An upload Django spooled to a temporary file is
  sent from its path instead, part by part from disk; anything else goes through a
  transfer configuration that keeps at most two parts in memory. Reading for a download
  streams the object's body instead of copying it to a temporary file first.
- No object is reachable without Django's access checks: no ACL is set on objects (the
  bucket stays private), and `url()` refuses, so no page can ever hand out a direct or
  pre-signed link. Downloads stream through the app.
- No write replaces another: `file_overwrite` is off (keys carry a random part anyway).
- Signature v4; path-style addressing when a custom endpoint is set (MinIO, Ceph and
  most S3-compatible services expect it; AWS itself keeps virtual-hosted style).
- Checksums only where the operation requires them: botocore's default since 1.36
  (CRC32 trailers on every upload, in aws-chunked encoding) is refused by many
  S3-compatible services. The content's SHA-256 is recorded at upload by the app.
- Short connect timeouts and few retries, so an unreachable store fails a request in
  seconds with a clear message instead of holding a worker for minutes.
"""

import threading
from typing import Any

from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError
from django.core.files.base import File
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

MB = 1024 * 1024
# Parts of 8 MB (S3 takes 5 MB to 5 GB per part, 10,000 parts), two in flight at once.
PART_BYTES = 8 * MB
PARTS_IN_FLIGHT = 2


def transfer_config() -> TransferConfig:
    """Multipart uploads and downloads that hold at most two parts in memory."""
    config = TransferConfig(
        multipart_threshold=PART_BYTES,
        multipart_chunksize=PART_BYTES,
        max_concurrency=PARTS_IN_FLIGHT,
    )
    # s3transfer reads up to this many parts of a file object into memory ahead of the
    # upload threads (default 10); boto3's TransferConfig does not take it as an argument.
    config.max_in_memory_upload_chunks = PARTS_IN_FLIGHT
    return config


CLIENT_CONFIG = Config(
    signature_version="s3v4",
    request_checksum_calculation="when_required",
    response_checksum_validation="when_required",
    connect_timeout=5,
    read_timeout=30,
    retries={"max_attempts": 3, "mode": "standard"},
)
# The readiness probe asks once and gives up quickly: it must never hold /readyz.
PROBE_CONFIG = Config(connect_timeout=2, read_timeout=3, retries={"max_attempts": 1})
_PROBE_LOCK = threading.Lock()


class StreamedObject(File):
    """An object's body read as it arrives from the store: sequential, not seekable."""

    def __init__(self, body: Any, *, name: str, size: int) -> None:
        super().__init__(body, name=name)
        self.size = size


class AttachmentS3Storage(S3Storage):
    """django-storages' S3Storage with the choices above; see the module docstring."""

    client_config: Config

    def __init__(self, **options: Any) -> None:
        options.setdefault("addressing_style", "path" if options.get("endpoint_url") else None)
        super().__init__(**options)
        self.client_config = self.client_config.merge(CLIENT_CONFIG)
        self._probe_client: Any = None

    def __getstate__(self) -> dict[str, Any]:
        state: dict[str, Any] = super().__getstate__()
        state["_probe_client"] = None  # a client does not pickle; the copy makes its own
        return state

    def get_default_settings(self) -> dict[str, Any]:
        defaults: dict[str, Any] = super().get_default_settings()
        defaults.update(
            file_overwrite=False,
            default_acl=None,
            querystring_auth=False,
            signature_version="s3v4",
            transfer_config=transfer_config(),
            # A file opened through S3File (writes) spills to disk beyond this.
            max_memory_size=2 * MB,
        )
        return defaults

    def _save(self, name: str, content: Any) -> str:
        path = getattr(content, "temporary_file_path", None)
        if path is None:
            return str(super()._save(name, content))
        cleaned = clean_name(name)
        key = self._normalize_name(cleaned)
        self.bucket.Object(key).upload_file(
            path(),
            ExtraArgs=self._get_write_parameters(key, content),
            Config=self.transfer_config,
        )
        return str(cleaned)

    def _open(self, name: str, mode: str = "rb") -> File:
        if mode != "rb":
            return super()._open(name, mode)
        key = self._normalize_name(clean_name(name))
        try:
            answer = self.bucket.Object(key).get()
        except ClientError as error:
            if error.response["ResponseMetadata"]["HTTPStatusCode"] == 404:
                raise FileNotFoundError(f"File does not exist: {name}") from error
            raise
        return StreamedObject(answer["Body"], name=name, size=answer["ContentLength"])

    def url(self, name: str | None, *args: Any, **kwargs: Any) -> str:
        raise NotImplementedError(
            "Attachments have no URL of their own: they are downloaded through the app."
        )

    def probe(self) -> None:
        """Ask once whether the bucket answers; raise if it does not (missing, no access,
        unreachable)."""
        with _PROBE_LOCK:
            if self._probe_client is None:
                self._probe_client = self._create_session().client(
                    "s3",
                    region_name=self.region_name,
                    use_ssl=self.use_ssl,
                    endpoint_url=self.endpoint_url,
                    config=self.client_config.merge(PROBE_CONFIG),
                    verify=self.verify,
                )
        self._probe_client.head_bucket(Bucket=self.bucket_name)
