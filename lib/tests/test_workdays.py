"""add_working_days: Monday–Friday counted in the LPSE's own time zone."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from lib.workdays import add_working_days

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
WIT = ZoneInfo("Asia/Jayapura")
UTC = datetime.UTC

# Week of 6 January 2025: Monday 6 … Friday 10, Saturday 11, Sunday 12, Monday 13.


def at(
    zone: datetime.tzinfo, day: int, hour: int, minute: int = 0, month: int = 1
) -> datetime.datetime:
    year = 2024 if month == 12 else 2025
    return datetime.datetime(year, month, day, hour, minute, tzinfo=zone)


# (case, start, working days, time zone name, expected moment)
CASES = [
    ("monday plus three is thursday", at(WIB, 6, 9), 3, "Asia/Jakarta", at(WIB, 9, 9)),
    ("wednesday plus three skips the weekend", at(WIB, 8, 10), 3, "Asia/Jakarta", at(WIB, 13, 10)),
    ("friday afternoon plus three is wednesday", at(WIB, 10, 15), 3, "Asia/Jakarta",
     at(WIB, 15, 15)),
    ("friday plus one is monday", at(WIB, 10, 15), 1, "Asia/Jakarta", at(WIB, 13, 15)),
    ("friday just before midnight keeps its time", at(WIB, 10, 23, 59), 3, "Asia/Jakarta",
     at(WIB, 15, 23, 59)),
    ("saturday counts from monday midnight", at(WIB, 11, 10), 3, "Asia/Jakarta", at(WIB, 16, 0)),
    ("sunday night counts from monday midnight", at(WIB, 12, 23, 59), 1, "Asia/Jakarta",
     at(WIB, 14, 0)),
    ("zero days on a weekday is the same moment", at(WIB, 7, 8), 0, "Asia/Jakarta",
     at(WIB, 7, 8)),
    ("zero days on a weekend is monday midnight", at(WIB, 11, 8), 0, "Asia/Jakarta",
     at(WIB, 13, 0)),
    ("across the year end", at(WIB, 27, 11, month=12), 3, "Asia/Jakarta", at(WIB, 1, 11)),
    # Friday 16:30 UTC is still Friday 23:30 in WIB, but already Saturday in WITA and WIT.
    ("utc start counted in WIB", at(UTC, 10, 16, 30), 3, "Asia/Jakarta", at(WIB, 15, 23, 30)),
    ("utc start counted in WITA", at(UTC, 10, 16, 30), 3, "Asia/Makassar", at(WITA, 16, 0)),
    ("utc start counted in WIT", at(UTC, 10, 16, 30), 3, "Asia/Jayapura", at(WIT, 16, 0)),
    # Monday 06:00 WIT is still Sunday 21:00 UTC: the weekday is the LPSE's, not UTC's.
    ("early monday in WIT is a working day", at(WIT, 13, 6), 1, "Asia/Jayapura", at(WIT, 14, 6)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("start", "days", "tz_name", "expected"),
    [pytest.param(start, days, tz, expected, id=case) for case, start, days, tz, expected in CASES],
)
def test_add_working_days(
    start: datetime.datetime, days: int, tz_name: str, expected: datetime.datetime
) -> None:
    # Given a start moment, when N working days are added in the LPSE's time zone
    result = add_working_days(start, days, tz_name)
    # Then the moment is the expected one, expressed in that time zone
    assert result == expected
    assert result.utcoffset() == expected.astimezone(ZoneInfo(tz_name)).utcoffset()


@pytest.mark.parametrize("tz_name", ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"])
def test_the_result_is_a_working_day_at_least_n_calendar_days_later(tz_name: str) -> None:
    # Given every hour of a whole week as start, for one to five working days
    zone = ZoneInfo(tz_name)
    for hour in range(7 * 24):
        start = at(zone, 6, 0) + datetime.timedelta(hours=hour)
        for days in range(1, 6):
            # When the due moment is computed
            due = add_working_days(start, days, tz_name)
            # Then it falls on a working day, and at least N calendar days later (the
            # auto-close query prefilters on that) but never more than a weekend further
            assert due.astimezone(zone).weekday() < 5
            assert start + datetime.timedelta(days=days) <= due
            assert due <= start + datetime.timedelta(days=days + 4)
