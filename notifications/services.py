"""Delivery of notifications, in the app and by e-mail; callers run inside the change's
transaction.

The app that sends a notice (tickets: events and the SLA sweep, `tickets/notify.py`)
decides who hears about what and describes what it is about (`About`); this module
knows nothing more of it. One in-app notification per person and one `OutgoingMail`
row per address are written with the change itself, so nothing is lost: a task per mail
is enqueued in the same transaction (database task backend, `tasks.py`) and `mail.py`
delivers it.
"""

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Model, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from notifications.mail import one_line
from notifications.models import MailOptOut, Notification, NotificationKind, OutgoingMail
from notifications.tasks import enqueue_mails

K = NotificationKind

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
    K.PRIORITY_RAISED,
)
# Mails that are not about a ticket and have no in-app twin; offered to those who get them
# (the monthly report: report readers only, asked of `tickets.access` by the page).
REPORT_MAIL_KINDS = (K.MONTHLY_REPORT,)


@dataclass(frozen=True)
class MailView:
    """What one audience (staff or the reporter) reads in a mail about something."""

    link: str  # absolute
    button: str  # the HTML mail's button
    open_text: str  # the plain-text mail's line above the link
    hint: str = ""  # what to do now, if anything
    quote_label: str = ""  # above the quoted message


@dataclass(frozen=True)
class About:
    """What a notice is about, as the sending app describes it."""

    target: Model  # stored in the rows' `ticket` column
    reference: str  # prefixes the in-app title and the mail subject ("[reference] ...")
    facts: tuple[tuple[str, str], ...] = ()  # label and value lines of the mail
    staff: MailView | None = None
    reporter: MailView | None = None
    quote: str = ""  # a message quoted in the mail

    def view(self, *, staff: bool) -> MailView | None:
        return self.staff if staff else self.reporter


@dataclass(frozen=True)
class Notice:
    """One audience of a notice: who, under which title, and for a reporter the address
    their mail goes to (the ticket's notification e-mail)."""

    users: Iterable[User]
    title: str
    reporter_address: str = ""


def notify(
    *,
    users: Iterable[User],
    kind: str,
    about: About | None,
    title: str,
    body: str = "",
    reporter_address: str = "",
    now: datetime.datetime | None = None,
) -> list[OutgoingMail]:
    """In-app notifications for `users` and their e-mails (staff unless opted out), dated
    `now` (default: the current time).

    For a reporter, the e-mail goes to `reporter_address` (the ticket's notification
    e-mail), never to the account's address.
    """
    return notify_all(
        kind=kind,
        about=about,
        notices=[Notice(users=users, title=title, reporter_address=reporter_address)],
        body=body,
        now=now,
    )


def notify_all(
    *,
    kind: str,
    about: About | None,
    notices: Iterable[Notice],
    body: str = "",
    now: datetime.datetime | None = None,
) -> list[OutgoingMail]:
    """`notify` for each of several audiences of one event (the reporter and staff, each
    under its own title), with one INSERT each for the notifications, the mails and their
    delivery tasks (issue 19: filing a ticket wrote each twice)."""
    now = now or timezone.now()
    target = about.target if about is not None else None
    groups = [(notice, _distinct_active(notice.users)) for notice in notices]
    Notification.objects.bulk_create(
        _notification_row(
            user, kind=kind, title=_titled(notice.title, about), ticket=target, body=body, now=now
        )
        for notice, people in groups
        for user in people
    )
    # Only staff may turn mail off (a reporter's notice always goes to the ticket's address).
    staff_ids = [user.pk for _notice, people in groups for user in people if not user.is_reporter]
    opted_out = (
        set(
            MailOptOut.objects.filter(user__in=staff_ids, kind=kind).values_list(
                "user_id", flat=True
            )
        )
        if staff_ids
        else set()
    )
    mails = []
    # The text of a mail depends on the audience (staff or reporter) and its title, not on
    # the person: rendered once per audience.
    bodies: dict[tuple[bool, str], tuple[str, str]] = {}
    for notice, people in groups:
        title = notice.title
        subject = one_line(f"[{about.reference}] {title}" if about is not None else title)
        for user in people:
            if user.is_reporter:
                address = notice.reporter_address
            elif user.pk in opted_out:
                continue
            else:
                address = user.email
            if not address:
                continue
            staff = not user.is_reporter
            if (staff, title) not in bodies:
                bodies[staff, title] = _mail_bodies(
                    about=about, title=title, body=body, staff=staff
                )
            body_text, body_html = bodies[staff, title]
            mails.append(
                OutgoingMail(
                    recipient=user,
                    to_address=address,
                    ticket_id=target.pk if target is not None else None,
                    kind=kind,
                    subject=subject[:250],
                    body_text=body_text,
                    body_html=body_html,
                    message_id=f"<{uuid.uuid4().hex}@{settings.MAIL_DOMAIN}>",
                    created_at=now,
                    # Delivery may start at once, whatever time the change is dated.
                    next_attempt_at=timezone.now(),
                )
            )
    OutgoingMail.objects.bulk_create(mails)
    enqueue_mails(mails)
    return mails


