"""The filters every report shares: period, scope dimensions, grouping (issue 17).

`ReportFilterForm(request.GET, user=request.user)` reads the query string; its
`filters()` gives a `ReportFilters`, always usable: a bad value shows an Indonesian
message on the form and falls back to its default, never an error page. Choices are
limited to the viewer's report scope (`tickets.access`), which the report queries apply
besides (`report_scope_q`); the filters only narrow within it.

A period is a pair of local dates, first and last inclusive, counted from "today" in
the viewer's time zone (the one the request activated). Tickets count on their own
LPSE's local date (the fact rows' `*_day` columns), so the dates compare with those.
Its buckets (days, ISO weeks from Monday, months) are cut to the period.
"""

import bisect
import datetime
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_stubs_ext import StrOrPromise

from accounts.models import ReporterRole, User
from reference.models import Application, Category, Lpse, Priority
from tickets.access import report_applications, report_lpses
from tickets.console_forms import DATE_FORMAT, IndonesianDateField, category_choices
from tickets.models import Tier
from tickets.queues import category_subtree_ids

PERIOD_TODAY = "hari_ini"
PERIOD_7_DAYS = "7_hari"
PERIOD_30_DAYS = "30_hari"
PERIOD_90_DAYS = "90_hari"
PERIOD_THIS_MONTH = "bulan_ini"
PERIOD_RANGE = "rentang"
DEFAULT_PERIOD = PERIOD_30_DAYS
PERIOD_LABELS = {
    PERIOD_TODAY: _lazy("Hari ini"),
    PERIOD_7_DAYS: _lazy("7 hari terakhir"),
    PERIOD_30_DAYS: _lazy("30 hari terakhir"),
    PERIOD_90_DAYS: _lazy("90 hari terakhir"),
    PERIOD_THIS_MONTH: _lazy("Bulan ini"),
    PERIOD_RANGE: _lazy("Rentang tanggal"),
}
_PERIOD_DAYS = {PERIOD_TODAY: 1, PERIOD_7_DAYS: 7, PERIOD_30_DAYS: 30, PERIOD_90_DAYS: 90}

GROUP_DAY = "hari"
GROUP_WEEK = "minggu"
GROUP_MONTH = "bulan"
GROUPING_LABELS = {
    GROUP_DAY: _lazy("Per hari"),
    GROUP_WEEK: _lazy("Per minggu"),
    GROUP_MONTH: _lazy("Per bulan"),
}

MAX_RANGE_DAYS = 366
# Dates outside these years are typing mistakes (and would overflow date arithmetic).
EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)


@dataclass(frozen=True)
class Bucket:
    """One step of a report's time axis: local dates `first` to `last`, inclusive.

    `label` for table rows ("Sen 01/12", "Minggu 49 (01–07/12/2026)", "Desember 2026"),
    `short_label` for a chart's axis ("01/12", "Mg 49", "Des 2026"), `full_label` for
    tooltips and summaries ("Senin 01/12/2026"). `partial`: the period cuts the week or
    month short.
    """

    first: datetime.date
    last: datetime.date
    label: str
    short_label: str
    full_label: str
    partial: bool = False


