import io
import zipfile
from contextlib import AbstractContextManager
from typing import BinaryIO

from lib.zipstream import chunks_opener, zip_stream


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


def test_an_entry_may_be_a_generator_of_chunks_and_deflated():
    produced: list[int] = []

    def chunks():
        for number in range(200):
            produced.append(number)
            yield f"<row>{number}</row>".encode() * 100

    stream = zip_stream(
        [("a.xml", chunks_opener(chunks())), ("b.txt", _opener(b"halo"))],
        compression=zipfile.ZIP_DEFLATED,
    )
    first = next(stream)
    assert len(produced) < 200  # the generator is read as the archive is written
    archive = zipfile.ZipFile(io.BytesIO(first + b"".join(stream)))
    assert archive.read("a.xml") == b"".join(f"<row>{n}</row>".encode() * 100 for n in range(200))
    assert archive.getinfo("a.xml").compress_type == zipfile.ZIP_DEFLATED
    assert archive.read("b.txt") == b"halo"
