"""Tables written as CSV or XLSX, streamed row by row with bounded memory (no Django).

The ticket exports and the report tables call these. A row is a sequence of cells:
- str: written as text; one that a spreadsheet would run as a formula (it starts with
  `=`, `+`, `-`, `@`, a tab or a carriage return, also after leading spaces) is
  neutralised with a leading `'` (the OWASP advice);
- int, float, Decimal: a number, never neutralised (a negative number stays a number);
- datetime.date / datetime.datetime: a date, written in the wall time it carries (the
  caller converts to the zone it means; a zone attached is ignored);
- bool: TRUE/FALSE; None: an empty cell.

Nothing holds all the rows: the CSV is yielded in chunks of about 64 KB, and the XLSX's
sheet is generated row by row into the streaming ZIP writer (lib/zipstream.py).
"""

import csv
import datetime
import io
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from lib.zipstream import chunks_opener, zip_stream

Cell = str | int | float | Decimal | datetime.date | None
Row = Sequence[Any]

CHUNK_BYTES = 64 * 1024
BOM = "\ufeff"

_FORMULA_STARTS = ("=", "+", "-", "@")
_CONTROL_STARTS = ("\t", "\r")


def neutralise(value: str) -> str:
    """The text as a spreadsheet shows it but never runs it as a formula (OWASP CSV
    injection: a leading `'`)."""
    if value.startswith(_CONTROL_STARTS) or value.lstrip().startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _finite(value: int | float | Decimal) -> bool:
    return not isinstance(value, (float, Decimal)) or math.isfinite(value)


# --- CSV ------------------------------------------------------------------------------


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if _is_number(value):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return neutralise(str(value))


def csv_stream(header: Sequence[str], rows: Iterable[Row]) -> Iterator[bytes]:
    """UTF-8 with a BOM (Excel then reads the accents right), CRLF line ends: the header
    line, then chunks of about CHUNK_BYTES; the rows are read one at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([_csv_cell(name) for name in header])
    # The header at once: the download starts before the first rows are read.
    yield buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
        if buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if data := buffer.getvalue():
        yield data.encode("utf-8")


# --- XLSX (SpreadsheetML) -------------------------------------------------------------

# Characters XML 1.0 cannot carry (control characters but tab, LF and CR; lone
# surrogates; U+FFFE, U+FFFF): dropped.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_EXCEL_EPOCH = datetime.datetime(1899, 12, 30)

# The cell styles of xl/styles.xml (cellXfs, by index).
_STYLE_HEADER = 1
_STYLE_DATE = 2
_STYLE_DATETIME = 3

_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

_SML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_CONTENT_TYPES = (
    _XML_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_SML}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_SML}.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_SML}.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    _XML_HEAD + f'<Relationships xmlns="{_PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    _XML_HEAD + f'<Relationships xmlns="{_PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{_REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL_NS}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
_STYLES = (
    _XML_HEAD + f'<styleSheet xmlns="{_MAIN_NS}">'
    '<numFmts count="2">'
    '<numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
    '<numFmt numFmtId="165" formatCode="dd/mm/yyyy hh:mm"/>'
    "</numFmts>"
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def xml_text(value: str) -> str:
    """The text escaped for XML, without the characters XML 1.0 cannot carry."""
    # A CR as a reference: a parser reads a raw one as a line feed.
    return escape(_ILLEGAL_XML.sub("", value), {'"': "&quot;", "\r": "&#13;"})


def column_letter(index: int) -> str:
    """A, B, …, Z, AA, … for the 0-based column index."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def excel_serial(value: datetime.date) -> float:
    """Days since Excel's epoch (1899-12-30), with the time of day as the fraction."""
    if isinstance(value, datetime.datetime):
        delta = value.replace(tzinfo=None) - _EXCEL_EPOCH
        return delta.days + (delta.seconds + delta.microseconds / 1_000_000) / 86_400
    return float((value - _EXCEL_EPOCH.date()).days)


def _sheet_name(name: str) -> str:
    """A name Excel accepts: no []:*?/\\ , not blank, at most 31 characters."""
    clean = _SHEET_NAME_FORBIDDEN.sub(" ", _ILLEGAL_XML.sub("", name)).strip().strip("'")
    return clean[:31] or "Sheet1"


def _text_cell(ref: str, text: str, style: str = "") -> str:
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}" t="inlineStr"{style}><is><t{space}>{xml_text(text)}</t></is></c>'


