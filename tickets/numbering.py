"""Ticket numbers: `<APP>-<YYYYMMDD>-<NNNNN>`, never given twice."""

import datetime
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from tickets.models import TicketSequence

# One statement takes the next value: it creates the day's row or counts it up, and the
# row lock it takes is held only by this short transaction (issue 19: it replaced a
# get_or_create, an UPDATE and a SELECT, seven round trips in all).
_NEXT_VALUE = (
    f"INSERT INTO {TicketSequence._meta.db_table} (application_code, day, last_value) "  # noqa: S608 (names from the model)
    "VALUES (%s, %s, 1) "
    "ON CONFLICT (application_code, day) DO UPDATE "
    f"SET last_value = {TicketSequence._meta.db_table}.last_value + 1 "
    "RETURNING last_value"
)


def ticket_number_format(*, application_code: str, day: datetime.date, value: int) -> str:
    return f"{application_code}-{day:%Y%m%d}-{value:05d}"


def ticket_number_allocate(
    *, application_code: str, tz_name: str, now: datetime.datetime | None = None
) -> str:
    """Take the next number of the application's daily sequence in the LPSE's time zone,
    for the day of `now` (default: the current time) there.

    Runs in its own short transaction so that the sequence row is locked only for the
    increment, not while attachments are written; a ticket that then fails leaves a gap,
    which the numbering allows, and the number is never given again.

    On PostgreSQL this transaction commits without waiting for its flush to disk
    (`synchronous_commit` off for it alone): a ticket that uses the number commits later
    with a flush, and the write-ahead log is flushed in order, so every number a saved
    ticket carries is durable with it. A crash can lose only increments no saved ticket
    used, which nobody has seen.
    """
    day = timezone.localdate(now or timezone.now(), timezone=ZoneInfo(tz_name))
    with transaction.atomic(durable=True), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute(_NEXT_VALUE, [application_code, day])
        (value,) = cursor.fetchone()
    return ticket_number_format(application_code=application_code, day=day, value=value)
