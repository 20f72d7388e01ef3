"""The attachment-storage half of scripts/backup.sh and scripts/restore.sh (not used alone).

    python scripts/backup_files.py backup  --dump FILE --out DIR --pg-bin BINDIR
    python scripts/backup_files.py check   --backup DIR
    python scripts/backup_files.py storage-empty
    python scripts/backup_files.py restore --backup DIR

The storage is the app's own (`STORAGES["default"]` from lpse_support/settings.py, read
from the same environment as the app): a local folder or an S3 bucket. Every file is
streamed in chunks, never held whole in memory, and hashed (SHA-256) as it passes.

backup: copies every file of the storage into DIR/files/<key>, reads the attachment rows
    of the dump (`pg_restore --data-only --table=tickets_attachment`), checks that every
    row's file is in the copy with the recorded SHA-256 and size, and writes
    DIR/manifest.json. Run after pg_dump has finished: the app deletes a file only
    before its row commits, so every row of the dump's snapshot had its file before
    the copy began.
check: verifies the dump and every file of a backup against its manifest (exit 1 on any
    difference); restore.sh runs it before it touches the target.
storage-empty: exit 1 unless the app's storage holds no file (restore.sh asks first).
restore: copies the files into the app's storage,
    hashing what it sends, then checks every Attachment row of the restored database
    against the manifest and the SHA-256 recorded at upload.
"""

import argparse
import datetime
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lpse_support.settings")

import django
from botocore.exceptions import BotoCoreError, ClientError

django.setup()

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import connection

MANIFEST = "manifest.json"
DUMP = "database.dump"
FILES = "files"
FORMAT = 1
CHUNK = 1024 * 1024
ATTACHMENT_TABLE = "tickets_attachment"
SHOWN = 20  # problems listed by name; the rest are counted
# Files copied at once: one request to object storage each is mostly waiting (a bucket
# of small attachments copied one by one takes a round trip per file).
COPY_THREADS = 8


class BackupError(Exception):
    """A failure with a message for the operator; the script exits 1."""


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    sha256: str


@dataclass(frozen=True)
class AttachmentRow:
    key: str
    size: int
    sha256: str  # blank for files uploaded before it was recorded


# --- Streams ----------------------------------------------------------------------


def copy_hashed(source: IO[bytes], target: IO[bytes]) -> tuple[int, str]:
    """Copy in chunks; return the size and SHA-256 of what passed."""
    digest = hashlib.sha256()
    size = 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        target.write(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def file_sha256(path: Path) -> tuple[int, str]:
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256")
        return handle.tell(), digest.hexdigest()


class _HashingReader:
    """A read-only stream that hashes what the S3 client reads from it.

    It offers no seek: boto3 then reads it once, in order, one part at a time.
    """

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, amount: int = -1) -> bytes:
        chunk = self.handle.read(amount)
        self.digest.update(chunk)
        self.size += len(chunk)
        return chunk


# --- The app's storage: a local folder or an S3 bucket --------------------------------


def describe(storage: Storage) -> dict[str, str]:
    if isinstance(storage, FileSystemStorage):
        return {"backend": "local", "location": str(storage.location)}
    return {"backend": "s3", "bucket": str(storage.bucket_name)}  # type: ignore[attr-defined]


def s3_client(storage: Storage) -> Any:
    # django-storages' own client: the endpoint, keys and region of the app's settings.
    return storage.connection.meta.client  # type: ignore[attr-defined]


def storage_keys(storage: Storage) -> Iterator[str]:
    if isinstance(storage, FileSystemStorage):
        root = Path(storage.location)
        for folder, _dirs, names in os.walk(root):
            for name in names:
                path = Path(folder, name)
                if path.is_file() and not path.is_symlink():
                    yield path.relative_to(root).as_posix()
        return
    paginator = s3_client(storage).get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=storage.bucket_name):  # type: ignore[attr-defined]
        for item in page.get("Contents", []):
            yield item["Key"]


