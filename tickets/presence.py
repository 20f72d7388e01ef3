"""Who else has a ticket open in the console right now (collision warning)."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from tickets.models import PresenceState, Ticket, TicketPresence

# A page reports every 5 s; somebody not heard of for this long has left.
PRESENT_FOR = datetime.timedelta(seconds=20)
# Rows older than this are removed when the ticket's presence is next reported.
FORGET_AFTER = datetime.timedelta(minutes=10)


def presence_report(
    *, ticket: Ticket, user: User, replying: bool, now: datetime.datetime | None = None
) -> list[TicketPresence]:
    """Record that `user` has the ticket open (and whether they are writing) at `now`
    (default: the current time); return the other staff present then, those writing first."""
    now = now or timezone.now()
    state = PresenceState.REPLYING if replying else PresenceState.VIEWING
    updated = TicketPresence.objects.filter(ticket=ticket, user=user).update(
        state=state, seen_at=now
    )
    if not updated:
        try:
            with transaction.atomic():
                TicketPresence.objects.create(ticket=ticket, user=user, state=state, seen_at=now)
        except IntegrityError:  # the same person's other tab got there first
            TicketPresence.objects.filter(ticket=ticket, user=user).update(state=state, seen_at=now)
    TicketPresence.objects.filter(ticket=ticket, seen_at__lt=now - FORGET_AFTER).delete()
    others = (
        TicketPresence.objects.filter(ticket=ticket, seen_at__gte=now - PRESENT_FOR)
        .exclude(user=user)
        .select_related("user")
    )
    return sorted(others, key=lambda p: (p.state != PresenceState.REPLYING, p.user.display_name))


def presence_leave(*, ticket: Ticket, user: User) -> None:
    TicketPresence.objects.filter(ticket=ticket, user=user).delete()
