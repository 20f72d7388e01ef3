"""Each report's page built from the report queries: charts, tables and their links.

`REPORTS` lists the reports in the order of the page's tabs; the views look a report up
here by its slug (an unknown slug is a 404). A builder reads the fact rows in the
reader's scope (`report_facts`), asks `reports.queries` for the numbers and lays them
out as a `ReportView`: the same cells feed the page and the table exports.

Links: a number that counts tickets links to the console list filtered to exactly those
tickets (`console_list_url`), with the report's dimensions carried over. Numbers the
console cannot filter exactly (first resolutions of tickets reopened since, reopenings,
the backlog of a past day) have no link rather than a link to something else.
"""

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_stubs_ext import StrOrPromise

from accounts.models import User
from lib.numformat import format_number
from lib.svgchart import Series, bar_chart, distribution_chart, hbar_chart, line_chart
from reference.models import Application, Lpse, Priority
from reports.deflection import build_deflection
from reports.filters import ReportFilters
from reports.pages import (
    Cell,
    ReportView,
    Table,
    hours_cell,
    label_cell,
    number_cell,
    percent_cell,
)
from reports.queries import (
    CLOSE_REASONS,
    OPEN,
    TIERS,
    ClockSummary,
    SlaRow,
    backlog_now,
    escalation_report,
    facts_staleness,
    report_facts,
    satisfaction_comments,
    satisfaction_report,
    sla_report,
    staff_report,
    top_report,
    volume_report,
)
from tickets.models import CloseReason, Status, TicketFact, Tier
from tickets.queues import (
    AGE_BUCKETS,
    AGE_LABELS,
    OPEN_FILTER,
    SLA_MISSED_RESOLUTION,
    SLA_MISSED_RESPONSE,
    age_q,
    console_list_url,
)

Build = Callable[..., ReportView]


@dataclass(frozen=True)
class ReportSpec:
    label: StrOrPromise
    description: StrOrPromise
    build: Build
    # Only the supervisors of the scope read it (the per-agent staff report).
    staff: bool = False
    # Counts within the chosen period (the backlog age report counts what is open now).
    uses_period: bool = True


# --- Shared pieces ----------------------------------------------------------------------


def _dimensions(filters: ReportFilters) -> dict[str, Any]:
    """The report's dimension filters as console list filters (for links)."""
    return {
        "lpse": filters.lpse,
        "application": filters.application,
        "category": filters.category.pk if filters.category is not None else None,
        "tier": filters.tier,
        "priority": filters.priority,
        "reporter_role": filters.reporter_role,
    }


def _link(filters: ReportFilters, **extra: Any) -> str:
    """The console list of exactly the tickets a cell counts: the report's dimensions,
    overridden or narrowed by `extra`."""
    return console_list_url(**(_dimensions(filters) | extra))


def _created(filters: ReportFilters, first: datetime.date, last: datetime.date) -> dict[str, Any]:
    return {"created_from": first, "created_to": last}


def _in_period(filters: ReportFilters) -> dict[str, Any]:
    return _created(filters, filters.first, filters.last)


def _share_cell(part: int, whole: int) -> Cell:
    return percent_cell(100 * part / whole if whole else None)


def _fraction_cell(value: float | None) -> Cell:
    return percent_cell(None if value is None else 100 * value)


def _staleness_note(facts: QuerySet[TicketFact]) -> list[StrOrPromise]:
    """A running clock's state is as of its last write (the sweep's or an action's)."""
    at = facts_staleness(facts)
    if at is None:
        return []
    local = timezone.localtime(at)
    return [
        _("Status SLA tiket yang masih terbuka terakhir diperbarui %(moment)s.")
        % {"moment": local.strftime("%d/%m/%Y %H:%M")}
    ]


def _priority_label(value: str) -> str:
    return str(Priority(value).label) if value in Priority.values else value


def _tier_label(value: int) -> str:
    return str(Tier(value).label) if value in Tier.values else str(value)


# --- Volume -----------------------------------------------------------------------------