def storage_is_empty(storage: Storage) -> bool:
    return next(storage_keys(storage), None) is None


def download(storage: Storage, key: str, target: IO[bytes]) -> tuple[int, str] | None:
    """Stream one file out of the storage; None when it vanished after the listing
    (a failed upload's clean-up: no committed row points at such a file)."""
    if isinstance(storage, FileSystemStorage):
        try:
            with Path(storage.location, key).open("rb") as handle:
                return copy_hashed(handle, target)
        except FileNotFoundError:
            return None
    client = s3_client(storage)
    try:
        body = client.get_object(Bucket=storage.bucket_name, Key=key)["Body"]  # type: ignore[attr-defined]
    except client.exceptions.NoSuchKey:
        return None
    with body:
        return copy_hashed(body, target)


def upload(storage: Storage, key: str, source: Path) -> tuple[int, str]:
    """Stream one backup file into the storage; return the size and SHA-256 sent."""
    with source.open("rb") as handle:
        if isinstance(storage, FileSystemStorage):
            path = Path(storage.location, key)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as out:
                return copy_hashed(handle, out)
        reader = _HashingReader(handle)
        # Multipart above 8 MB, one part in memory at a time.
        s3_client(storage).upload_fileobj(reader, storage.bucket_name, key)  # type: ignore[attr-defined]
        return reader.size, reader.digest.hexdigest()


def stored_size(storage: Storage, key: str) -> int | None:
    try:
        return int(storage.size(key))
    except Exception:  # a missing file or object: told as such by the caller
        return None


# --- The attachment rows -----------------------------------------------------------


def copy_text_fields(line: str) -> list[str | None]:
    """One row of PostgreSQL's COPY text format: tab-separated, backslash escapes,
    \\N for NULL."""
    escapes = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
    fields: list[str | None] = []
    for raw in line.split("\t"):
        if raw == "\\N":
            fields.append(None)
            continue
        out: list[str] = []
        index = 0
        while index < len(raw):
            char = raw[index]
            if char == "\\" and index + 1 < len(raw):
                following = raw[index + 1]
                if following in escapes:
                    out.append(escapes[following])
                    index += 2
                    continue
                if following in "01234567":
                    end = index + 2
                    while end < min(index + 4, len(raw)) and raw[end] in "01234567":
                        end += 1
                    out.append(chr(int(raw[index + 1 : end], 8)))
                    index = end
                    continue
                out.append(following)
                index += 2
                continue
            out.append(char)
            index += 1
        fields.append("".join(out))
    return fields


