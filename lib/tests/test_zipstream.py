import io
import zipfile
from contextlib import AbstractContextManager
from typing import BinaryIO

from lib.zipstream import zip_stream


def _opener(data: bytes):
    def open_() -> AbstractContextManager[BinaryIO]:
        return io.BytesIO(data)

    return open_


def test_it_streams_a_valid_zip_in_several_chunks():
    big = bytes(range(256)) * 4096  # 1 MiB
    chunks = list(zip_stream([("a.txt", _opener(b"halo")), ("b.bin", _opener(big))]))
    assert len(chunks) > 2
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert archive.namelist() == ["a.txt", "b.bin"]
    assert archive.read("a.txt") == b"halo"
    assert archive.read("b.bin") == big
    assert archive.testzip() is None
