"""pytest plugin: a real S3-compatible server on loopback (`moto_server`), and the app's
attachment storage pointed at a bucket on it.

    def test_it_stores(s3_bucket, ...):
        ...                       # the app writes through AttachmentS3Storage over HTTP
        assert s3_bucket.keys()   # what the bucket holds, read with a client of its own

`moto_s3` is one server for the session; `s3_bucket` makes a fresh bucket on it for each
test and overrides `STORAGES["default"]` with exactly the options production passes.
`s3_outage` is a bucket on a server of the test's own, which the test may `stop()` to
play an outage (and `start()` again). Every server is stopped after its scope, failed
tests included. Nothing is mocked in-process: the app and the tests talk HTTP to the
`moto_server` executable of the virtualenv.
"""

import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from django.conf import LazySettings

from lib.ports import free_port

MOTO_SERVER = Path(sys.executable).parent / "moto_server"
START_TIMEOUT_SECONDS = 30
ACCESS_KEY, SECRET_KEY, REGION = "testing", "testing", "us-east-1"
STORAGE_BACKEND = "lpse_support.storage.AttachmentS3Storage"


@dataclass
class MotoServer:
    """One `moto_server` process on a loopback port; its state lives in the process."""

    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    log_dir: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the server and wait (bounded) until it answers."""
        self.log_dir = Path(tempfile.mkdtemp(prefix="lpse-moto-"))
        log = (self.log_dir / "moto.log").open("ab")
        self.process = subprocess.Popen(
            [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        # Never send loopback test traffic through a proxy from the environment.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.log()
                self.stop()
                raise RuntimeError(f"moto_server exited:\n{output}")
            try:
                with opener.open(f"{self.url}/moto-api/", timeout=1):
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(0.05)  # polling a condition, bounded by the deadline
        output = self.log()
        self.stop()
        raise RuntimeError(f"moto_server did not answer in {START_TIMEOUT_SECONDS} s:\n{output}")

    def stop(self) -> None:
        """Stop the server (its objects are gone with it) and remove its log folder."""
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None
        if self.log_dir is not None:
            shutil.rmtree(self.log_dir, ignore_errors=True)
            self.log_dir = None

    def log(self) -> str:
        path = self.log_dir / "moto.log" if self.log_dir else None
        return path.read_text(errors="replace")[-2000:] if path and path.exists() else ""

    def client(self) -> Any:
        """A boto3 client of the test's own (not the app's storage)."""
        return boto3.client(
            "s3",
            endpoint_url=self.url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
            config=Config(retries={"max_attempts": 1}),
        )


@dataclass
class S3Bucket:
    """A bucket the app stores attachments in, and a way to look inside it."""

    server: MotoServer
    name: str

    @property
    def options(self) -> dict[str, Any]:
        """The storage options, as lpse_support/settings.py builds them from S3_*."""
        return {
            "bucket_name": self.name,
            "endpoint_url": self.server.url,
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
            "region_name": REGION,
        }

    def create(self) -> None:
        self.server.client().create_bucket(Bucket=self.name)

    def keys(self) -> list[str]:
        pages = self.server.client().get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def read(self, key: str) -> bytes:
        return bytes(self.server.client().get_object(Bucket=self.name, Key=key)["Body"].read())

    def head(self, key: str) -> dict[str, Any]:
        return dict(self.server.client().head_object(Bucket=self.name, Key=key))

    def stop(self) -> None:
        self.server.stop()

    def start(self) -> None:
        """Start the server again (moto keeps nothing across restarts: a new bucket)."""
        self.server.start()
        self.create()


def _use(settings: LazySettings, bucket: S3Bucket) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": STORAGE_BACKEND, "OPTIONS": bucket.options},
    }


@pytest.fixture(scope="session")
def moto_s3() -> Iterator[MotoServer]:
    """One moto server for the session."""
    server = MotoServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3_bucket(settings: LazySettings, media_storage: str, moto_s3: MotoServer) -> S3Bucket:
    """A fresh bucket on the session's server; the app's attachments go there."""
    bucket = S3Bucket(moto_s3, f"lampiran-{uuid.uuid4().hex[:12]}")
    bucket.create()
    _use(settings, bucket)
    return bucket


@pytest.fixture
def s3_outage(settings: LazySettings, media_storage: str) -> Iterator[S3Bucket]:
    """A bucket on a server of this test's own: `stop()` it to play an outage."""
    server = MotoServer()
    server.start()
    try:
        bucket = S3Bucket(server, "lampiran-uji")
        bucket.create()
        _use(settings, bucket)
        yield bucket
    finally:
        server.stop()