def build_volume(*, user: User, filters: ReportFilters, now: datetime.datetime) -> ReportView:
    facts = report_facts(user, filters)
    volume = volume_report(facts, filters)
    labels = [row.bucket.short_label for row in volume.rows]
    full = [row.bucket.full_label for row in volume.rows]
    created_links = [
        _link(filters, **_created(filters, row.bucket.first, row.bucket.last))
        for row in volume.rows
    ]
    charts = [
        bar_chart(
            title=_("Tiket dibuat, diselesaikan dan ditutup"),
            labels=labels,
            full_labels=full,
            series=[
                Series(_("Dibuat"), [row.created for row in volume.rows], created_links),
                Series(_("Diselesaikan"), [row.resolved for row in volume.rows]),
                Series(_("Ditutup"), [row.closed_total for row in volume.rows]),
            ],
            unit=_("tiket"),
            chart_id="laporan-volume",
        ),
        line_chart(
            title=_("Backlog di akhir periode"),
            labels=labels,
            full_labels=full,
            series=[Series(_("Tiket terbuka"), [row.backlog for row in volume.rows])],
            unit=_("tiket"),
            chart_id="laporan-backlog",
        ),
    ]
    reasons = [CloseReason(reason) for reason in CLOSE_REASONS]
    rows: list[list[Cell]] = []
    for row in volume.rows:
        bucket = row.bucket
        closed = {"closed_from": bucket.first, "closed_to": bucket.last}
        rows.append(
            [
                label_cell(bucket.label),
                number_cell(row.created, created_links[len(rows)]),
                number_cell(row.resolved),
                *(
                    number_cell(
                        row.closed[reason.value], _link(filters, close_reason=reason, **closed)
                    )
                    for reason in reasons
                ),
                number_cell(row.reopened),
                number_cell(row.backlog),
            ]
        )
    closed_period = {"closed_from": filters.first, "closed_to": filters.last}
    rows.append(
        [
            label_cell(_("Jumlah")),
            number_cell(volume.created, _link(filters, **_in_period(filters))),
            number_cell(volume.resolved),
            *(
                number_cell(
                    sum(row.closed[reason.value] for row in volume.rows),
                    _link(filters, close_reason=reason, **closed_period),
                )
                for reason in reasons
            ),
            number_cell(volume.reopened),
            number_cell(volume.rows[-1].backlog if volume.rows else volume.backlog_before),
        ]
    )
    per_period = Table(
        key="periode",
        caption=_("Volume per periode"),
        columns=[
            _("Periode"),
            _("Dibuat"),
            _("Diselesaikan"),
            *(reason.label for reason in reasons),
            _("Dibuka kembali"),
            _("Backlog akhir periode"),
        ],
        rows=rows,
        total_row=True,
        note=_(
            "Setiap tiket dihitung pada tanggal lokal LPSE-nya. Diselesaikan dan dibuka "
            "kembali: yang pertama kali. Backlog sebelum periode: %(count)s tiket."
        )
        % {"count": format_number(volume.backlog_before)},
    )
    backlog = backlog_now(facts)
    by_status = backlog.by_status()
    by_tier = backlog.by_tier()
    status_rows = [
        [
            label_cell(Status(status).label),
            *(
                number_cell(
                    backlog.cells.get((status, tier), 0),
                    _link(filters, status=status, tier=tier),
                )
                for tier in TIERS
            ),
            number_cell(by_status[status], _link(filters, status=status)),
        ]
        for status in OPEN
    ]
    status_rows.append(
        [
            label_cell(_("Jumlah")),
            *(
                number_cell(by_tier[tier], _link(filters, status=OPEN_FILTER, tier=tier))
                for tier in TIERS
            ),
            number_cell(backlog.total, _link(filters, status=OPEN_FILTER)),
        ]
    )
    now_table = Table(
        key="backlog",
        caption=_("Backlog saat ini per status dan tier"),
        columns=[_("Status"), *(_tier_label(tier) for tier in TIERS), _("Jumlah")],
        rows=status_rows,
        total_row=True,
    )
    return ReportView(charts=charts, tables=[per_period, now_table], notes=_staleness_note(facts))


# --- Backlog age ------------------------------------------------------------------------


# The chart's axis: the console's labels shortened.
AGE_AXIS_LABELS: dict[str, StrOrPromise] = {
    "lt1": _lazy("< 1 hari"),
    "1-3": _lazy("1–3 hari"),
    "3-5": _lazy("3–5 hari"),
    "gt5": _lazy("> 5 hari"),
}


