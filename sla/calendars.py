"""The working calendars and SLA targets read from the database, once per use.

A `CalendarBook` holds every schedule, holiday and policy (three small queries) and
hands out `lib.sla.Calendar` objects per LPSE, so that pages and the sweep compute any
number of tickets without further queries.

Each process keeps its book for SLA_CALENDAR_CACHE_SECONDS, together with the calendar
version it read from the cache. A change of working hours, holidays or targets, or
of an LPSE (`calendar_changed`), writes a new version: with the shared cache (Redis)
every process reads its book afresh at its next use; with the per-process memory cache,
this process does and the others within the cache time, as before. While Redis is down the version
reads as missing, and the cache time alone decides.
"""

import datetime
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from lib.sla import Calendar, Period
from reference.models import Lpse, Priority
from sla.models import Holiday, SlaPolicy, WorkingPeriod

# DESIGN §5 defaults, used until an admin has saved other values.
DEFAULT_PERIODS: dict[int, tuple[Period, ...]] = {
    weekday: ((datetime.time(8), datetime.time(16)),) for weekday in range(5)
}


@dataclass(frozen=True)
class Targets:
    response: datetime.timedelta
    resolution: datetime.timedelta
    around_the_clock: bool


def _hours(value: float) -> datetime.timedelta:
    return datetime.timedelta(hours=value)


# Emergency 1 h / 4 h around the clock; Major 4 working hours / 1 working day;
# Medium 1 / 3 working days; Minor 2 / 5 working days (1 working day = 8 working hours).
DEFAULT_TARGETS: dict[str, Targets] = {
    Priority.EMERGENCY: Targets(_hours(1), _hours(4), around_the_clock=True),
    Priority.MAJOR: Targets(_hours(4), _hours(8), around_the_clock=False),
    Priority.MEDIUM: Targets(_hours(8), _hours(24), around_the_clock=False),
    Priority.MINOR: Targets(_hours(16), _hours(40), around_the_clock=False),
}


VERSION_KEY = "sla:calendar-version"

# This process's book: when it was read, the calendar version it was read under, the book.
_current: "tuple[float, str | None, CalendarBook] | None" = None


def calendar_changed() -> None:
    """Working hours, holidays or targets changed: every process reads them afresh once
    the change is committed."""
    transaction.on_commit(lambda: cache.set(VERSION_KEY, uuid.uuid4().hex, None))


@dataclass
class CalendarBook:
    """Schedules, holidays and targets as they are now in the database."""

    national_periods: dict[int, tuple[Period, ...]]
    lpse_periods: dict[int, dict[int, tuple[Period, ...]]]
    national_holidays: frozenset[datetime.date]
    lpse_holidays: dict[int, frozenset[datetime.date]]
    targets: dict[str, Targets]
    _cache: dict[tuple[int, str, bool], Calendar] = field(default_factory=dict)
    _office_groups: list[tuple[Calendar, tuple[int, ...]]] | None = None

    @classmethod
    def current(cls) -> "CalendarBook":
        """The book for pages and ticket actions: read at most every
        SLA_CALENDAR_CACHE_SECONDS per process (three queries saved on every page), and
        afresh once the calendar version changed (`calendar_changed`)."""
        global _current
        ttl = settings.SLA_CALENDAR_CACHE_SECONDS
        if ttl <= 0:
            return cls.load()
        now = time.monotonic()
        # Read before the book, so that a change committed while loading is seen next time.
        version = cache.get(VERSION_KEY)
        held = _current
        if held is not None and now - held[0] < ttl and held[1] == version:
            return held[2]
        book = cls.load()
        _current = (now, version, book)
        return book

    @classmethod
    def load(cls) -> "CalendarBook":
        national: dict[int, list[Period]] = defaultdict(list)
        per_lpse: dict[int, dict[int, list[Period]]] = defaultdict(lambda: defaultdict(list))
        for lpse_id, weekday, start, end in WorkingPeriod.objects.values_list(
            "schedule__lpse_id", "weekday", "start", "end"
        ).order_by("schedule_id", "weekday", "start"):
            target = national if lpse_id is None else per_lpse[lpse_id]
            target[weekday].append((start, end))
        holidays: set[datetime.date] = set()
        local: dict[int, set[datetime.date]] = defaultdict(set)
        for day, lpse_id in Holiday.objects.values_list("date", "lpse_id"):
            (holidays if lpse_id is None else local[lpse_id]).add(day)
        targets = dict(DEFAULT_TARGETS)
        for policy in SlaPolicy.objects.all():
            targets[policy.priority] = Targets(
                policy.response_target, policy.resolution_target, policy.around_the_clock
            )
        return cls(
            # An admin who deleted every national period gets DESIGN's default back,
            # rather than clocks that never run.
            national_periods={d: tuple(p) for d, p in national.items()} or DEFAULT_PERIODS,
            lpse_periods={
                lpse_id: {d: tuple(p) for d, p in days.items()}
                for lpse_id, days in per_lpse.items()
            },
            national_holidays=frozenset(holidays),
            lpse_holidays={lpse_id: frozenset(days) for lpse_id, days in local.items()},
            targets=targets,
        )

    def calendar(self, *, lpse_id: int, tz_name: str, around_the_clock: bool) -> Calendar:
        """The calendar a ticket of this LPSE is counted in."""
        key = (lpse_id, tz_name, around_the_clock)
        cached = self._cache.get(key)
        if cached is None:
            if around_the_clock:
                cached = Calendar.continuous(tz_name)
            else:
                cached = Calendar(
                    tz_name=tz_name,
                    periods=self.lpse_periods.get(lpse_id) or self.national_periods,
                    holidays=self.national_holidays | self.lpse_holidays.get(lpse_id, frozenset()),
                )
            self._cache[key] = cached
        return cached

    def national(self, tz_name: str) -> Calendar:
        """The national working calendar (national hours and holidays, no LPSE's own) in
        `tz_name`: what national dates such as the monthly report's are counted in."""
        return Calendar(
            tz_name=tz_name, periods=self.national_periods, holidays=self.national_holidays
        )

    def office_calendar_groups(self) -> list[tuple[Calendar, tuple[int, ...]]]:
        """Every LPSE's office calendar (its hours and holidays, never around the clock),
        the LPSEs whose calendars are identical together (a handful of groups for 600
        LPSEs). One query, once per book: the process keeps its book (`current`) until
        the cache time ends or a calendar or an LPSE changes (`calendar_changed`)."""
        if self._office_groups is None:
            groups: dict[tuple[object, ...], tuple[Calendar, list[int]]] = {}
            for lpse_id, tz_name in Lpse.objects.order_by("pk").values_list("id", "timezone"):
                calendar = self.calendar(lpse_id=lpse_id, tz_name=tz_name, around_the_clock=False)
                groups.setdefault(calendar.identity, (calendar, []))[1].append(lpse_id)
            self._office_groups = [(calendar, tuple(ids)) for calendar, ids in groups.values()]
        return self._office_groups

    def targets_for(self, priority: str) -> Targets:
        return self.targets.get(priority, DEFAULT_TARGETS[Priority.MEDIUM])


def warn_fraction() -> float:
    """The share of a target left when the holder is warned (default 20 %)."""
    return settings.SLA_WARN_PERCENT / 100
