"""Who hears about what, in the app and by e-mail; callers run inside the change's transaction.

Every ticket action and the SLA sweep call here. One in-app notification per person
and one `OutgoingMail` row per address are written with the change itself, so nothing
is lost: a task per mail is enqueued in the same transaction (database task backend)
and `mail.py` delivers it. Internal notes never reach a notification.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from notifications.models import MailOptOut, Notification, NotificationKind, OutgoingMail
from tickets.access import staff_acting_on, ticket_holder_on_duty
from tickets.models import EventKind, Message, Ticket

K = NotificationKind

# What each recorded ticket event tells people.
KIND_OF_EVENT: dict[str, str] = {
    EventKind.CREATED: K.TICKET_CREATED,
    EventKind.ASSIGNED: K.ASSIGNED,
    EventKind.REPLIED: K.REPLIED,
    EventKind.FEEDBACK_REQUESTED: K.FEEDBACK_REQUESTED,
    EventKind.FEEDBACK_GIVEN: K.FEEDBACK_GIVEN,
    EventKind.RESOLVED: K.RESOLVED,
    EventKind.REOPENED: K.REOPENED,
    EventKind.ESCALATED: K.ESCALATED,
    EventKind.RETURNED: K.RETURNED,
    EventKind.CONFIRMED: K.CLOSED,
    EventKind.FORCE_CLOSED: K.FORCE_CLOSED,
    EventKind.AUTO_CLOSED: K.AUTO_CLOSED,
    EventKind.MERGED: K.MERGED,
}
# Kinds the reporter is told of, at the ticket's notification e-mail.
REPORTER_KINDS = frozenset(
    {
        K.TICKET_CREATED,
        K.REPLIED,
        K.FEEDBACK_REQUESTED,
        K.RESOLVED,
        K.CLOSED,
        K.FORCE_CLOSED,
        K.AUTO_CLOSED,
        K.MERGED,
    }
)
# Kinds staff are told of, and which staff: the tier that must act now, or the holder.
TIER_KINDS = frozenset({K.TICKET_CREATED, K.ESCALATED, K.RETURNED})
HOLDER_KINDS = frozenset(
    {K.ASSIGNED, K.FEEDBACK_GIVEN, K.REOPENED, K.CLOSED, K.FORCE_CLOSED, K.AUTO_CLOSED}
)
# Kinds staff may turn off by e-mail (in the app they always arrive).
STAFF_MAIL_KINDS = (
    K.TICKET_CREATED,
    K.ASSIGNED,
    K.FEEDBACK_GIVEN,
    K.REOPENED,
    K.ESCALATED,
    K.RETURNED,
    K.CLOSED,
    K.FORCE_CLOSED,
    K.AUTO_CLOSED,
    K.SLA_WARNING,
    K.SLA_BREACH,
)
# The reporter's own words (or the helpdesk's public answer) are quoted in these.
QUOTED_KINDS = frozenset(
    {K.REPLIED, K.FEEDBACK_REQUESTED, K.RESOLVED, K.FEEDBACK_GIVEN, K.REOPENED}
)


def _headline(kind: str, ticket: Ticket, *, staff: bool) -> str:
    values = {"tier": ticket.tier, "into": ticket.merged_into.number if ticket.merged_into else ""}
    reporter: dict[str, str] = {
        K.TICKET_CREATED: _("Tiket Anda telah kami terima"),
        K.REPLIED: _("Balasan dari helpdesk"),
        K.FEEDBACK_REQUESTED: _("Helpdesk membutuhkan feedback Anda"),
        K.RESOLVED: _("Tiket Anda telah diselesaikan — mohon konfirmasi"),
        K.CLOSED: _("Tiket Anda telah selesai"),
        K.FORCE_CLOSED: _("Tiket Anda telah ditutup"),
        K.AUTO_CLOSED: _("Tiket Anda ditutup otomatis"),
        K.MERGED: _("Tiket Anda digabung ke %(into)s"),
    }
    helpdesk: dict[str, str] = {
        K.TICKET_CREATED: _("Tiket baru menunggu diambil"),
        K.ASSIGNED: _("Tiket ditugaskan kepada Anda"),
        K.FEEDBACK_GIVEN: _("Pelapor telah mengirim feedback"),
        K.REOPENED: _("Pelapor menyatakan tiket belum selesai"),
        K.ESCALATED: _("Tiket dieskalasi ke Tier %(tier)d"),
        K.RETURNED: _("Tiket dikembalikan ke Tier %(tier)d"),
        K.CLOSED: _("Pelapor mengonfirmasi tiket selesai"),
        K.FORCE_CLOSED: _("Pelapor menutup tiket"),
        K.AUTO_CLOSED: _("Tiket ditutup otomatis (tidak ada konfirmasi)"),
    }
    return (helpdesk if staff else reporter)[kind] % values


@dataclass(frozen=True)
class Audience:
    reporter: bool
    staff: list[User]


def audience(kind: str, ticket: Ticket, *, actor: User | None) -> Audience:
    """Who hears about `kind` on `ticket` (never the person who did it, unless reporter)."""
    staff: list[User] = []
    holder = ticket_holder_on_duty(ticket)
    if kind in TIER_KINDS or (kind in HOLDER_KINDS and holder is None):
        staff = list(staff_acting_on(ticket))
    elif kind in HOLDER_KINDS and holder is not None:
        staff = [holder]
    if actor is not None:
        staff = [user for user in staff if user.pk != actor.pk]
    return Audience(reporter=kind in REPORTER_KINDS, staff=staff)


def ticket_event_notify(
    *, ticket: Ticket, event_kind: str, actor: User | None, message: Message | None = None
) -> None:
    """Tell the reporter and staff about a recorded ticket event (if it is one to tell)."""
    kind = KIND_OF_EVENT.get(event_kind)
    if kind is None:
        return
    quoted = message if message is not None and not message.is_internal else None
    if kind not in QUOTED_KINDS:
        quoted = None
    who = audience(kind, ticket, actor=actor)
    if who.reporter:
        notify(
            users=[ticket.reporter],
            kind=kind,
            ticket=ticket,
            title=_headline(kind, ticket, staff=False),
            message=quoted,
            reporter_address=ticket.notification_email,
        )
    if who.staff:
        notify(
            users=who.staff,
            kind=kind,
            ticket=ticket,
            title=_headline(kind, ticket, staff=True),
            message=quoted,
        )


def notify(
    *,
    users: Iterable[User],
    kind: str,
    ticket: Ticket | None,
    title: str,
    body: str = "",
    message: Message | None = None,
    reporter_address: str = "",
) -> list[OutgoingMail]:
    """In-app notifications for `users` and their e-mails (staff unless opted out).

    For a reporter, the e-mail goes to `reporter_address` (the ticket's notification
    e-mail), never to the account's address.
    """
    people = _distinct_active(users)
    notifications_create(
        recipients=people, kind=kind, title=_titled(title, ticket), ticket=ticket, body=body
    )
    opted_out = set(
        MailOptOut.objects.filter(user__in=people, kind=kind).values_list("user_id", flat=True)
    )
    mails = []
    # The text of a mail depends on the audience (staff or reporter), not on the person:
    # rendered once per audience.
    bodies: dict[bool, tuple[str, str]] = {}
    for user in people:
        if user.is_reporter:
            address = reporter_address
        elif user.pk in opted_out:
            continue
        else:
            address = user.email
        if not address:
            continue
        staff = not user.is_reporter
        if staff not in bodies:
            bodies[staff] = _mail_bodies(
                kind=kind, ticket=ticket, title=title, body=body, message=message, staff=staff
            )
        body_text, body_html = bodies[staff]
        subject = f"[{ticket.number}] {title}" if ticket is not None else title
        mails.append(
            OutgoingMail(
                recipient=user,
                to_address=address,
                ticket=ticket,
                kind=kind,
                subject=subject[:250],
                body_text=body_text,
                body_html=body_html,
                message_id=f"<{uuid.uuid4().hex}@{settings.MAIL_DOMAIN}>",
                next_attempt_at=timezone.now(),
            )
        )
    OutgoingMail.objects.bulk_create(mails)
    _enqueue(mails)
    return mails


def _distinct_active(users: Iterable[User]) -> list[User]:
    seen: set[int] = set()
    people = []
    for user in users:
        if user.pk not in seen and user.is_active:
            seen.add(user.pk)
            people.append(user)
    return people


def _titled(title: str, ticket: Ticket | None) -> str:
    return (
        f"{ticket.number}: {title}"
        if ticket is not None and not title.startswith(ticket.number)
        else title
    )


def _link(ticket: Ticket | None, *, staff: bool, kind: str) -> str:
    if ticket is None:
        return settings.SITE_URL
    if staff:
        path = reverse("console:ticket_detail", args=[ticket.number])
    else:
        path = ticket.get_absolute_url()
        if kind in (K.RESOLVED, K.FEEDBACK_REQUESTED):
            path += "#tindakan"
    return settings.SITE_URL.rstrip("/") + path


def _mail_bodies(
    *,
    kind: str,
    ticket: Ticket | None,
    title: str,
    body: str,
    message: Message | None,
    staff: bool,
) -> tuple[str, str]:
    """The text and HTML of a mail for one audience (never anything personal)."""
    context: dict[str, Any] = {
        "title": title,
        "body": body,
        "ticket": ticket,
        "message": message,
        "kind": kind,
        "staff": staff,
        "link": _link(ticket, staff=staff, kind=kind),
        "site_url": settings.SITE_URL,
    }
    return (
        render_to_string("notifications/email/notification.txt", context),
        render_to_string("notifications/email/notification.html", context),
    )


def _enqueue(mails: list[OutgoingMail]) -> None:
    if not mails:
        return
    from notifications.tasks import deliver_mail  # the task module imports mail.py

    # With the database task backend the task rows commit (or roll back) together
    # with the mails and the change; the periodic sweep re-enqueues anything missed.
    for mail in mails:
        deliver_mail.enqueue(mail.pk)


# --- In-app notifications ---------------------------------------------------------------


def notifications_create(
    *, recipients: Iterable[User], kind: str, title: str, body: str = "", ticket: Ticket | None
) -> list[Notification]:
    """One notification per distinct recipient."""
    rows = [
        Notification(recipient=user, ticket=ticket, kind=kind, title=title[:200], body=body)
        for user in _distinct_active(recipients)
    ]
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


def mail_preferences_set(*, user: User, enabled: Iterable[str]) -> None:
    """Staff choose which kinds they get by e-mail; the others are opted out."""
    wanted = set(enabled)
    MailOptOut.objects.filter(user=user).exclude(kind__in=STAFF_MAIL_KINDS).delete()
    MailOptOut.objects.filter(user=user, kind__in=wanted).delete()
    MailOptOut.objects.bulk_create(
        [MailOptOut(user=user, kind=kind) for kind in STAFF_MAIL_KINDS if kind not in wanted],
        ignore_conflicts=True,
    )


def mail_preferences(user: User) -> set[str]:
    """The kinds this staff member gets by e-mail."""
    off = set(MailOptOut.objects.filter(user=user).values_list("kind", flat=True))
    return {kind for kind in STAFF_MAIL_KINDS if kind not in off}
