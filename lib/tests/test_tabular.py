"""CSV and XLSX tables: read back by Python's csv module and by openpyxl, cell by cell."""

import csv
import datetime
import io
import tracemalloc
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import openpyxl
from hypothesis import given
from hypothesis import strategies as st

from lib.tabular import (
    BOM,
    column_letter,
    csv_stream,
    excel_serial,
    neutralise,
    xlsx_stream,
    xml_text,
)

_ILLEGAL = {chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF)}


def _read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM.encode("utf-8"))
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _read_xlsx(data: bytes, rows: int | None = None, columns: int | None = None) -> list[Any]:
    """The cells; with `rows`/`columns`, that many (openpyxl leaves out empty rows at the
    end)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.active
    return list(sheet.iter_rows(max_row=rows, max_col=columns, values_only=True))


def _legal(text: str) -> str:
    return "".join(c for c in text if c not in _ILLEGAL and not 0xD800 <= ord(c) <= 0xDFFF)


# --- neutralise ---


def test_formula_starts_are_neutralised():
    for text in ["=1+1", "+62812", "-2", "@SUM(A1)", "\tx", "\rx", "  =HYPERLINK(1)", "\n=1"]:
        assert neutralise(text) == "'" + text


def test_plain_text_is_left_alone():
    for text in ["Gagal upload", "", "1+1", "a=b", "'=1", "LPSE-119"]:
        assert neutralise(text) == text


@given(st.text())
def test_neutralised_text_never_starts_a_formula(text: str):
    out = neutralise(text)
    assert out.endswith(text)
    assert not out.lstrip().startswith(("=", "+", "-", "@"))
    assert not out.startswith(("\t", "\r"))
    assert out in (text, "'" + text)


# --- CSV ---


def test_csv_has_bom_crlf_and_typed_cells():
    rows = [
        ['=HYPERLINK("http://x")', -5, 2.5, Decimal("3.10"), None, True],
        [datetime.date(2026, 1, 31), datetime.datetime(2026, 1, 31, 23, 30), "Ä ü ñ", "", 0, False],
    ]
    data = b"".join(csv_stream(["A", "B", "C", "D", "E", "F"], rows))
    assert data.startswith(b"\xef\xbb\xbfA,B,C,D,E,F\r\n")
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert _read_csv(data) == [
        ["A", "B", "C", "D", "E", "F"],
        ['\'=HYPERLINK("http://x")', "-5", "2.5", "3.10", "", "TRUE"],
        ["2026-01-31", "2026-01-31 23:30", "Ä ü ñ", "", "0", "FALSE"],
    ]


@given(st.lists(st.lists(st.text(), min_size=2, max_size=2), max_size=20))
def test_csv_text_round_trips_neutralised(rows: list[list[str]]):
    data = b"".join(csv_stream(["x", "y"], rows))
    assert _read_csv(data)[1:] == [[neutralise(a), neutralise(b)] for a, b in rows]


def _many_rows(count: int, width: int = 8) -> Iterator[list[Any]]:
    for number in range(count):
        yield [f"Tiket nomor {number} dengan judul yang agak panjang", number] * (width // 2)


def test_csv_streams_in_bounded_chunks_without_holding_the_rows():
    chunks = csv_stream(["a"] * 8, _many_rows(50_000))
    tracemalloc.start()
    try:
        sizes = []
        for chunk in chunks:
            sizes.append(len(chunk))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(sizes) > 50
    assert max(sizes) < 2 * 64 * 1024
    assert peak < 2 * 1024 * 1024  # the whole file is ~12 MB


# --- XLSX ---


def test_xlsx_cells_read_back_exactly():
    header = ["Teks", "Bilangan", "Pecahan", "Desimal", "Tanggal", "Waktu", "Kosong", "Ya"]
    rows = [
        ["=HYPERLINK(\"http://x\")", -5, 2.5, Decimal("3.25"), datetime.date(2026, 1, 31),
         datetime.datetime(2026, 1, 31, 23, 30), None, True],
        ["a <b> & \"c\" 'd'", 10**12, -0.125, Decimal("0"), datetime.date(1999, 12, 31),
         datetime.datetime(2000, 2, 29, 0, 1), "", False],
    ]  # fmt: skip
    read = _read_xlsx(b"".join(xlsx_stream("Tiket", header, rows)))
    assert read[0] == tuple(header)
    assert read[1] == (
        "'=HYPERLINK(\"http://x\")", -5, 2.5, 3.25, datetime.datetime(2026, 1, 31),
        datetime.datetime(2026, 1, 31, 23, 30), None, True,
    )  # fmt: skip
    assert read[2][:6] == (
        "a <b> & \"c\" 'd'", 10**12, -0.125, 0, datetime.datetime(1999, 12, 31),
        datetime.datetime(2000, 2, 29, 0, 1),
    )  # fmt: skip
    assert read[2][7] is False


def test_xlsx_package_has_styles_frozen_header_and_autofilter():
    data = b"".join(xlsx_stream("Tiket [ekspor]: semua/*?", ["A", "B"], [[1, 2], [3, 4]]))
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert set(archive.namelist()) == {
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/worksheets/sheet1.xml",
    }
    sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert 't="inlineStr"' in sheet and 'state="frozen"' in sheet
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book.active
    assert ws.title == "Tiket  ekspor   semua"
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:B3"
    assert ws["A1"].font.b is True
    assert ws["A2"].font.b is not True


_cell_text = st.text(st.characters(codec="utf-8"), max_size=30)


@given(st.lists(st.lists(_cell_text, min_size=3, max_size=3), min_size=1, max_size=10))
def test_xlsx_text_round_trips_escaped_and_neutralised(rows: list[list[str]]):
    read = _read_xlsx(b"".join(xlsx_stream("S", ["a", "b", "c"], rows)), len(rows) + 1, 3)
    expected = [tuple(neutralise(_legal(text)) or None for text in row) for row in rows]
    assert read[1:] == expected


@given(st.one_of(st.integers(-(10**15), 10**15), st.floats(allow_nan=False, allow_infinity=False)))
def test_xlsx_numbers_stay_numbers(value: float):
    read = _read_xlsx(b"".join(xlsx_stream("S", ["n"], [[value]])))
    assert read[1] == (value,)


def test_xlsx_odd_numbers_become_text():
    read = _read_xlsx(b"".join(xlsx_stream("S", ["n", "m"], [[float("nan"), float("inf")]])))
    assert read[1] == ("nan", "inf")


def test_xlsx_is_written_with_bounded_memory():
    chunks = xlsx_stream("S", ["a"] * 8, _many_rows(30_000))
    tracemalloc.start()
    try:
        total = sum(len(chunk) for chunk in chunks)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total > 100_000
    assert peak < 4 * 1024 * 1024


def test_helpers():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A", "Z", "AA", "AB", "ZZ", "AAA",
    ]  # fmt: skip
    assert excel_serial(datetime.date(1900, 3, 1)) == 61
    assert excel_serial(datetime.datetime(2026, 1, 1, 12)) == 46023.5
    assert xml_text("a\x00\x1b<\r") == "a&lt;&#13;"
