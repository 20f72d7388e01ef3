"""Benchmark of attachment storage: memory and time to store a large upload and to
stream it back (one file, and the zip of "Download semua lampiran").

    make bench-storage                   (50 MB; moto_server on loopback)
    python scripts/bench_storage.py --mb 50

For each storage it stores one upload of `--mb` megabytes from Django's temporary
upload file, then reads it back whole through `open()` and through the streamed zip,
and prints the seconds and the peak Python heap (tracemalloc) of each step. Storages:
the local folder, the app's `AttachmentS3Storage`, and django-storages' stock
`S3Storage` with the same bucket (to show what the app's choices change). The S3 ones
talk HTTP to a `moto_server` this script starts on loopback and stops. Prints numbers,
asserts nothing: the test suite holds the memory bound at 20 MB
(tickets/tests/test_attachments_s3.py).
"""

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lpse_support.settings")
os.environ.setdefault("DEBUG", "1")  # settings need a key; nothing here serves requests

import django

django.setup()

from django.core.files.storage import FileSystemStorage, Storage
from django.core.files.uploadedfile import TemporaryUploadedFile
from storages.backends.s3 import S3Storage

from lib.zipstream import zip_stream
from lpse_support.storage import AttachmentS3Storage
from testsupport.s3 import MotoServer, S3Bucket

MB = 1024 * 1024


def measured(step: Callable[[], Any]) -> tuple[float, float]:
    """Seconds and peak traced heap (MB) of one call."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        step()
        return time.perf_counter() - started, tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()


def large_upload(size: int) -> TemporaryUploadedFile:
    upload = TemporaryUploadedFile("besar.pdf", "application/pdf", size, None)
    block = os.urandom(MB)
    for _ in range(size // MB):
        upload.write(block)
    upload.write(block[: size % MB])
    upload.flush()
    upload.seek(0)
    return upload


def drain(chunks: Any) -> int:
    return sum(len(chunk) for chunk in chunks)


def read_whole(storage: Storage, name: str) -> int:
    """Read as FileResponse does (its 4 KB blocks)."""
    with storage.open(name, "rb") as file:
        return drain(iter(lambda: file.read(4096), b""))


def run(label: str, storage: Storage, upload: TemporaryUploadedFile) -> None:
    storage.exists("warm-up")  # the client is made once per process, not per upload
    upload.seek(0)
    names: list[str] = []
    save = measured(lambda: names.append(storage.save("lampiran/bench/besar.pdf", upload)))
    name = names[0]
    single = measured(lambda: read_whole(storage, name))
    opener: Any = lambda: storage.open(name, "rb")  # noqa: E731
    archive = measured(lambda: drain(zip_stream([("besar.pdf", opener)])))
    cells = [f"{seconds:6.2f} s {peak:7.1f} MB" for seconds, peak in (save, single, archive)]
    print(f"{label:28} " + "   ".join(cells), flush=True)
    storage.delete(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=50, help="upload size in MB (default 50)")
    args = parser.parse_args()
    upload = large_upload(args.mb * MB)
    server = MotoServer()
    server.start()
    try:
        bucket = S3Bucket(server, "lampiran-bench")
        bucket.create()
        print(f"{args.mb} MB upload; seconds and peak Python heap (tracemalloc) per step")
        print(f"{'storage':28} {'save':>17}   {'open + read':>17}   {'zip stream':>17}")
        with tempfile.TemporaryDirectory(prefix="lpse-bench-storage-") as folder:
            moved = large_upload(args.mb * MB)  # the local save moves the file away
            run("local folder", FileSystemStorage(location=folder), moved)
            moved.close()
        run("AttachmentS3Storage (app)", AttachmentS3Storage(**bucket.options), upload)
        stock = S3Storage(**bucket.options, addressing_style="path", file_overwrite=False)
        run("S3Storage (stock defaults)", stock, upload)
    finally:
        upload.close()
        server.stop()


if __name__ == "__main__":
    main()
