"""The deflection report (*Swalayan Pusat Bantuan*, issue 18): what Buat Tiket's
suggestions led to, per month, application and category.

Counted from the knowledge app's records (`knowledge/deflection.py`):

- forms shown suggestions: `SuggestedForm` rows, on their local date (the reporter's
  LPSE zone), with the form's application and category when first shown;
- articles opened: the `ArticleOpening` rows of those forms (one per article);
- deflections: forms with an opening and no ticket filed from them (a ticket of the same
  reporter with the form's submission key); filed anyway: forms with such a ticket;
- helpful votes: *Apakah artikel ini membantu?* answers as they stand, on the local date
  (voter's LPSE zone, WIB without one) they were last given, under every application and
  category of the article (an application the article names without any of its
  categories counts under "no category"); articles about no application are left out.

Scope: the readers of the other reports, with the same rule (`report_scope_q`): a form
counts by its reporter's LPSE and its application, a vote by its voter's LPSE and the
article's application. Filters: period, LPSE, application, category subtree, reporter
role; tier and priority do not exist before a ticket and are not applied.

Three statements whatever the numbers (forms, votes by category, votes by application),
plus the names.
"""

import dataclasses
import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import User
from knowledge.models import Article, ArticleOpening, ArticleVote, SuggestedForm
from lib.svgchart import Series, bar_chart
from reference.models import Application, TimeZone
from reports.filters import GROUP_MONTH, ReportFilters, period_buckets
from reports.pages import Cell, ReportView, Table, label_cell, number_cell, percent_cell
from tickets.access import report_scope_q
from tickets.exports import category_paths
from tickets.models import Ticket

Key = tuple[datetime.date, int | None, int | None]
# The columns (or annotations) of a row's application and category.
KEY_COLUMNS = ("application_id", "category_id")


@dataclass
class DeflectionRow:
    """One month (its first day), application and category (None: not chosen / none)."""

    month: datetime.date
    application_id: int | None
    category_id: int | None
    forms: int = 0
    opened: int = 0
    forms_opened: int = 0
    deflected: int = 0
    filed: int = 0
    helpful: int = 0
    not_helpful: int = 0


@dataclass(frozen=True)
class DeflectionReport:
    rows: Sequence[DeflectionRow] = field(default_factory=tuple)

    def by_month(self) -> dict[datetime.date, DeflectionRow]:
        months: dict[datetime.date, DeflectionRow] = {}
        for row in self.rows:
            total = months.setdefault(row.month, DeflectionRow(row.month, None, None))
            _add(total, row)
        return months

    def total(self) -> DeflectionRow:
        total = DeflectionRow(datetime.date.min, None, None)
        for row in self.rows:
            _add(total, row)
        return total


COUNTS = ("forms", "opened", "forms_opened", "deflected", "filed", "helpful", "not_helpful")


def _add(total: DeflectionRow, row: DeflectionRow) -> None:
    for name in COUNTS:
        setattr(total, name, getattr(total, name) + getattr(row, name))


def _dimensions(filters: ReportFilters) -> Q:
    """The filters that exist before a ticket (LPSE, application, category, reporter
    role), over rows or annotations of the fact rows' column names."""
    return dataclasses.replace(filters, tier=None, priority="").dimension_q()


def _in_period(column: str, filters: ReportFilters) -> Q:
    return Q(**{f"{column}__gte": filters.first, f"{column}__lte": filters.last})


def suggested_forms(user: User, filters: ReportFilters) -> QuerySet[SuggestedForm]:
    """The forms shown suggestions that this reader may count under these filters."""
    return (
        SuggestedForm.objects.filter(report_scope_q(user))
        .filter(_dimensions(filters))
        .filter(_in_period("shown_on", filters))
    )


def _local_day(moment: str, zone: str) -> Case:
    """The local date of `moment` in the zone named by `zone` (WIB when it names none)."""
    return Case(
        *(
            When(**{zone: name}, then=TruncDate(moment, tzinfo=ZoneInfo(name)))
            for name in TimeZone.values
        ),
        default=TruncDate(moment, tzinfo=timezone.get_default_timezone()),
        output_field=DateField(),
    )


