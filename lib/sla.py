"""SLA clocks: working time in a local calendar, with pauses (no Django).

Everything here is a pure function of its arguments. A clock starts at `start`, counts
only the calendar's working time (its working periods per weekday in its time zone,
minus holidays) or every minute when the calendar runs around the clock, and does not
count while a pause is open. `moments` answers "when will this much working time have
been counted", `worked` answers "how much has been counted until then".
"""

import bisect
import datetime
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

# No calendar in this country has a year without working days; a calendar that never
# works (misconfigured by hand) must fail loudly instead of looping forever.
MAX_SEARCH_DAYS = 3 * 366

WORKING_DAY = datetime.timedelta(hours=8)

Period = tuple[datetime.time, datetime.time]
Pause = tuple[datetime.datetime, datetime.datetime | None]


class CalendarNeverWorks(ValueError):
    """The calendar has no working time in the searched horizon."""


@dataclass(frozen=True)
class Calendar:
    """Working periods per weekday (0 = Monday) in `tz_name`, minus `holidays`."""

    tz_name: str
    periods: Mapping[int, tuple[Period, ...]] = field(default_factory=dict)
    holidays: frozenset[datetime.date] = frozenset()
    around_the_clock: bool = False

    @classmethod
    def office_hours(
        cls,
        tz_name: str,
        *,
        holidays: Iterable[datetime.date] = (),
        start: datetime.time = datetime.time(8),
        end: datetime.time = datetime.time(16),
        weekdays: Iterable[int] = range(5),
    ) -> "Calendar":
        """The same hours on the given weekdays (default Monday–Friday 08:00–16:00)."""
        return cls(
            tz_name=tz_name,
            periods={day: ((start, end),) for day in weekdays},
            holidays=frozenset(holidays),
        )

    @classmethod
    def continuous(cls, tz_name: str = "UTC") -> "Calendar":
        """Every minute counts: weekends and holidays included."""
        return cls(tz_name=tz_name, around_the_clock=True)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz_name)

    @property
    def identity(self) -> tuple[object, ...]:
        """What makes two calendars count the same time (hashable, unlike `periods`)."""
        periods = tuple(sorted((day, tuple(sorted(p))) for day, p in self.periods.items()))
        return (self.tz_name, self.around_the_clock, periods, self.holidays)

    def is_working_day(self, day: datetime.date) -> bool:
        if self.around_the_clock:
            return True
        return day not in self.holidays and bool(self.periods.get(day.weekday()))


def working_intervals(
    calendar: Calendar, start: datetime.datetime
) -> Iterator[tuple[datetime.datetime, datetime.datetime]]:
    """Working intervals from `start` onwards, in order, clipped to begin at `start`."""
    if calendar.around_the_clock:
        yield start, datetime.datetime.max.replace(tzinfo=datetime.UTC)
        return
    zone = ZoneInfo(calendar.tz_name)
    day = start.astimezone(zone).date()
    idle_days = 0
    while idle_days <= MAX_SEARCH_DAYS:
        # Sorted: an admin may list a day's periods in any order.
        periods = (
            () if day in calendar.holidays else sorted(calendar.periods.get(day.weekday(), ()))
        )
        produced = False
        for begin_time, end_time in periods:
            begin = datetime.datetime.combine(day, begin_time, zone)
            end = datetime.datetime.combine(day, end_time, zone)
            # Overlapping periods (08–12 and 11–16) count their common time once.
            if end <= start:
                continue
            produced = True
            yield max(begin, start), end
            start = end
        idle_days = 0 if produced else idle_days + 1
        day += datetime.timedelta(days=1)
    raise CalendarNeverWorks(calendar.tz_name)


def _normalised(pauses: Iterable[Pause]) -> list[Pause]:
    """Pauses sorted and merged; an open pause (end None) swallows everything after it."""
    merged: list[Pause] = []
    for begin, end in sorted(pauses, key=lambda pause: pause[0]):
        if end is not None and end <= begin:
            continue
        if merged:
            last_begin, last_end = merged[-1]
            if last_end is None:
                break
            if begin <= last_end:
                merged[-1] = (last_begin, None if end is None else max(last_end, end))
                continue
        merged.append((begin, end))
    return merged


