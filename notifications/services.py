"""Writing and reading notifications; callers run inside the transaction of the change."""

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from notifications.models import Notification
from tickets.models import Ticket


def notifications_create(
    *, recipients: Iterable[User], kind: str, title: str, body: str = "", ticket: Ticket | None
) -> list[Notification]:
    """One notification per distinct recipient."""
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(
            Notification(recipient=user, ticket=ticket, kind=kind, title=title[:200], body=body)
        )
    return Notification.objects.bulk_create(rows)


def notifications_for(user: User) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    return Notification.objects.filter(recipient=user).select_related("ticket")


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, every) unread notification of the user as read."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())
