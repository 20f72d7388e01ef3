"""The monthly report e-mail (issue 17): each supervisor's summary of last month.

On the first working day of a month (national calendar in WIB: weekends and the
national holidays the SLA counts with), every report reader (`tickets.access.
may_read_reports`: an active supervisor whose scope is in force; an admin only through
such an assignment) with an address, who has not turned it off in *Pengaturan email*,
gets one mail about the previous calendar month in their scope: created, resolved,
closed, the backlog at the month's end, the SLA met shares, the ratings and the top
categories, all from the report queries over `report_facts(user, …)` (the numbers the
report pages show), and a link to the full report for that month.

Once per person and month: a `MonthlyReportMail` row is written in the transaction of
the outbox row, under a unique (user, month) constraint. The job runs with the other
periodic jobs; on a later day of the month (after downtime) it sends what is missing.
By 00:00 WIB every LPSE's last day of the month is over (WITA and WIT are ahead).
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from accounts.models import StaffAssignment, StaffRole, User
from lib.numformat import format_number, format_percent
from lib.sla import Calendar
from notifications.models import MailOptOut, NotificationKind, OutgoingMail
from notifications.services import mail_queue
from reference.models import Lpse
from reports.filters import GROUP_DAY, PERIOD_RANGE, ReportFilters
from reports.models import MonthlyReportMail
from reports.queries import (
    TopCategory,
    report_facts,
    satisfaction_report,
    sla_report,
    top_report,
    volume_report,
)
from sla.calendars import CalendarBook
from tickets.access import may_read_reports, staff_scope

# The national calendar's zone: the first working day is a national date.
MONTHLY_TZ = "Asia/Jakarta"
TOP_CATEGORIES = 3


class MonthNotOver(ValueError):
    """A month can be reported on only once it has ended."""


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def previous_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def national_calendar() -> Calendar:
    """The national working calendar in WIB, read afresh (an admin's new holiday counts)."""
    return CalendarBook.load().national(MONTHLY_TZ)


def first_working_day(month: datetime.date, calendar: Calendar) -> datetime.date:
    """The month's first working day in `calendar`; its first day if it has none (a
    calendar emptied by mistake must not silence the reports)."""
    day = month.replace(day=1)
    end = next_month(day)
    while day < end:
        if calendar.is_working_day(day):
            return day
        day += datetime.timedelta(days=1)
    return month.replace(day=1)


def due_month(today: datetime.date, calendar: Calendar) -> datetime.date | None:
    """The month whose report is due on `today` (a WIB date): the previous one, from
    this month's first working day on; None before it."""
    this_month = today.replace(day=1)
    if today < first_working_day(this_month, calendar):
        return None
    return previous_month(this_month)


def month_filters(month: datetime.date) -> ReportFilters:
    """The whole calendar month, per day (the page's default grouping for a month)."""
    first = month.replace(day=1)
    last = next_month(first) - datetime.timedelta(days=1)
    return ReportFilters(PERIOD_RANGE, first, last, GROUP_DAY)


def report_link(filters: ReportFilters) -> str:
    """The absolute address of the volume report with these filters."""
    path = reverse("reports:report", kwargs={"slug": "volume"})
    return f"{settings.SITE_URL.rstrip('/')}{path}?{urlencode(filters.query_params())}"


def scope_label(user: User) -> str:
    """What a reader's reports cover, in words: "Nasional", or their LPSEs and
    application groups in force (a deactivated LPSE or an empty group gives nothing)."""
    scope = staff_scope(user)
    if scope.supervisor_national:
        return _("Nasional")
    names = list(
        Lpse.objects.filter(pk__in=sorted(scope.supervisor_lpse_ids))
        .order_by("name")
        .values_list("name", flat=True)
    )
    groups = (
        StaffAssignment.objects.filter(
            user=user,
            role=StaffRole.SUPERVISOR,
            application_group__applications__in=sorted(scope.supervisor_application_ids),
        )
        .values_list("application_group__name", flat=True)
        .order_by("application_group__name")
        .distinct()
    )
    names += [_("Grup aplikasi %(name)s") % {"name": name} for name in groups]
    return ", ".join(names)


@dataclass(frozen=True)
class MonthlySummary:
    """One reader's month, as the report queries count it (plain numbers)."""

    scope: str
    month: datetime.date
    created: int
    resolved: int
    closed: int
    backlog_end: int  # open at the end of the month's last day
    response_met_share: float | None  # 0–1
    resolution_met_share: float | None
    average_rating: float | None
    rated_share: float | None  # of the closed tickets that could be rated
    top_categories: tuple[TopCategory, ...]
    link: str


def monthly_summary(user: User, month: datetime.date) -> MonthlySummary:
    """The month in the reader's scope (the report queries, about twenty statements)."""
    filters = month_filters(month)
    facts = report_facts(user, filters)
    volume = volume_report(facts, filters)
    sla = sla_report(facts, filters)
    satisfaction = satisfaction_report(facts, filters)
    top = top_report(facts, filters, limit=TOP_CATEGORIES)
    return MonthlySummary(
        scope=scope_label(user),
        month=filters.first,
        created=volume.created,
        resolved=volume.resolved,
        closed=volume.closed,
        backlog_end=volume.rows[-1].backlog if volume.rows else volume.backlog_before,
        response_met_share=sla.total.response.met_share,
        resolution_met_share=sla.total.resolution.met_share,
        average_rating=satisfaction.average,
        rated_share=satisfaction.rated_share,
        top_categories=top.categories,
        link=report_link(filters),
    )


def _share(value: float | None) -> str:
    return format_percent(None if value is None else value * 100)


def summary_lines(summary: MonthlySummary) -> list[tuple[str, str]]:
    """The label and value lines of the mail (formatted the Indonesian way)."""
    return [
        (_("Tiket dibuat"), format_number(summary.created)),
        (_("Tiket diselesaikan"), format_number(summary.resolved)),
        (_("Tiket ditutup"), format_number(summary.closed)),
        (_("Tiket terbuka di akhir bulan"), format_number(summary.backlog_end)),
        (_("SLA respons pertama terpenuhi"), _share(summary.response_met_share)),
        (_("SLA penyelesaian terpenuhi"), _share(summary.resolution_met_share)),
        (_("Rata-rata penilaian (1–5)"), format_number(summary.average_rating, 2)),
        (_("Tiket ditutup yang dinilai"), _share(summary.rated_share)),
    ]


def monthly_mail_bodies(summary: MonthlySummary) -> tuple[str, str, str]:
    """Subject, text and HTML of the mail: numbers, category paths and the scope's name,
    never a reporter's data or a ticket's text."""
    month_name = date_format(summary.month, "F Y")
    title = _("Laporan bulanan %(month)s — %(scope)s") % {
        "month": month_name,
        "scope": summary.scope,
    }
    context = {
        "title": title,
        "summary": summary,
        "month_name": month_name,
        "lines": summary_lines(summary),
        "top": [
            (category.path, format_number(category.count), _share(category.share))
            for category in summary.top_categories
        ],
        "site_url": settings.SITE_URL,
    }
    return (
        title,
        render_to_string("reports/email/monthly.txt", context),
        render_to_string("reports/email/monthly.html", context),
    )


def monthly_recipients(month: datetime.date) -> list[User]:
    """Report readers with an address who want the mail and have none for `month` yet."""
    candidates = (
        User.objects.filter(is_active=True, assignments__role=StaffRole.SUPERVISOR)
        .exclude(email="")
        .exclude(
            pk__in=MailOptOut.objects.filter(kind=NotificationKind.MONTHLY_REPORT).values("user_id")
        )
        .exclude(pk__in=MonthlyReportMail.objects.filter(month=month).values("user_id"))
        .distinct()
        .order_by("pk")
    )
    return [user for user in candidates if may_read_reports(user)]


def monthly_report_mail(
    *, user: User, summary: MonthlySummary, now: datetime.datetime | None = None
) -> OutgoingMail | None:
    """Write the mail to the outbox with its once-per-month record (one transaction);
    None when this person's mail for the month was written already."""
    subject, body_text, body_html = monthly_mail_bodies(summary)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            mail = mail_queue(
                user=user,
                kind=NotificationKind.MONTHLY_REPORT,
                subject=subject,
                body_text=body_text,
                body_html=body_html,
                now=now,
            )
            MonthlyReportMail.objects.create(
                user=user, month=summary.month, mail=mail, created_at=now
            )
    except IntegrityError:
        # Another run wrote it first (the unique record); its mail stands.
        return None
    return mail


@dataclass(frozen=True)
class MonthlyRun:
    month: datetime.date | None  # None: not due yet
    summaries: tuple[tuple[User, MonthlySummary], ...] = ()
    sent: int = 0


def monthly_reports_send(
    *,
    month: datetime.date | None = None,
    today: datetime.date | None = None,
    dry_run: bool = False,
) -> MonthlyRun:
    """Mail last month's report to each reader who has not had it (the periodic job).

    Without `month`, the report is due from the first working day of `today`'s month
    (default: today in WIB) and is about the month before; with it (by hand), that
    month, which must be over. `dry_run` computes the summaries and writes nothing.
    """
    today = today or timezone.localdate(timezone=ZoneInfo(MONTHLY_TZ))
    if month is None:
        month = due_month(today, national_calendar())
        if month is None:
            return MonthlyRun(month=None)
    month = month.replace(day=1)
    if next_month(month) > today:
        raise MonthNotOver(month)
    summaries = []
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for user in monthly_recipients(month):
            summary = monthly_summary(user, month)
            summaries.append((user, summary))
            if not dry_run and monthly_report_mail(user=user, summary=summary) is not None:
                sent += 1
    return MonthlyRun(month=month, summaries=tuple(summaries), sent=sent)