def _votes(
    user: User, filters: ReportFilters, by_category: bool
) -> QuerySet[ArticleVote, dict[str, Any]]:
    """Votes in the period, one row per vote and (application, category) of its article,
    in the reader's scope, grouped by month, application and category."""
    pairs: dict[str, Any]
    if by_category:
        pairs = {
            "category_id": F("article__categories__id"),
            "application_id": F("article__categories__application_id"),
        }
    else:
        pairs = {
            "category_id": Value(None, output_field=IntegerField()),
            "application_id": F("article__applications__id"),
        }
    votes = ArticleVote.objects.annotate(
        lpse_id=F("user__lpse_id"),
        reporter_role=F("user__role"),
        day=_local_day("updated_at", "user__lpse__timezone"),
        **pairs,
    ).filter(Q(application_id__isnull=False))
    if not by_category:
        # An application the article names without any category of it.
        own_categories = Article.categories.through.objects.filter(
            Q(
                article_id=OuterRef("article_id"),
                category__application_id=OuterRef("application_id"),
            )
        )
        votes = votes.filter(~Exists(own_categories))
    return (
        votes.filter(report_scope_q(user))
        .filter(_dimensions(filters))
        .filter(_in_period("day", filters))
        .order_by()
        .values(*KEY_COLUMNS, month=TruncMonth("day"))
        .annotate(
            yes=Count("pk", filter=Q(helpful=True)),
            no=Count("pk", filter=Q(helpful=False)),
        )
    )