def counted_intervals(
    calendar: Calendar, start: datetime.datetime, pauses: Iterable[Pause] = ()
) -> Iterator[tuple[datetime.datetime, datetime.datetime]]:
    """The intervals in which the clock runs: working time from `start` outside pauses."""
    pending = _normalised(pauses)
    index = 0
    for begin, end in working_intervals(calendar, start):
        while begin < end:
            while index < len(pending) and (
                (pause_end := pending[index][1]) is not None and pause_end <= begin
            ):
                index += 1
            if index == len(pending):
                yield begin, end
                break
            pause_begin, pause_end = pending[index]
            if pause_begin >= end:
                yield begin, end
                break
            if pause_begin > begin:
                yield begin, pause_begin
            if pause_end is None:
                return
            begin = pause_end


def moments(
    *,
    start: datetime.datetime,
    amounts: Sequence[datetime.timedelta],
    calendar: Calendar,
    pauses: Iterable[Pause] = (),
) -> list[datetime.datetime | None]:
    """For each amount of working time (ascending), the moment it has been counted.

    None when an open pause stops the clock before that amount is reached.
    """
    results: list[datetime.datetime | None] = [None] * len(amounts)
    order = sorted(range(len(amounts)), key=lambda i: amounts[i])
    counted = datetime.timedelta()
    position = 0
    for begin, end in counted_intervals(calendar, start, pauses):
        span = end - begin
        while position < len(order) and amounts[order[position]] <= counted + span:
            results[order[position]] = begin + (amounts[order[position]] - counted)
            position += 1
        if position == len(order):
            break
        counted += span
    return results


def due_at(
    *,
    start: datetime.datetime,
    target: datetime.timedelta,
    calendar: Calendar,
    pauses: Iterable[Pause] = (),
) -> datetime.datetime | None:
    """When `target` working time will have run; None while an open pause stops it."""
    return moments(start=start, amounts=[target], calendar=calendar, pauses=pauses)[0]


def worked(
    *,
    start: datetime.datetime,
    until: datetime.datetime,
    calendar: Calendar,
    pauses: Iterable[Pause] = (),
) -> datetime.timedelta:
    """Working time counted between `start` and `until` (zero when until ≤ start).

    The calendar's working time between the two, less its working time inside each
    pause (merged first, so none is taken twice): a few steps however far apart they
    are (`_working_between`), where walking the days took one step per day — a
    ticket open for a year was 365 steps per clock on every page that shows it.
    """
    total = datetime.timedelta()
    if until <= start:
        return total
    if calendar.around_the_clock:
        for begin, end in counted_intervals(calendar, start, pauses):
            if begin >= until:
                break
            total += min(end, until) - begin
            if end >= until:
                break
        return total
    total = _working_between(calendar, start, until)
    for pause_begin, pause_end in _normalised(pauses):
        begin = max(pause_begin, start)
        end = until if pause_end is None else min(pause_end, until)
        if begin < end:
            total -= _working_between(calendar, begin, end)
    return total


def _day_periods(calendar: Calendar) -> dict[int, list[Period]]:
    """Each weekday's periods, sorted and overlaps joined (as `working_intervals` counts
    them), read once per calendar."""
    held: dict[int, list[Period]] | None = calendar.__dict__.get("_day_periods")
    if held is None:
        held = {day: _merged_periods(periods) for day, periods in calendar.periods.items()}
        # A frozen dataclass: kept beside its fields, as functools.cached_property would.
        calendar.__dict__["_day_periods"] = held
    return held


def _period_length(period: Period) -> datetime.timedelta:
    day = datetime.date(2000, 1, 1)
    return datetime.datetime.combine(day, period[1]) - datetime.datetime.combine(day, period[0])


def _week(calendar: Calendar) -> tuple[list[datetime.timedelta], list[datetime.date]]:
    """Working time per weekday, and the holidays that fall on a working weekday, sorted
    (read once per calendar)."""
    held = calendar.__dict__.get("_week")
    if held is None:
        days = _day_periods(calendar)
        per_weekday = [
            sum((_period_length(p) for p in days.get(weekday, ())), datetime.timedelta())
            for weekday in range(7)
        ]
        holidays = sorted(day for day in calendar.holidays if per_weekday[day.weekday()])
        held = (per_weekday, holidays)
        calendar.__dict__["_week"] = held
    return held


