"""Default SLA targets, the national working hours, and the holiday calendar."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

import holidays as holidays_library
from django.db import transaction

from sla.calendars import DEFAULT_PERIODS, DEFAULT_TARGETS, calendar_changed
from sla.models import Holiday, HolidayKind, SlaPolicy, WorkingPeriod, WorkSchedule


@dataclass
class SeedResult:
    policies: int = 0
    periods: int = 0
    holidays: int = 0


def _minutes(value: datetime.timedelta) -> int:
    return int(value.total_seconds() // 60)


@transaction.atomic
def sla_seed(*, years: Iterable[int] | None = None) -> SeedResult:
    """Create what is missing; never overwrite what an admin has changed."""
    result = SeedResult()
    for priority, targets in DEFAULT_TARGETS.items():
        _, created = SlaPolicy.objects.get_or_create(
            priority=priority,
            defaults={
                "response_minutes": _minutes(targets.response),
                "resolution_minutes": _minutes(targets.resolution),
                "around_the_clock": targets.around_the_clock,
            },
        )
        result.policies += created
    national, created = WorkSchedule.objects.get_or_create(lpse=None)
    if created:
        WorkingPeriod.objects.bulk_create(
            WorkingPeriod(schedule=national, weekday=weekday, start=start, end=end)
            for weekday, periods in DEFAULT_PERIODS.items()
            for start, end in periods
        )
        result.periods = sum(len(periods) for periods in DEFAULT_PERIODS.values())
    if years is None:
        this_year = datetime.date.today().year
        years = (this_year, this_year + 1)
    result.holidays = holidays_import(years=years)
    if result.policies or result.periods or result.holidays:
        calendar_changed()
    return result


def holidays_import(*, years: Iterable[int]) -> int:
    """Indonesian public holidays and cuti bersama from the `holidays` library.

    Days already in the calendar are left as the admin keeps them. Dates the library
    marks as estimated (Islamic holidays of future years) should be checked against the
    joint ministerial decree (SKB 3 Menteri) when it is published.
    """
    public = holidays_library.country_holidays(
        "ID", years=list(years), language="id", categories=("public",)
    )
    joint = holidays_library.country_holidays(
        "ID", years=list(years), language="id", categories=("government",)
    )
    existing = set(Holiday.objects.filter(lpse__isnull=True).values_list("date", flat=True))
    rows = []
    for calendar, kind in ((public, HolidayKind.PUBLIC), (joint, HolidayKind.JOINT)):
        for day, name in sorted(calendar.items()):
            if day in existing:
                continue
            existing.add(day)
            rows.append(Holiday(date=day, name=name[:200], kind=kind, lpse=None))
    Holiday.objects.bulk_create(rows)
    return len(rows)