def _distinct_active(users: Iterable[User]) -> list[User]:
    seen: set[int] = set()
    people = []
    for user in users:
        if user.pk not in seen and user.is_active:
            seen.add(user.pk)
            people.append(user)
    return people


def _titled(title: str, about: About | None) -> str:
    if about is None or title.startswith(about.reference):
        return title
    return f"{about.reference}: {title}"


def _mail_bodies(*, about: About | None, title: str, body: str, staff: bool) -> tuple[str, str]:
    """The text and HTML of a mail for one audience (never anything personal)."""
    view = about.view(staff=staff) if about is not None else None
    if view is None:
        view = MailView(link=settings.SITE_URL, button=_("Buka"), open_text=_("Buka:"))
    context: dict[str, Any] = {
        "title": title,
        "body": body,
        "facts": about.facts if about is not None else (),
        "quote": about.quote if about is not None else "",
        "view": view,
        "staff": staff,
        "site_url": settings.SITE_URL,
    }
    return (
        render_to_string("notifications/email/notification.txt", context),
        render_to_string("notifications/email/notification.html", context),
    )


# --- In-app notifications ---------------------------------------------------------------


def notifications_create(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    ticket: Model | None,
    now: datetime.datetime | None = None,
) -> list[Notification]:
    """One notification per distinct recipient, dated `now` (default: the current time)."""
    now = now or timezone.now()
    rows = [
        _notification_row(user, kind=kind, title=title, ticket=ticket, body=body, now=now)
        for user in _distinct_active(recipients)
    ]
    return Notification.objects.bulk_create(rows)


def _notification_row(
    user: User,
    *,
    kind: str,
    title: str,
    ticket: Model | None,
    body: str,
    now: datetime.datetime,
) -> Notification:
    return Notification(
        recipient=user,
        ticket_id=ticket.pk if ticket is not None else None,
        kind=kind,
        title=title[:200],
        body=body,
        created_at=now,
    )


def notifications_for(user: User) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    return Notification.objects.filter(recipient=user).select_related("ticket")


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_mark_read(
    *, user: User, notification_id: int | None = None, now: datetime.datetime | None = None
) -> int:
    """Mark one (or, without an id, every) unread notification of the user as read at
    `now` (default: the current time)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=now or timezone.now())


def mail_preferences_set(
    *, user: User, enabled: Iterable[str], offered: Iterable[str] = STAFF_MAIL_KINDS
) -> None:
    """Staff choose which of the `offered` kinds they get by e-mail; the other offered
    kinds are opted out, and kinds not offered keep their setting."""
    wanted = set(enabled)
    offered = tuple(offered)
    MailOptOut.objects.filter(user=user).exclude(
        kind__in=STAFF_MAIL_KINDS + REPORT_MAIL_KINDS
    ).delete()
    MailOptOut.objects.filter(user=user, kind__in=[k for k in offered if k in wanted]).delete()
    MailOptOut.objects.bulk_create(
        [MailOptOut(user=user, kind=kind) for kind in offered if kind not in wanted],
        ignore_conflicts=True,
    )


def mail_preferences(user: User, offered: Iterable[str] = STAFF_MAIL_KINDS) -> set[str]:
    """The `offered` kinds this staff member gets by e-mail."""
    off = set(MailOptOut.objects.filter(user=user).values_list("kind", flat=True))
    return {kind for kind in offered if kind not in off}


def mail_queue(
    *,
    user: User,
    kind: str,
    subject: str,
    body_text: str,
    body_html: str,
    now: datetime.datetime | None = None,
) -> OutgoingMail:
    """One e-mail to a staff member's own address that is about no ticket (the monthly
    report), written and enqueued in the caller's transaction; the caller has checked
    the address and the opt-out."""
    mail = OutgoingMail.objects.create(
        recipient=user,
        to_address=user.email,
        kind=kind,
        subject=one_line(subject)[:250],
        body_text=body_text,
        body_html=body_html,
        message_id=f"<{uuid.uuid4().hex}@{settings.MAIL_DOMAIN}>",
        created_at=now or timezone.now(),
        next_attempt_at=timezone.now(),
    )
    enqueue_mails([mail])
    return mail