def _within_day(
    calendar: Calendar,
    day: datetime.date,
    zone: ZoneInfo,
    begin: datetime.datetime | None,
    end: datetime.datetime | None,
) -> datetime.timedelta:
    """Working time of one day between `begin` and `end` (None: the day's start/end)."""
    total = datetime.timedelta()
    if day in calendar.holidays:
        return total
    for period_begin, period_end in _day_periods(calendar).get(day.weekday(), ()):
        low = datetime.datetime.combine(day, period_begin, zone)
        high = datetime.datetime.combine(day, period_end, zone)
        if begin is not None and begin > low:
            low = begin
        if end is not None and end < high:
            high = end
        if low < high:
            total += high - low
    return total


def _working_between(
    calendar: Calendar, begin: datetime.datetime, end: datetime.datetime
) -> datetime.timedelta:
    """The calendar's working time between two moments (begin < end): the first and the
    last local day in part, the whole days between by whole weeks, less holidays."""
    per_weekday, holidays = _week(calendar)
    if not any(per_weekday):
        raise CalendarNeverWorks(calendar.tz_name)
    zone = ZoneInfo(calendar.tz_name)
    first = begin.astimezone(zone).date()
    last = end.astimezone(zone).date()
    if first == last:
        return _within_day(calendar, first, zone, begin, end)
    total = _within_day(calendar, first, zone, begin, None)
    total += _within_day(calendar, last, zone, None, end)
    # The whole days first+1 .. last-1.
    whole = (last - first).days - 1
    if whole > 0:
        weeks, extra = divmod(whole, 7)
        total += sum(per_weekday, datetime.timedelta()) * weeks
        weekday = (first.weekday() + 1) % 7
        for offset in range(extra):
            total += per_weekday[(weekday + offset) % 7]
        low = bisect.bisect_right(holidays, first)
        high = bisect.bisect_left(holidays, last)
        for holiday in holidays[low:high]:
            total -= per_weekday[holiday.weekday()]
    return total


def add_working_days(start: datetime.datetime, days: int, calendar: Calendar) -> datetime.datetime:
    """The moment `days` working days after `start`, at the same local time of day.

    A working day is a day with working periods that is not a holiday. A start on a
    day off counts from the next working day at 00:00 local time.
    """
    zone = ZoneInfo(calendar.tz_name)
    local = start.astimezone(zone)
    day = local.date()
    time_of_day = local.time()
    searched = 0
    while not calendar.is_working_day(day):
        day += datetime.timedelta(days=1)
        time_of_day = datetime.time()
        searched += 1
        if searched > MAX_SEARCH_DAYS:
            raise CalendarNeverWorks(calendar.tz_name)
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        searched += 1
        if searched > MAX_SEARCH_DAYS + days:
            raise CalendarNeverWorks(calendar.tz_name)
        if calendar.is_working_day(day):
            remaining -= 1
    return datetime.datetime.combine(day, time_of_day, zone)


def _merged_periods(periods: Iterable[Period]) -> list[Period]:
    """A day's periods sorted, overlapping ones joined (they count their common time once)."""
    merged: list[Period] = []
    for begin, end in sorted(periods):
        if end <= begin:
            continue
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


def working_time_before(
    end: datetime.datetime, amount: datetime.timedelta, calendar: Calendar
) -> datetime.datetime:
    """The latest moment from which `amount` of working time has run by `end` (no pauses).

    The inverse of `worked`: `worked(start=result, until=end) == amount`, and any later
    start counts less. So `worked(start=t, until=end) >= amount` exactly when
    `t <= result` — what an age filter compares `created_at` with.
    """
    if amount <= datetime.timedelta():
        return end
    if calendar.around_the_clock:
        return end - amount
    zone = ZoneInfo(calendar.tz_name)
    day = end.astimezone(zone).date()
    left = amount
    idle_days = 0
    while idle_days <= MAX_SEARCH_DAYS:
        periods = (
            []
            if day in calendar.holidays
            else _merged_periods(calendar.periods.get(day.weekday(), ()))
        )
        produced = False
        for begin_time, end_time in reversed(periods):
            begin = datetime.datetime.combine(day, begin_time, zone)
            stop = min(datetime.datetime.combine(day, end_time, zone), end)
            if stop <= begin:
                continue
            produced = True
            if stop - begin >= left:
                return stop - left
            left -= stop - begin
        idle_days = 0 if produced else idle_days + 1
        day -= datetime.timedelta(days=1)
    raise CalendarNeverWorks(calendar.tz_name)
