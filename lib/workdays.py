"""Working days (Monday–Friday) in a local time zone (no Django).

Until the SLA calendar with holidays exists, auto-closing counts Monday–Friday only.
"""

import datetime
from zoneinfo import ZoneInfo


def add_working_days(start: datetime.datetime, days: int, tz_name: str) -> datetime.datetime:
    """The moment `days` working days after `start`, at the same local time of day.

    A start on a weekend counts from the following Monday at 00:00 local time.
    """
    zone = ZoneInfo(tz_name)
    local = start.astimezone(zone)
    if local.weekday() >= 5:
        local = datetime.datetime.combine(
            local.date() + datetime.timedelta(days=7 - local.weekday()), datetime.time(), zone
        )
    day = local.date()
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            remaining -= 1
    return datetime.datetime.combine(day, local.timetz().replace(tzinfo=None), zone)