def _age_counts(
    facts: QuerySet[TicketFact], ages: dict[str, Q], group: str | None
) -> dict[Any, dict[str, int]]:
    """Open tickets per age bucket (`ages`: bucket -> condition), per value of `group`
    (one statement)."""
    open_facts = facts.filter(status__in=OPEN).order_by()
    counts = {bucket: Count("pk", filter=condition) for bucket, condition in ages.items()}
    if group is None:
        return {None: open_facts.aggregate(**counts)}
    rows = open_facts.values(group).annotate(**counts)
    return {row[group]: {bucket: row[bucket] for bucket in AGE_BUCKETS} for row in rows}


def _age_table(
    key: str,
    caption: StrOrPromise,
    heading: StrOrPromise,
    groups: Iterable[tuple[Any, str, dict[str, Any]]],
    counts: dict[Any, dict[str, int]],
    filters: ReportFilters,
) -> Table:
    """Rows: one per group with its buckets; `groups` gives (key, label, link filters)."""
    rows = []
    for group_key, label, narrow in groups:
        found = counts.get(group_key)
        if not found or not any(found.values()):
            continue
        rows.append(
            [
                label_cell(label),
                *(
                    number_cell(found[bucket], _link(filters, age=bucket, **narrow))
                    for bucket in AGE_BUCKETS
                ),
                number_cell(sum(found.values()), _link(filters, status=OPEN_FILTER, **narrow)),
            ]
        )
    return Table(
        key=key,
        caption=caption,
        columns=[heading, *(AGE_LABELS[bucket] for bucket in AGE_BUCKETS), _("Jumlah")],
        rows=rows,
    )


def build_age(*, user: User, filters: ReportFilters, now: datetime.datetime) -> ReportView:
    facts = report_facts(user, filters)
    ages = {bucket: age_q(bucket, now, filters.lpse) for bucket in AGE_BUCKETS}
    total = _age_counts(facts, ages, None)[None]
    by_tier = _age_counts(facts, ages, "tier")
    by_lpse = _age_counts(facts, ages, "lpse_id")
    by_application = _age_counts(facts, ages, "application_id")
    labels = [str(AGE_LABELS[bucket]) for bucket in AGE_BUCKETS]
    chart = bar_chart(
        title=_("Tiket terbuka menurut umur (hari kerja)"),
        labels=[str(AGE_AXIS_LABELS[bucket]) for bucket in AGE_BUCKETS],
        full_labels=labels,
        series=[
            Series(
                _tier_label(tier),
                [by_tier.get(tier, {}).get(bucket, 0) for bucket in AGE_BUCKETS],
            )
            for tier in TIERS
        ],
        stacked=True,
        unit=_("tiket"),
        category_noun=_("umur"),
        chart_id="laporan-umur",
    )
    tier_rows = [
        [
            label_cell(label),
            *(
                number_cell(
                    by_tier.get(tier, {}).get(bucket, 0), _link(filters, age=bucket, tier=tier)
                )
                for tier in TIERS
            ),
            number_cell(total[bucket], _link(filters, age=bucket)),
        ]
        for bucket, label in zip(AGE_BUCKETS, labels, strict=True)
    ]
    tier_rows.append(
        [
            label_cell(_("Jumlah")),
            *(
                number_cell(
                    sum(by_tier.get(tier, {}).values()),
                    _link(filters, status=OPEN_FILTER, tier=tier),
                )
                for tier in TIERS
            ),
            number_cell(sum(total.values()), _link(filters, status=OPEN_FILTER)),
        ]
    )
    tiers = Table(
        key="tier",
        caption=_("Umur tiket terbuka per tier"),
        columns=[_("Umur"), *(_tier_label(tier) for tier in TIERS), _("Jumlah")],
        rows=tier_rows,
        total_row=True,
        note=_(
            "Umur dihitung dalam hari kerja kalender LPSE tiket (jam kerja dan hari libur), "
            "dari saat tiket dibuat sampai sekarang."
        ),
    )
    names = _names(facts, by_lpse, by_application)
    lpses = _age_table(
        "lpse",
        _("Umur tiket terbuka per LPSE"),
        _("LPSE"),
        ((pk, names["lpse"].get(pk, ""), {"lpse": pk}) for pk in _by_name(names["lpse"])),
        by_lpse,
        filters,
    )
    applications = _age_table(
        "aplikasi",
        _("Umur tiket terbuka per aplikasi"),
        _("Aplikasi"),
        (
            (pk, names["application"].get(pk, ""), {"application": pk})
            for pk in _by_name(names["application"])
        ),
        by_application,
        filters,
    )
    return ReportView(charts=[chart], tables=[tiers, lpses, applications])


