import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lpse_support.cache import FailSoftRedisCache
from reference.models import Lpse
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


@pytest.fixture
def cached_for_a_minute(settings, monkeypatch) -> list[float]:
    """Books kept 60 s per process, on a pinned monotonic clock (never advanced here)."""
    settings.SLA_CALENDAR_CACHE_SECONDS = 60
    clock = [1000.0]
    monkeypatch.setattr(calendars.time, "monotonic", lambda: clock[0])
    return clock


@pytest.mark.django_db
def test_an_admins_holiday_reaches_every_process_through_the_shared_cache(
    client, admin_user, cached_for_a_minute, redis_cache, django_capture_on_commit_callbacks
):
    # Given this process holds its book, with Redis as the shared cache
    assert DAY not in CalendarBook.current().national_holidays
    # When an admin adds a national holiday in the admin site
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/sla/holiday/add/", {"date": DAY.isoformat(), "name": "Uji", "kind": "public"}
        )
    assert response.status_code == 302 and Holiday.objects.filter(date=DAY).exists()
    # Then the new calendar version is in Redis, for every process to see
    assert redis_cache.client().exists(f"lpse-support-test:1:{calendars.VERSION_KEY}") == 1
    # And this process's pages count with the holiday at once, within the cache time
    assert DAY in CalendarBook.current().national_holidays
    with CaptureQueriesContext(connection) as queries:
        CalendarBook.current()
    assert len(queries) == 0


@pytest.mark.django_db
def test_a_change_made_in_another_process_is_read_at_the_next_use(cached_for_a_minute, redis_cache):
    # Given this process holds its book
    first = CalendarBook.current()
    assert CalendarBook.current() is first
    # When another process (its own client of the same Redis) records a change
    other = FailSoftRedisCache(redis_cache.url, {"KEY_PREFIX": "lpse-support-test"})
    Holiday.objects.create(date=DAY, name="Uji", kind="public")
    other.set(calendars.VERSION_KEY, "versi-lain", None)
    # Then this process reads the calendars afresh, within the cache time
    again = CalendarBook.current()
    assert again is not first and DAY in again.national_holidays


@pytest.mark.django_db
def test_while_redis_is_down_the_cache_time_alone_decides(cached_for_a_minute, redis_cache):
    # Given Redis is down
    redis_cache.stop()
    # When pages ask for the calendars
    first = CalendarBook.current()
    # Then they get them, and reuse them within the cache time
    assert CalendarBook.current() is first
    cached_for_a_minute[0] += 61
    assert CalendarBook.current() is not first


@pytest.mark.django_db
def test_lpse_calendar_groups_are_read_once_per_book_and_afresh_after_an_lpse_save(
    client, admin_user, cached_for_a_minute, django_capture_on_commit_callbacks
):
    # Given this process's book has grouped the LPSEs by office calendar
    groups = CalendarBook.current().office_calendar_groups()
    jayapura = Lpse.objects.get(kd_lpse=93)
    assert any(jayapura.pk in ids and cal.tz_name == "Asia/Jayapura" for cal, ids in groups)
    assert sum(len(ids) for _cal, ids in groups) == Lpse.objects.count()
    # Then the next pages group them without a query
    with CaptureQueriesContext(connection) as queries:
        assert CalendarBook.current().office_calendar_groups() is groups
    assert len(queries) == 0
    # When an admin moves that LPSE to another time zone
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/reference/lpse/{jayapura.pk}/change/",
            {
                "kd_lpse": jayapura.kd_lpse,
                "name": jayapura.name,
                "province": jayapura.province,
                "timezone": "Asia/Makassar",
                "is_active": "on",
            },
        )
    assert response.status_code == 302
    # Then this process groups it with its new zone at the next use, within the cache time
    regrouped = CalendarBook.current().office_calendar_groups()
    assert any(jayapura.pk in ids and cal.tz_name == "Asia/Makassar" for cal, ids in regrouped)
