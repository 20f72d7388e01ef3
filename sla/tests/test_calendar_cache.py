import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sla import calendars
from sla.calendars import CalendarBook
from sla.models import Holiday

DAY = datetime.date(2031, 3, 4)


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    monkeypatch.setattr(calendars, "_current", None)


@pytest.mark.django_db
def test_pages_reuse_the_calendar_within_the_cache_time(settings, monkeypatch):
    settings.SLA_CALENDAR_CACHE_SECONDS = 60
    clock = [1000.0]
    monkeypatch.setattr(calendars.time, "monotonic", lambda: clock[0])
    first = CalendarBook.current()
    with CaptureQueriesContext(connection) as queries:
        again = CalendarBook.current()
    assert again is first and len(queries) == 0
    # An admin adds a holiday: pages see it once the cache time is over; the sweep's
    # own reading (load) sees it at once.
    Holiday.objects.create(date=DAY, name="Uji", kind="public")
    assert DAY not in CalendarBook.current().national_holidays
    assert DAY in CalendarBook.load().national_holidays
    clock[0] += 61
    assert DAY in CalendarBook.current().national_holidays


@pytest.mark.django_db
def test_without_a_cache_time_every_use_reads_the_database(settings):
    settings.SLA_CALENDAR_CACHE_SECONDS = 0
    first = CalendarBook.current()
    Holiday.objects.create(date=DAY, name="Uji", kind="public")
    second = CalendarBook.current()
    assert second is not first and DAY in second.national_holidays