def _names(
    facts: QuerySet[TicketFact], by_lpse: dict[Any, Any], by_application: dict[Any, Any]
) -> dict[str, dict[int, str]]:
    """Names of the LPSEs and applications that have rows (two small statements)."""
    return {
        "lpse": dict(Lpse.objects.filter(pk__in=list(by_lpse)).values_list("pk", "name")),
        "application": dict(
            Application.objects.filter(pk__in=list(by_application)).values_list("pk", "name")
        ),
    }


def _by_name(names: dict[int, str]) -> list[int]:
    return sorted(names, key=lambda pk: (names[pk].casefold(), pk))


# --- SLA --------------------------------------------------------------------------------

_SLA_COLUMNS: Sequence[StrOrPromise] = (
    _lazy("Tiket"),
    _lazy("Respons: sesuai SLA"),
    _lazy("Respons: terlampaui"),
    _lazy("Respons: terlambat, masih berjalan"),
    _lazy("Respons: median (jam kerja)"),
    _lazy("Respons: persentil 90 (jam kerja)"),
    _lazy("Penyelesaian: sesuai SLA"),
    _lazy("Penyelesaian: terlampaui"),
    _lazy("Penyelesaian: terlambat, masih berjalan"),
    _lazy("Penyelesaian: median (jam kerja)"),
    _lazy("Penyelesaian: persentil 90 (jam kerja)"),
)


def _clock_cells(clock: ClockSummary, missed_link: str) -> list[Cell]:
    return [
        _fraction_cell(clock.met_share),
        number_cell(clock.missed, missed_link),
        number_cell(clock.late),
        hours_cell(clock.median_seconds),
        hours_cell(clock.p90_seconds),
    ]


def _sla_row(label: str, row: SlaRow, filters: ReportFilters, narrow: dict[str, Any]) -> list[Cell]:
    period = _in_period(filters) | narrow
    return [
        label_cell(label),
        number_cell(row.tickets, _link(filters, **period)),
        *_clock_cells(row.response, _link(filters, sla=SLA_MISSED_RESPONSE, **period)),
        *_clock_cells(row.resolution, _link(filters, sla=SLA_MISSED_RESOLUTION, **period)),
    ]


def build_sla(*, user: User, filters: ReportFilters, now: datetime.datetime) -> ReportView:
    facts = report_facts(user, filters)
    sla = sla_report(facts, filters)
    chart = bar_chart(
        title=_("Tiket yang ditangani sesuai SLA per prioritas"),
        labels=[_priority_label(row.key) for row in sla.by_priority],
        series=[
            Series(
                _("Respons pertama"),
                [_percent(row.response.met_share) for row in sla.by_priority],
            ),
            Series(
                _("Penyelesaian"),
                [_percent(row.resolution.met_share) for row in sla.by_priority],
            ),
        ],
        percent=True,
        category_noun=_("prioritas"),
        chart_id="laporan-sla",
    )
    note = _(
        "Tiket yang dibuat dalam periode. Sesuai SLA: bagian dari tiket yang jamnya sudah "
        "berhenti atau sudah lewat target. Waktu dalam jam kerja, seperti yang dihitung SLA."
    )

    def table(
        key: str,
        caption: StrOrPromise,
        heading: StrOrPromise,
        rows: Sequence[SlaRow],
        label: Callable[[SlaRow], str],
        narrow: Callable[[SlaRow], dict[str, Any]],
    ) -> Table:
        body = [_sla_row(label(row), row, filters, narrow(row)) for row in rows]
        body.append(_sla_row(_("Jumlah"), sla.total, filters, {}))
        return Table(
            key=key,
            caption=caption,
            columns=[heading, *_SLA_COLUMNS],
            rows=body,
            total_row=True,
            note=note if key == "prioritas" else "",
        )

    tables = [
        table(
            "prioritas",
            _("SLA per prioritas"),
            _("Prioritas"),
            sla.by_priority,
            lambda row: _priority_label(row.key),
            lambda row: {"priority": row.key},
        ),
        table(
            "tier",
            _("SLA per tier saat ini"),
            _("Tier"),
            sla.by_tier,
            lambda row: _tier_label(row.key),
            lambda row: {"tier": row.key},
        ),
        table(
            "lpse",
            _("SLA per LPSE"),
            _("LPSE"),
            sla.by_lpse,
            lambda row: row.name,
            lambda row: {"lpse": row.key},
        ),
        table(
            "aplikasi",
            _("SLA per aplikasi"),
            _("Aplikasi"),
            sla.by_application,
            lambda row: row.name,
            lambda row: {"application": row.key},
        ),
    ]
    return ReportView(charts=[chart], tables=tables, notes=_staleness_note(facts))