def period_dates(
    period: str,
    today: datetime.date,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> tuple[datetime.date, datetime.date]:
    """The first and last local date (inclusive) of a period ending today; `rentang`
    takes `start` and `end` as given (checked by the form)."""
    if period == PERIOD_RANGE:
        if start is None or end is None:
            raise ValueError("a range needs both dates")
        return start, end
    if period == PERIOD_THIS_MONTH:
        return today.replace(day=1), today
    return today - datetime.timedelta(days=_PERIOD_DAYS[period] - 1), today


def default_grouping(first: datetime.date, last: datetime.date) -> str:
    """Days for up to 31 days, weeks for up to 120, months beyond."""
    days = (last - first).days + 1
    if days <= 31:
        return GROUP_DAY
    if days <= 120:
        return GROUP_WEEK
    return GROUP_MONTH


def _span(first: datetime.date, last: datetime.date) -> str:
    """01–07/12/2026, 29/11–05/12/2026, 29/12/2025–04/01/2026 (one date when equal)."""
    if first == last:
        return first.strftime(DATE_FORMAT)
    if first.year != last.year:
        return f"{first.strftime(DATE_FORMAT)}–{last.strftime(DATE_FORMAT)}"
    if first.month != last.month:
        return f"{first.strftime('%d/%m')}–{last.strftime(DATE_FORMAT)}"
    return f"{first.strftime('%d')}–{last.strftime(DATE_FORMAT)}"


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def period_buckets(first: datetime.date, last: datetime.date, grouping: str) -> list[Bucket]:
    """The period cut into days, ISO weeks (Monday to Sunday) or months, in order."""
    buckets: list[Bucket] = []
    one_year = first.year == last.year
    day = first
    while day <= last:
        if grouping == GROUP_DAY:
            end = day
            label = date_format(day, "D d/m" if one_year else "D d/m/Y")
            buckets.append(
                Bucket(day, end, label, date_format(day, "d/m"), date_format(day, "l d/m/Y"))
            )
        elif grouping == GROUP_WEEK:
            monday = day - datetime.timedelta(days=day.weekday())
            sunday = monday + datetime.timedelta(days=6)
            end = min(sunday, last)
            week = day.isocalendar().week
            label = _("Minggu %(week)s (%(span)s)") % {"week": week, "span": _span(day, end)}
            short = _("Mg %(week)s") % {"week": week}
            partial = day != monday or end != sunday
            buckets.append(Bucket(day, end, label, short, label, partial))
        else:
            month_start = day.replace(day=1)
            month_end = _next_month(day) - datetime.timedelta(days=1)
            end = min(month_end, last)
            label = date_format(day, "F Y")
            partial = day != month_start or end != month_end
            buckets.append(Bucket(day, end, label, date_format(day, "M Y"), label, partial))
        day = end + datetime.timedelta(days=1)
    return buckets


@dataclass(frozen=True)
class ReportFilters:
    """What a report counts: a period of local dates, its grouping, and dimensions.

    `category_ids` is the chosen category with its subtree (empty: every category).
    The viewer's scope is not in here: report queries add `report_scope_q(user)`.
    """

    period: str
    first: datetime.date
    last: datetime.date
    grouping: str
    lpse: Lpse | None = None
    application: Application | None = None
    category: Category | None = None
    category_ids: frozenset[int] = field(default_factory=frozenset)
    tier: int | None = None
    priority: str = ""
    reporter_role: str = ""

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def buckets(self) -> list[Bucket]:
        return period_buckets(self.first, self.last, self.grouping)

    def bucket_index(self, day: datetime.date, buckets: list[Bucket] | None = None) -> int | None:
        """Which of `buckets` (default: this period's) holds `day`; None outside the period."""
        if day < self.first or day > self.last:
            return None
        steps = buckets if buckets is not None else self.buckets()
        return bisect.bisect_right([bucket.first for bucket in steps], day) - 1

    def dimension_q(self, prefix: str = "") -> Q:
        """LPSE, application, category subtree, tier, priority and reporter role as a Q
        over tickets or fact rows (same column names; `prefix` as in `report_scope_q`).
        Dates are left to each report: which day counts (created, resolved…) differs."""
        conditions: dict[str, Any] = {}
        if self.lpse is not None:
            conditions[f"{prefix}lpse_id"] = self.lpse.pk
        if self.application is not None:
            conditions[f"{prefix}application_id"] = self.application.pk
        if self.category_ids:
            conditions[f"{prefix}category_id__in"] = sorted(self.category_ids)
        if self.tier is not None:
            conditions[f"{prefix}tier"] = self.tier
        if self.priority:
            conditions[f"{prefix}priority"] = self.priority
        if self.reporter_role:
            conditions[f"{prefix}reporter_role"] = self.reporter_role
        return Q(**conditions)

    def query_params(self) -> dict[str, str]:
        """The query string that gives these filters again (links, exports), defaults left out."""
        params: dict[str, str] = {}
        if self.period != DEFAULT_PERIOD:
            params["periode"] = self.period
        if self.period == PERIOD_RANGE:
            params["dari"] = self.first.strftime(DATE_FORMAT)
            params["sampai"] = self.last.strftime(DATE_FORMAT)
        for name, value in (
            ("lpse", self.lpse),
            ("aplikasi", self.application),
            ("kategori", self.category),
        ):
            if value is not None:
                params[name] = str(value.pk)
        if self.tier is not None:
            params["tier"] = str(self.tier)
        if self.priority:
            params["prioritas"] = self.priority
        if self.reporter_role:
            params["peran"] = self.reporter_role
        if self.grouping != default_grouping(self.first, self.last):
            params["per"] = self.grouping
        return params


def default_filters(today: datetime.date) -> ReportFilters:
    """The last 30 days, grouped by day, nothing else narrowed."""
    first, last = period_dates(DEFAULT_PERIOD, today)
    return ReportFilters(DEFAULT_PERIOD, first, last, default_grouping(first, last))


def _invalid(message: StrOrPromise) -> dict[str, Any]:
    return {"invalid_choice": message, "invalid": message}


class ReportFilterForm(forms.Form):
    """The filters above every report (GET). Every field is optional; a bad value is
    reported on its field and left out, the rest still applies."""

    periode = forms.ChoiceField(
        label=_lazy("Periode"),
        required=False,
        initial=DEFAULT_PERIOD,
        choices=list(PERIOD_LABELS.items()),
        error_messages=_invalid(_lazy("Periode tidak dikenal; ditampilkan 30 hari terakhir.")),
    )
    dari = IndonesianDateField(label=_lazy("Dari tanggal"))
    sampai = IndonesianDateField(label=_lazy("Sampai tanggal"))
    lpse = forms.ModelChoiceField(
        label=_lazy("LPSE"),
        required=False,
        queryset=Lpse.objects.none(),
        empty_label=_lazy("Semua LPSE"),
        error_messages=_invalid(_lazy("LPSE tidak dikenal.")),
    )
    aplikasi = forms.ModelChoiceField(
        label=_lazy("Aplikasi"),
        required=False,
        queryset=Application.objects.none(),
        empty_label=_lazy("Semua aplikasi"),
        error_messages=_invalid(_lazy("Aplikasi tidak dikenal.")),
    )
    kategori = forms.ModelChoiceField(
        label=_lazy("Kategori"),
        help_text=_lazy("Termasuk semua subkategorinya."),
        required=False,
        queryset=Category.objects.none(),
        empty_label=_lazy("Semua kategori"),
        error_messages=_invalid(_lazy("Kategori tidak dikenal.")),
    )
    tier = forms.TypedChoiceField(
        label=_lazy("Tier"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _lazy("Semua tier")), *Tier.choices],
        error_messages=_invalid(_lazy("Tier tidak dikenal.")),
    )
    prioritas = forms.ChoiceField(
        label=_lazy("Prioritas"),
        required=False,
        choices=[("", _lazy("Semua prioritas")), *Priority.choices],
        error_messages=_invalid(_lazy("Prioritas tidak dikenal.")),
    )
    peran = forms.ChoiceField(
        label=_lazy("Peran pelapor"),
        required=False,
        choices=[("", _lazy("Semua peran")), *ReporterRole.choices],
        error_messages=_invalid(_lazy("Peran pelapor tidak dikenal.")),
    )
    per = forms.ChoiceField(
        label=_lazy("Tampilkan"),
        required=False,
        choices=[("", _lazy("Otomatis")), *GROUPING_LABELS.items()],
        error_messages=_invalid(_lazy("Pengelompokan tidak dikenal; dipilih otomatis.")),
    )

    def __init__(
        self,
        data: Any = None,
        *,
        user: User,
        today: datetime.date | None = None,
        **kwargs: Any,
    ) -> None:
        if data is not None and not any(data.get(name) for name in ("periode", "dari", "sampai")):
            # Other filters without a period: the select shows the period that applies.
            data = data.copy()
            data["periode"] = DEFAULT_PERIOD
        super().__init__(data, **kwargs)
        self.user = user
        # "Today" where the viewer is: the request activated their LPSE's zone.
        self.today = today or timezone.localdate()
        lpse = self.fields["lpse"]
        aplikasi = self.fields["aplikasi"]
        kategori = self.fields["kategori"]
        assert isinstance(lpse, forms.ModelChoiceField)
        assert isinstance(aplikasi, forms.ModelChoiceField)
        assert isinstance(kategori, forms.ModelChoiceField)
        lpse.queryset = report_lpses(user)
        applications = report_applications(user)
        aplikasi.queryset = applications
        # The queryset checks the value; the choices show the tree, as the console does.
        kategori.queryset = Category.objects.filter(application__in=applications)
        kategori.choices = category_choices(None, applications=applications)

    def clean_dari(self) -> datetime.date | None:
        return self._within_years(self.cleaned_data.get("dari"))

    def clean_sampai(self) -> datetime.date | None:
        return self._within_years(self.cleaned_data.get("sampai"))

    def _within_years(self, value: datetime.date | None) -> datetime.date | None:
        if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
            raise forms.ValidationError(
                _("Tanggal harus antara %(first)s dan %(last)s.")
                % {
                    "first": EARLIEST_DATE.strftime(DATE_FORMAT),
                    "last": LATEST_DATE.strftime(DATE_FORMAT),
                }
            )
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        period = cleaned.get("periode") or ""
        start, end = cleaned.get("dari"), cleaned.get("sampai")
        dates_valid = "dari" not in self.errors and "sampai" not in self.errors
        if not period and (start or end) and dates_valid:
            period = PERIOD_RANGE  # dates typed without choosing "range"
        if period == PERIOD_RANGE and dates_valid:
            if start is None or end is None:
                self.add_error(
                    "dari" if start is None else "sampai",
                    _("Isi tanggal «dari» dan «sampai» untuk rentang tanggal."),
                )
            elif end < start:
                self.add_error("sampai", _("Tanggal «sampai» tidak boleh sebelum tanggal «dari»."))
            elif (end - start).days + 1 > MAX_RANGE_DAYS:
                self.add_error(
                    "sampai",
                    _("Rentang paling panjang %(days)s hari.") % {"days": MAX_RANGE_DAYS},
                )
        cleaned["periode"] = period
        application, category = cleaned.get("aplikasi"), cleaned.get("kategori")
        if (
            application is not None
            and category is not None
            and category.application_id != application.pk
        ):
            self.add_error("kategori", _("Kategori itu bukan kategori aplikasi yang dipilih."))
        return cleaned

    def _value(self, name: str) -> Any:
        if not self.is_bound or (not self.is_valid() and name in self.errors):
            return None
        return self.cleaned_data.get(name)

    def filters(self) -> ReportFilters:
        """The valid filters; an invalid one falls back to its default (and is shown as
        an error). A period that cannot be used falls back to the last 30 days."""
        period = self._value("periode") or DEFAULT_PERIOD
        start, end = self._value("dari"), self._value("sampai")
        range_refused = period == PERIOD_RANGE and (
            "dari" in self.errors or "sampai" in self.errors or start is None or end is None
        )
        if range_refused:
            period = DEFAULT_PERIOD
        first, last = period_dates(period, self.today, start, end)
        category: Category | None = self._value("kategori")
        return ReportFilters(
            period=period,
            first=first,
            last=last,
            grouping=self._value("per") or default_grouping(first, last),
            lpse=self._value("lpse"),
            application=self._value("aplikasi"),
            category=category,
            category_ids=(
                frozenset(category_subtree_ids(category.pk))
                if category is not None
                else frozenset()
            ),
            tier=self._value("tier"),
            priority=self._value("prioritas") or "",
            reporter_role=self._value("peran") or "",
        )