def dump_attachment_rows(dump: Path, pg_bin: Path) -> list[AttachmentRow]:
    """The attachment rows as the dump holds them (its snapshot), read back with
    pg_restore: what the backup must hold the files of."""
    process = subprocess.Popen(
        [
            str(pg_bin / "pg_restore"),
            "--data-only",
            f"--table={ATTACHMENT_TABLE}",
            "--file=-",
            str(dump),
        ],
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    assert process.stdout is not None
    rows: list[AttachmentRow] = []
    columns: list[str] | None = None
    for line in process.stdout:
        line = line.rstrip("\n")
        if columns is None:
            if line.startswith("COPY ") and f"{ATTACHMENT_TABLE} (" in line:
                inner = line[line.index("(") + 1 : line.index(")")]
                columns = [name.strip().strip('"') for name in inner.split(",")]
            continue
        if line == "\\.":
            break
        values = dict(zip(columns, copy_text_fields(line), strict=True))
        rows.append(
            AttachmentRow(
                key=values["file"] or "",
                size=int(values["size"] or 0),
                sha256=values.get("sha256") or "",
            )
        )
    for _rest in process.stdout:
        pass
    if process.wait() != 0:
        raise BackupError(f"pg_restore could not read the attachment rows of {dump}")
    return rows


def database_attachment_rows() -> list[AttachmentRow]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT file, size, sha256 FROM {ATTACHMENT_TABLE} ORDER BY id")  # noqa: S608
        return [AttachmentRow(key, int(size), sha or "") for key, size, sha in cursor.fetchall()]


def row_problems(rows: list[AttachmentRow], files: dict[str, StoredFile]) -> list[str]:
    """Every row must have its file, with the size and the SHA-256 recorded at upload."""
    problems = []
    for row in rows:
        stored = files.get(row.key)
        if stored is None:
            problems.append(f"{row.key}: attachment row without its file")
        elif row.sha256 and stored.sha256 != row.sha256:
            problems.append(
                f"{row.key}: SHA-256 {stored.sha256} differs from the one recorded at "
                f"upload ({row.sha256})"
            )
        elif stored.size != row.size:
            problems.append(f"{row.key}: {stored.size} bytes, the row records {row.size}")
    return problems


def fail_with(problems: list[str], headline: str) -> None:
    if not problems:
        return
    shown = "\n".join(f"  {problem}" for problem in problems[:SHOWN])
    more = f"\n  ... and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""
    raise BackupError(f"{headline} ({len(problems)}):\n{shown}{more}")


# --- The manifest ------------------------------------------------------------------


def app_commit() -> str:
    try:
        result = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return result.stdout.strip()


def app_version() -> str:
    try:
        return version("lpse-support")
    except PackageNotFoundError:
        return "unknown"


def read_manifest(backup: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((backup / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{backup}: no readable {MANIFEST} ({error}); not a backup") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{backup}: manifest format {manifest.get('format')!r} is unknown")
    return manifest


def safe_path(backup: Path, key: str) -> Path:
    path = (backup / FILES / key).resolve()
    if not path.is_relative_to((backup / FILES).resolve()):
        raise BackupError(f"manifest key {key!r} points outside the backup's files")
    return path


# --- The commands ------------------------------------------------------------------


def command_backup(dump: Path, out: Path, pg_bin: Path) -> None:
    storage = storages["default"]
    files: dict[str, StoredFile] = {}
    vanished = 0

    def copy(key: str) -> tuple[str, tuple[int, str] | None]:
        target = safe_path(out, key)
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as handle:
            copied = download(storage, key, handle)
        if copied is None:
            target.unlink()
        return key, copied

    with ThreadPoolExecutor(COPY_THREADS) as pool:
        for key, copied in pool.map(copy, storage_keys(storage)):
            if copied is None:
                vanished += 1
            else:
                files[key] = StoredFile(key, *copied)
    rows = dump_attachment_rows(dump, pg_bin)
    fail_with(
        row_problems(rows, files),
        "the storage does not hold every attachment of the database dump",
    )
    dump_size, dump_sha = file_sha256(dump)
    referenced = {row.key for row in rows}
    database = settings.DATABASES["default"]
    manifest = {
        "format": FORMAT,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "app_version": app_version(),
        "git_commit": app_commit(),
        "database": {
            "name": database["NAME"],
            "host": database.get("HOST", ""),
            "dump": DUMP,
            "size": dump_size,
            "sha256": dump_sha,
        },
        "storage": describe(storage),
        "attachment_rows": len(rows),
        "files": [
            {"key": f.key, "size": f.size, "sha256": f.sha256, "referenced": f.key in referenced}
            for f in sorted(files.values(), key=lambda f: f.key)
        ],
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
    unreferenced = len(files) - len(referenced)
    print(
        f"backup: {len(files)} files ({sum(f.size for f in files.values())} bytes), "
        f"{len(rows)} attachment rows, every one with its file; "
        f"{unreferenced} files without a row (uploaded after the dump's snapshot or left "
        f"by a failed upload), {vanished} vanished while copying"
    )


def command_check(backup: Path) -> dict[str, Any]:
    manifest = read_manifest(backup)
    problems = []
    dump = manifest["database"]
    if not (backup / DUMP).is_file():
        raise BackupError(f"{backup}: no {DUMP}; nothing was restored")
    size, sha = file_sha256(backup / DUMP)
    if sha != dump["sha256"] or size != dump["size"]:
        problems.append(f"{DUMP}: SHA-256 {sha} differs from the manifest's")
    listed = {entry["key"] for entry in manifest["files"]}
    for entry in manifest["files"]:
        path = safe_path(backup, entry["key"])
        if not path.is_file():
            problems.append(f"{entry['key']}: missing from the backup")
            continue
        size, sha = file_sha256(path)
        if sha != entry["sha256"] or size != entry["size"]:
            problems.append(
                f"{entry['key']}: SHA-256 {sha} differs from the manifest's {entry['sha256']}"
            )
    files_root = backup / FILES
    if files_root.is_dir():
        for path in files_root.rglob("*"):
            if path.is_file() and path.relative_to(files_root).as_posix() not in listed:
                problems.append(
                    f"{path.relative_to(files_root)}: in the backup, not in the manifest"
                )
    fail_with(problems, f"the backup {backup} is damaged or was altered; nothing was restored")
    print(f"check: the dump and {len(listed)} files match the manifest of {backup}")
    return manifest


def command_storage_empty() -> None:
    storage = storages["default"]
    if not storage_is_empty(storage):
        where = describe(storage)
        raise BackupError(
            f"the target storage is not empty ({where}); restore into an empty folder or "
            "bucket, or pass --force to add the backup's files to it"
        )


def command_restore(backup: Path) -> None:
    manifest = read_manifest(backup)
    storage = storages["default"]
    expected = {entry["key"]: StoredFile(**_entry(entry)) for entry in manifest["files"]}

    def send(stored: StoredFile) -> str | None:
        size, sha = upload(storage, stored.key, safe_path(backup, stored.key))
        if sha != stored.sha256 or size != stored.size:
            return f"{stored.key}: sent SHA-256 {sha}, the manifest has {stored.sha256}"
        if stored_size(storage, stored.key) != stored.size:
            return f"{stored.key}: the storage does not hold {stored.size} bytes"
        return None

    with ThreadPoolExecutor(COPY_THREADS) as pool:
        problems = [problem for problem in pool.map(send, expected.values()) if problem]
    fail_with(problems, "files did not arrive whole")
    rows = database_attachment_rows()
    fail_with(row_problems(rows, expected), "restored attachment rows without their right file")
    if len(rows) != manifest["attachment_rows"]:
        raise BackupError(
            f"the restored database has {len(rows)} attachment rows, the backup "
            f"{manifest['attachment_rows']}"
        )
    recorded = sum(1 for row in rows if row.sha256)
    print(
        f"restore: {len(expected)} files ({sum(f.size for f in expected.values())} bytes) "
        f"into {describe(storage)}, each equal to the manifest; {len(rows)} attachment "
        f"rows, each with its file ({recorded} checked against the SHA-256 recorded at "
        "upload, the others by size)"
    )


def _entry(entry: dict[str, Any]) -> dict[str, Any]:
    return {"key": entry["key"], "size": entry["size"], "sha256": entry["sha256"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    backup = sub.add_parser("backup")
    backup.add_argument("--dump", type=Path, required=True)
    backup.add_argument("--out", type=Path, required=True)
    backup.add_argument("--pg-bin", type=Path, required=True)
    check = sub.add_parser("check")
    check.add_argument("--backup", type=Path, required=True)
    sub.add_parser("storage-empty")
    restore = sub.add_parser("restore")
    restore.add_argument("--backup", type=Path, required=True)
    args = parser.parse_args()
    try:
        if args.command == "backup":
            command_backup(args.dump, args.out, args.pg_bin)
        elif args.command == "check":
            command_check(args.backup)
        elif args.command == "storage-empty":
            command_storage_empty()
        else:
            command_restore(args.backup)
    except BackupError as error:
        print(f"{sys.argv[0]}: {error}", file=sys.stderr)
        return 1
    except (BotoCoreError, ClientError) as error:
        print(f"{sys.argv[0]}: the S3 storage answered: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