def _percent(share: float | None) -> float | None:
    return None if share is None else 100 * share


# --- Escalation -------------------------------------------------------------------------


def build_escalation(*, user: User, filters: ReportFilters, now: datetime.datetime) -> ReportView:
    facts = report_facts(user, filters)
    report = escalation_report(facts, filters, now=now)
    period = _in_period(filters)
    summary_rows = [
        (_("Tiket dibuat dalam periode"), report.tickets, _link(filters, **period)),
        (
            _("Pernah sampai tier 2 atau 3"),
            report.reached_tier2,
            _link(filters, min_tier=2, **period),
        ),
        (_("Pernah sampai tier 3"), report.reached_tier3, _link(filters, min_tier=3, **period)),
        (_("Pernah dikembalikan ke tier sebelumnya"), report.returned, ""),
    ]
    chart = hbar_chart(
        title=_("Bagian tiket yang dieskalasi"),
        labels=[str(label) for label, _count, _href in summary_rows[1:]],
        values=[_percent(report.share(count)) for _label, count, _href in summary_rows[1:]],
        percent=True,
        chart_id="laporan-eskalasi",
    )
    summary = Table(
        key="ringkasan",
        caption=_("Eskalasi tiket yang dibuat dalam periode"),
        columns=[_("Ukuran"), _("Tiket"), _("Bagian dari tiket dibuat")],
        rows=[
            [label_cell(label), number_cell(count, href), _share_cell(count, report.tickets)]
            for label, count, href in summary_rows
        ]
        + [[label_cell(_("Jumlah pengembalian")), number_cell(report.returns), Cell(None, "")]],
    )
    times = Table(
        key="waktu",
        caption=_("Waktu di setiap tier"),
        columns=[
            _("Tier"),
            _("Tiket yang sampai"),
            _("Rata-rata (jam)"),
            _("Median (jam)"),
        ],
        rows=[
            [
                label_cell(_tier_label(tier.tier)),
                number_cell(
                    tier.tickets,
                    _link(filters, **period)
                    if tier.tier == 1
                    else _link(filters, min_tier=tier.tier, **period),
                ),
                hours_cell(tier.mean_seconds),
                hours_cell(tier.median_seconds),
            ]
            for tier in report.tiers
        ],
        note=_(
            "Waktu kalender (bukan jam kerja) selama tiket berada di tier itu, termasuk "
            "tiket yang masih di sana sampai sekarang."
        ),
    )
    return ReportView(charts=[chart], tables=[summary, times])


# --- Satisfaction -----------------------------------------------------------------------


