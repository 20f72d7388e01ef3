"""SLA test fixtures: a frozen clock in the week of Monday 30 November 2026, and people.

That week (Mon 30 Nov – Fri 4 Dec 2026) and the next (Mon 7 – Fri 11 Dec) have no
holiday; the national working hours are 08:00–16:00 local time on weekdays.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import User
from accounts.services import staff_member_upsert
from reference.models import Lpse

WIB = ZoneInfo("Asia/Jakarta")
WIT = ZoneInfo("Asia/Jayapura")

MON, TUE, WED, THU, FRI = (
    datetime.date(2026, 11, 30) + datetime.timedelta(days=n) for n in range(5)
)
NEXT_MON, NEXT_TUE, NEXT_WED, NEXT_THU, NEXT_FRI = (
    datetime.date(2026, 12, 7) + datetime.timedelta(days=n) for n in range(5)
)


def wib(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), WIB)


def wit(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), WIT)


class Clock:
    """What `timezone.now()` answers while the test runs."""

    def __init__(self) -> None:
        self.now = wib(MON, 9)

    def set(self, moment: datetime.datetime) -> None:
        self.now = moment


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    frozen = Clock()
    monkeypatch.setattr(timezone, "now", lambda: frozen.now.astimezone(datetime.UTC))
    return frozen


def _supervisor(username: str, kd_lpse: int) -> User:
    return staff_member_upsert(
        username=username,
        full_name=username.replace("_", " ").title(),
        email=f"{username}@lkpp.example",
        assignments=[("supervisor", kd_lpse, None, "")],
    )


@pytest.fixture
def supervisor_119(reference: None) -> User:
    """A supervisor whose scope is LPSE 119 (alice's) only."""
    return _supervisor("supervisor_119", 119)


@pytest.fixture
def supervisor_10(reference: None) -> User:
    """A supervisor whose scope is LPSE 10 (carol's) only."""
    return _supervisor("supervisor_10", 10)


@pytest.fixture
def lpse_93(reference: None) -> Lpse:
    """LPSE Kota Jayapura, in WIT (UTC+9)."""
    return Lpse.objects.get(kd_lpse=93)