def deflection_report(user: User, filters: ReportFilters) -> DeflectionReport:
    """The report's numbers per month, application and category (only keys with a count)."""
    openings = (
        ArticleOpening.objects.filter(
            user_id=OuterRef("user_id"), submission_key=OuterRef("submission_key")
        )
        .order_by()
        .values("user_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    # `~Q(submission_key="")` lets PostgreSQL use the partial unique index on
    # (reporter, submission_key); a form's key is never empty anyway.
    tickets = Ticket.objects.filter(
        ~Q(submission_key=""),
        reporter_id=OuterRef("user_id"),
        submission_key=OuterRef("submission_key"),
    )
    forms = (
        suggested_forms(user, filters)
        .annotate(articles=Coalesce(Subquery(openings[:1]), 0), ticket_filed=Exists(tickets))
        .order_by()
        .values(*KEY_COLUMNS, month=TruncMonth("shown_on"))
        .annotate(
            forms=Count("pk"),
            opened=Sum("articles"),
            forms_opened=Count("pk", filter=Q(articles__gt=0)),
            deflected=Count("pk", filter=Q(articles__gt=0, ticket_filed=False)),
            filed=Count("pk", filter=Q(ticket_filed=True)),
        )
    )
    rows: dict[Key, DeflectionRow] = {}

    def row(found: dict[str, object]) -> DeflectionRow:
        month = found["month"]
        if isinstance(month, datetime.datetime):  # SQLite may answer with a datetime
            month = month.date()
        assert isinstance(month, datetime.date)
        key = (month, found["application_id"], found["category_id"])
        assert key[1] is None or isinstance(key[1], int)
        assert key[2] is None or isinstance(key[2], int)
        return rows.setdefault(key, DeflectionRow(*key))  # type: ignore[arg-type]

    for found in forms:
        target = row(found)
        for name in ("forms", "opened", "forms_opened", "deflected", "filed"):
            setattr(target, name, found[name] or 0)
    for by_category in (True, False):
        for votes in _votes(user, filters, by_category):
            target = row(votes)
            target.helpful += votes["yes"]
            target.not_helpful += votes["no"]
    ordered = sorted(
        rows.values(), key=lambda r: (r.month, r.application_id or 0, r.category_id or 0)
    )
    return DeflectionReport(rows=tuple(ordered))


# --- The page ---------------------------------------------------------------------------

COLUMNS = (
    _lazy("Formulir yang diberi saran"),
    _lazy("Artikel dibuka"),
    _lazy("Formulir dengan artikel dibuka"),
    _lazy("Tidak jadi membuat tiket (deflection)"),
    _lazy("Tetap membuat tiket"),
    _lazy("Bagian deflection"),
    _lazy("Penilaian membantu: ya"),
    _lazy("Penilaian membantu: tidak"),
)


def _count_cells(row: DeflectionRow) -> list[Cell]:
    return [
        number_cell(row.forms),
        number_cell(row.opened),
        number_cell(row.forms_opened),
        number_cell(row.deflected),
        number_cell(row.filed),
        percent_cell(100 * row.deflected / row.forms if row.forms else None),
        number_cell(row.helpful),
        number_cell(row.not_helpful),
    ]


def build_deflection(*, user: User, filters: ReportFilters, now: datetime.datetime) -> ReportView:
    report = deflection_report(user, filters)
    months = period_buckets(filters.first, filters.last, GROUP_MONTH)
    by_month = report.by_month()
    empty = DeflectionRow(datetime.date.min, None, None)
    per_month = [by_month.get(bucket.first.replace(day=1), empty) for bucket in months]
    chart = bar_chart(
        title=_("Formulir Buat Tiket yang diberi saran"),
        labels=[bucket.short_label for bucket in months],
        full_labels=[bucket.full_label for bucket in months],
        series=[
            Series(_("Diberi saran"), [row.forms for row in per_month]),
            Series(_("Dengan artikel dibuka"), [row.forms_opened for row in per_month]),
            Series(_("Tidak jadi membuat tiket"), [row.deflected for row in per_month]),
            Series(_("Tetap membuat tiket"), [row.filed for row in per_month]),
        ],
        unit=_("formulir"),
        chart_id="laporan-swalayan",
    )
    month_rows = [
        [label_cell(bucket.label), *_count_cells(row)]
        for bucket, row in zip(months, per_month, strict=True)
    ]
    month_rows.append([label_cell(_("Jumlah")), *_count_cells(report.total())])
    month_table = Table(
        key="bulan",
        caption=_("Swalayan per bulan"),
        columns=[_("Bulan"), *COLUMNS],
        rows=month_rows,
        total_row=True,
        note=_(
            "Formulir dihitung pada tanggal lokal (zona LPSE pelapor) saat saran pertama kali "
            "tampil, dengan aplikasi dan kategori saat itu (kategori yang dipilih, atau saran "
            "teratas). Deflection: artikel dibuka dan tiket tidak dibuat dari formulir itu."
        ),
    )
    names = dict(
        Application.objects.filter(
            pk__in={row.application_id for row in report.rows if row.application_id}
        ).values_list("pk", "name")
    )
    paths = category_paths() if any(row.category_id for row in report.rows) else {}
    labels = {bucket.first.replace(day=1): bucket.label for bucket in months}
    detail = Table(
        key="rincian",
        caption=_("Swalayan per bulan, aplikasi dan kategori"),
        columns=[_("Bulan"), _("Aplikasi"), _("Kategori"), *COLUMNS],
        rows=[
            [
                label_cell(labels.get(row.month, row.month.strftime("%m/%Y"))),
                label_cell(
                    names.get(row.application_id, "")
                    if row.application_id
                    else _("(aplikasi belum dipilih)")
                ),
                label_cell(
                    paths.get(row.category_id, "") if row.category_id else _("(tanpa kategori)")
                ),
                *_count_cells(row),
            ]
            for row in report.rows
        ],
        note=_(
            "Penilaian: jawaban «Apakah artikel ini membantu?» atas artikel aplikasi dan "
            "kategori itu, pada bulan jawaban terakhir diberikan."
        ),
    )
    notes = [
        _(
            "Laporan ini selalu per bulan. Filter tier dan prioritas tidak dipakai: "
            "formulir yang diberi saran belum menjadi tiket."
        )
    ]
    return ReportView(charts=[chart], tables=[month_table, detail], notes=notes)