def build_satisfaction(*, user: User, filters: ReportFilters, now: datetime.datetime) -> ReportView:
    facts = report_facts(user, filters)
    report = satisfaction_report(facts, filters)
    closed = {"closed_from": filters.first, "closed_to": filters.last}
    star_links = [_link(filters, stars=stars, **closed) for stars in report.stars]
    chart = distribution_chart(
        title=_("Sebaran penilaian (bintang 1–5)"),
        labels=[str(stars) for stars in report.stars],
        values=list(report.stars.values()),
        hrefs=star_links,
        unit=_("penilaian"),
        chart_id="laporan-kepuasan",
    )
    summary = Table(
        key="ringkasan",
        caption=_("Ringkasan penilaian tiket yang ditutup dalam periode"),
        columns=[_("Ukuran"), _("Nilai")],
        rows=[
            [label_cell(_("Tiket ditutup yang dapat dinilai")), number_cell(report.rateable)],
            [label_cell(_("Tiket yang dinilai")), number_cell(report.rated)],
            [label_cell(_("Bagian yang dinilai")), _fraction_cell(report.rated_share)],
            [label_cell(_("Rata-rata penilaian (1–5)")), number_cell(report.average, decimals=2)],
        ],
        note=_(
            "Tiket yang dikonfirmasi selesai atau ditutup paksa dalam periode; tiket yang "
            "ditutup otomatis atau digabung tidak meminta penilaian."
        ),
    )
    stars = Table(
        key="bintang",
        caption=_("Penilaian per bintang"),
        columns=[_("Bintang"), _("Penilaian"), _("Bagian")],
        rows=[
            [label_cell(str(value)), number_cell(count, href), _share_cell(count, report.rated)]
            for (value, count), href in zip(report.stars.items(), star_links, strict=True)
        ],
    )
    categories = Table(
        key="kategori",
        caption=_("Kategori penilaian yang dipilih"),
        columns=[_("Kategori penilaian"), _("Dipilih"), _("Bagian dari penilaian")],
        rows=[
            [
                label_cell(category.name),
                number_cell(category.count),
                _share_cell(category.count, report.rated),
            ]
            for category in report.categories
        ],
    )
    comments = Table(
        key="saran",
        caption=_("Saran dan kritik terbaru"),
        columns=[_("Nomor tiket"), _("Bintang"), _("Tanggal"), _("Saran dan kritik")],
        rows=[
            [
                label_cell(
                    comment.number,
                    reverse("console:ticket_detail", kwargs={"number": comment.number}),
                ),
                number_cell(comment.stars),
                label_cell(_local(comment.created_at).strftime("%d/%m/%Y %H:%M")),
                label_cell(comment.comment),
            ]
            for comment in satisfaction_comments(facts, filters)
        ],
        note=_("Hanya untuk supervisor; teks dari pelapor, tanpa penyuntingan."),
    )
    return ReportView(charts=[chart], tables=[summary, stars, categories, comments])


def _local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment)


# --- Top categories and codes -----------------------------------------------------------


def build_top(*, user: User, filters: ReportFilters, now: datetime.datetime) -> ReportView:
    facts = report_facts(user, filters)
    report = top_report(facts, filters)
    period = _in_period(filters)
    category_links = [
        _link(filters, category=category.category_id, **period) for category in report.categories
    ]
    chart = hbar_chart(
        title=_("Kategori dengan tiket terbanyak"),
        labels=[category.path for category in report.categories],
        values=[category.count for category in report.categories],
        hrefs=category_links,
        unit=_("tiket"),
        chart_id="laporan-teratas",
    )
    categories = Table(
        key="kategori",
        caption=_("Kategori teratas"),
        columns=[_("Kategori"), _("Tiket"), _("Bagian dari tiket dibuat")],
        rows=[
            [
                label_cell(category.path),
                number_cell(category.count, href),
                _fraction_cell(category.share),
            ]
            for category, href in zip(report.categories, category_links, strict=True)
        ],
        note=_("Dari %(count)s tiket yang dibuat dalam periode.")
        % {"count": format_number(report.tickets)},
    )
    codes = Table(
        key="kode",
        caption=_("Kode paket dengan tiket terbanyak"),
        columns=[
            _("Kode"),
            _("Jenis kode"),
            _("Tiket"),
            _("Bagian dari tiket dibuat"),
            _("Hari tersibuk"),
            _("Tiket pada hari itu"),
            _("Kemungkinan insiden"),
        ],
        rows=[
            [
                label_cell(code.code),
                label_cell(code.code_kind),
                number_cell(code.count, _link(filters, code=code.code, **period)),
                _fraction_cell(code.share),
                label_cell(code.peak_day.strftime("%d/%m/%Y")),
                number_cell(
                    code.peak_count,
                    _link(
                        filters, code=code.code, **_created(filters, code.peak_day, code.peak_day)
                    ),
                ),
                label_cell(_("Ya") if code.likely_incident else _("Tidak")),
            ]
            for code in report.codes
        ],
        note=_(
            "Banyak tiket tentang satu kode pada satu hari (misalnya saat tahap unggah "
            "penawaran) biasanya satu insiden, bukan masalah perorangan."
        ),
    )
    return ReportView(charts=[chart], tables=[categories, codes])


