"""What a report page shows, as data: charts (SVG strings) and tables of cells.

Every report is built into a `ReportView`; the page renders it with one template, and
the exports write the same tables (so a number is never computed twice, and the file
says what the page says). A cell keeps its raw value (for the export) next to the text
the page shows and, where it counts tickets, the link to exactly those tickets in the
console list.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django_stubs_ext import StrOrPromise

from lib.numformat import format_number, format_percent


@dataclass(frozen=True)
class Cell:
    value: object
    text: str
    href: str = ""
    # A number (right-aligned, monospace) rather than a label.
    numeric: bool = True


def number_cell(value: int | float | None, href: str = "", decimals: int = 0) -> Cell:
    return Cell(value, format_number(value, decimals), href if value else "")


def percent_cell(value: float | None) -> Cell:
    """A share already in percent (0–100)."""
    return Cell(None if value is None else round(value, 1), format_percent(value))


def hours_cell(seconds: float | None) -> Cell:
    """A duration in hours with one decimal (working or wall hours, as the column says)."""
    hours = None if seconds is None else seconds / 3600
    return Cell(None if hours is None else round(hours, 1), format_number(hours, 1))


def label_cell(text: StrOrPromise, href: str = "") -> Cell:
    return Cell(str(text), str(text), href, numeric=False)


@dataclass(frozen=True)
class Table:
    key: str
    caption: StrOrPromise
    columns: Sequence[StrOrPromise]
    rows: Sequence[Sequence[Cell]]
    note: StrOrPromise = ""
    # The last row sums up the others (shown in bold).
    total_row: bool = False


@dataclass(frozen=True)
class ReportView:
    charts: Sequence[str] = ()
    tables: Sequence[Table] = ()
    notes: Sequence[StrOrPromise] = field(default_factory=tuple)

    def table(self, key: str) -> Table | None:
        return next((table for table in self.tables if table.key == key), None)


# (builder of a report's view, a short label, whether only supervisors of the scope read it)
Builder = Callable[..., ReportView]