def _xlsx_cell(ref: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if _is_number(value) and _finite(value):  # type: ignore[arg-type]
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, datetime.datetime):
        return f'<c r="{ref}" s="{_STYLE_DATETIME}"><v>{excel_serial(value)!r}</v></c>'
    if isinstance(value, datetime.date):
        return f'<c r="{ref}" s="{_STYLE_DATE}"><v>{int(excel_serial(value))}</v></c>'
    if _is_number(value):  # NaN and infinities have no number in a sheet
        return _text_cell(ref, str(value))
    # Illegal characters go first: what is left must not start a formula either.
    text = neutralise(_ILLEGAL_XML.sub("", str(value)))
    return _text_cell(ref, text) if text else ""


def _column_widths(header: Sequence[str], widths: Sequence[float] | None) -> str:
    chosen = list(widths or ())
    parts = []
    for index, name in enumerate(header):
        width = chosen[index] if index < len(chosen) else min(max(len(name) + 4, 12), 60)
        parts.append(f'<col min="{index + 1}" max="{index + 1}" width="{width}" customWidth="1"/>')
    return "<cols>" + "".join(parts) + "</cols>" if parts else ""


def _sheet_xml(
    header: Sequence[str],
    rows: Iterable[Row],
    widths: Sequence[float] | None,
    done: Callable[[int], None],
) -> Iterator[bytes]:
    letters = [column_letter(index) for index in range(len(header))]
    parts: list[str] = [
        _XML_HEAD,
        f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">',
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        "</sheetView></sheetViews>",
        '<sheetFormatPr defaultRowHeight="15"/>',
        _column_widths(header, widths),
        "<sheetData>",
        '<row r="1">',
        *(
            _text_cell(f"{letters[i]}1", str(name), f' s="{_STYLE_HEADER}"')
            for i, name in enumerate(header)
        ),
        "</row>",
    ]
    size = sum(map(len, parts))
    number = 1
    for row in rows:
        number += 1
        cells = "".join(
            _xlsx_cell(f"{column_letter(i) if i >= len(letters) else letters[i]}{number}", value)
            for i, value in enumerate(row)
        )
        line = f'<row r="{number}">{cells}</row>'
        parts.append(line)
        size += len(line)
        if size >= CHUNK_BYTES:
            yield "".join(parts).encode("utf-8")
            parts.clear()
            size = 0
    parts.append("</sheetData>")
    if header:
        parts.append(f'<autoFilter ref="A1:{letters[-1]}{number}"/>')
    parts.append("</worksheet>")
    yield "".join(parts).encode("utf-8")
    done(number)


def _workbook_xml(sheet: str, columns: int, last_row: int) -> bytes:
    quoted = "'" + sheet.replace("'", "''") + "'"
    names = ""
    if columns:
        area = f"{quoted}!$A$1:${column_letter(columns - 1)}${last_row}"
        names = (
            '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" '
            f'hidden="1">{xml_text(area)}</definedName></definedNames>'
        )
    return (
        _XML_HEAD + f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f'<sheets><sheet name="{xml_text(sheet)}" sheetId="1" r:id="rId1"/></sheets>'
        f"{names}</workbook>"
    ).encode("utf-8")


def xlsx_stream(
    sheet_name: str,
    header: Sequence[str],
    rows: Iterable[Row],
    *,
    widths: Sequence[float] | None = None,
) -> Iterator[bytes]:
    """A one-sheet .xlsx: a bold, frozen header row with an autofilter, then the rows.

    Strings are inline (no shared-string table to hold), so the sheet is written row by
    row into the deflated ZIP stream. `widths`: column widths in characters (default:
    from the header).
    """
    sheet = _sheet_name(sheet_name)
    last_row: list[int] = []

    def entries() -> Iterator[tuple[str, Any]]:
        yield "[Content_Types].xml", chunks_opener([_CONTENT_TYPES.encode("utf-8")])
        yield "_rels/.rels", chunks_opener([_ROOT_RELS.encode("utf-8")])
        yield "xl/styles.xml", chunks_opener([_STYLES.encode("utf-8")])
        yield "xl/_rels/workbook.xml.rels", chunks_opener([_WORKBOOK_RELS.encode("utf-8")])
        yield (
            "xl/worksheets/sheet1.xml",
            chunks_opener(_sheet_xml(header, rows, widths, last_row.append)),
        )
        # Written last: the autofilter's range needs the number of rows.
        yield (
            "xl/workbook.xml",
            chunks_opener([_workbook_xml(sheet, len(header), last_row[0])]),
        )

    # Without ZIP64 (a sheet stays far below 4 GB): the format spreadsheet programs
    # have always read.
    return zip_stream(entries(), compression=zipfile.ZIP_DEFLATED, zip64=False)
