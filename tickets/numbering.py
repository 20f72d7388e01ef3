"""Ticket numbers: `<APP>-<YYYYMMDD>-<NNNNN>`, never given twice."""

import datetime
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from tickets.models import TicketSequence


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
    """
    day = timezone.localdate(now or timezone.now(), timezone=ZoneInfo(tz_name))
    with transaction.atomic(durable=True):
        try:
            with transaction.atomic():
                TicketSequence.objects.get_or_create(application_code=application_code, day=day)
        except IntegrityError:
            # A concurrent request created today's row first; it exists now.
            pass
        # The conditional UPDATE takes the row lock, so concurrent callers queue here.
        TicketSequence.objects.filter(application_code=application_code, day=day).update(
            last_value=F("last_value") + 1
        )
        value = (
            TicketSequence.objects.filter(application_code=application_code, day=day)
            .values_list("last_value", flat=True)
            .get()
        )
    return ticket_number_format(application_code=application_code, day=day, value=value)