# --- Staff ------------------------------------------------------------------------------


def build_staff(*, user: User, filters: ReportFilters, now: datetime.datetime) -> ReportView:
    facts = report_facts(user, filters)
    rows = staff_report(facts, filters)
    busiest = sorted(rows, key=lambda row: (-row.resolved, row.name.casefold()))[:15]
    chart = hbar_chart(
        title=_("Tiket yang diselesaikan per petugas"),
        labels=[row.name for row in busiest],
        values=[row.resolved for row in busiest],
        unit=_("tiket"),
        category_noun=_("petugas"),
        chart_id="laporan-petugas",
    )
    table = Table(
        key="petugas",
        caption=_("Kinerja petugas"),
        columns=[
            _("Petugas"),
            _("Diambil"),
            _("Diselesaikan"),
            _("Dibuka kembali setelah diselesaikan"),
            _("Median respons pertama (jam kerja)"),
            _("Rata-rata penilaian (1–5)"),
        ],
        rows=[
            [
                label_cell(row.name),
                number_cell(row.taken),
                number_cell(row.resolved),
                number_cell(row.reopened),
                hours_cell(row.median_response_seconds),
                number_cell(row.average_stars, decimals=2),
            ]
            for row in rows
        ],
        note=_(
            "Diambil: tiket yang dibuat dalam periode dan pernah dipegang petugas itu. "
            "Diselesaikan: penyelesaian pertama dalam periode; dibuka kembali dan penilaian "
            "dihitung dari tiket-tiket itu."
        ),
    )
    return ReportView(charts=[chart], tables=[table])


REPORTS: dict[str, ReportSpec] = {
    "volume": ReportSpec(
        _lazy("Volume"),
        _lazy("Tiket dibuat, diselesaikan, ditutup dan dibuka kembali per periode; backlog."),
        build_volume,
    ),
    "umur": ReportSpec(
        _lazy("Umur backlog"),
        _lazy("Tiket terbuka saat ini menurut umur dalam hari kerja, per tier, LPSE dan aplikasi."),
        build_age,
        uses_period=False,
    ),
    "sla": ReportSpec(
        _lazy("SLA"),
        _lazy("Respons pertama dan penyelesaian sesuai SLA; median dan persentil 90."),
        build_sla,
    ),
    "eskalasi": ReportSpec(
        _lazy("Eskalasi"),
        _lazy("Tiket yang sampai tier 2 dan tier 3, pengembalian, dan waktu di setiap tier."),
        build_escalation,
    ),
    "kepuasan": ReportSpec(
        _lazy("Kepuasan"),
        _lazy("Penilaian pelapor atas tiket yang ditutup, kategori penilaian, saran dan kritik."),
        build_satisfaction,
    ),
    "teratas": ReportSpec(
        _lazy("Kategori & kode teratas"),
        _lazy("Kategori dan kode paket dengan tiket terbanyak; tanda kemungkinan insiden."),
        build_top,
    ),
    "petugas": ReportSpec(
        _lazy("Petugas"),
        _lazy("Per petugas: diambil, diselesaikan, dibuka kembali, respons, penilaian."),
        build_staff,
        staff=True,
    ),
    # Issue 18: what Buat Tiket's suggestions from the Pusat Bantuan led to.
    "swalayan": ReportSpec(
        _lazy("Swalayan (Pusat Bantuan)"),
        _lazy(
            "Formulir Buat Tiket yang diberi saran artikel, artikel yang dibuka, pelapor yang "
            "tidak jadi membuat tiket, dan penilaian artikel, per bulan, aplikasi dan kategori."
        ),
        build_deflection,
    ),
}
