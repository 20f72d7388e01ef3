"""Who hears about which ticket event, and what the notice says of the ticket.

The rules sit next to the events that cause them; delivery (in-app rows, mail rows,
their tasks) is `notifications.services.notify`, called inside the change's
transaction. Internal notes never reach a notification.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from notifications.models import NotificationKind
from notifications.services import About, MailView, Notice, notify, notify_all
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
        K.PRIORITY_RAISED,
    }
)
# Kinds staff are told of, and which staff: the tier that must act now, or the holder.
TIER_KINDS = frozenset({K.TICKET_CREATED, K.ESCALATED, K.RETURNED})
HOLDER_KINDS = frozenset(
    {
        K.ASSIGNED,
        K.FEEDBACK_GIVEN,
        K.REOPENED,
        K.CLOSED,
        K.FORCE_CLOSED,
        K.AUTO_CLOSED,
        K.PRIORITY_RAISED,
    }
)
# The reporter's own words (or the helpdesk's public answer) are quoted in these.
QUOTED_KINDS = frozenset(
    {K.REPLIED, K.FEEDBACK_REQUESTED, K.RESOLVED, K.FEEDBACK_GIVEN, K.REOPENED}
)


def _headline(kind: str, ticket: Ticket, *, staff: bool) -> str:
    values = {
        "tier": ticket.tier,
        "into": ticket.merged_into.number if ticket.merged_into else "",
        "priority": ticket.get_priority_display(),
    }
    reporter: dict[str, str] = {
        K.TICKET_CREATED: _("Tiket Anda telah kami terima"),
        K.REPLIED: _("Balasan dari helpdesk"),
        K.FEEDBACK_REQUESTED: _("Helpdesk membutuhkan feedback Anda"),
        K.RESOLVED: _("Tiket Anda telah diselesaikan — mohon konfirmasi"),
        K.CLOSED: _("Tiket Anda telah selesai"),
        K.FORCE_CLOSED: _("Tiket Anda telah ditutup"),
        K.AUTO_CLOSED: _("Tiket Anda ditutup otomatis"),
        K.MERGED: _("Tiket Anda digabung ke %(into)s"),
        K.PRIORITY_RAISED: _("Prioritas tiket Anda naik menjadi %(priority)s"),
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
        K.PRIORITY_RAISED: _("Prioritas tiket naik menjadi %(priority)s setelah kode diperiksa"),
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
    *,
    ticket: Ticket,
    event_kind: str,
    actor: User | None,
    message: Message | None = None,
    now: datetime.datetime | None = None,
) -> None:
    """Tell the reporter and staff about a recorded ticket event (if it is one to tell);
    the notices are dated `now` (default: the current time)."""
    kind = KIND_OF_EVENT.get(event_kind)
    if kind is None:
        return
    quoted = message if message is not None and not message.is_internal else None
    if kind not in QUOTED_KINDS:
        quoted = None
    _tell(kind, ticket, actor=actor, message=quoted, now=now)


def ticket_priority_raised_notify(*, ticket: Ticket, now: datetime.datetime | None = None) -> None:
    """Tell the reporter and the holder (while nobody holds it, the tier's agents) that
    the priority rose once the source answered about the code; the body explains it."""
    _tell(K.PRIORITY_RAISED, ticket, actor=None, body=ticket.priority_reason, now=now)


def _tell(
    kind: str,
    ticket: Ticket,
    *,
    actor: User | None,
    message: Message | None = None,
    body: str = "",
    now: datetime.datetime | None = None,
) -> None:
    who = audience(kind, ticket, actor=actor)
    notices = []
    if who.reporter:
        notices.append(
            Notice(
                users=[ticket.reporter],
                title=_headline(kind, ticket, staff=False),
                reporter_address=ticket.notification_email,
            )
        )
    if who.staff:
        notices.append(Notice(users=who.staff, title=_headline(kind, ticket, staff=True)))
    if notices:
        # The reporter and staff in one call: one INSERT each of notifications, mails and
        # tasks for both.
        notify_all(
            kind=kind, about=_about(ticket, kind, message), notices=notices, body=body, now=now
        )


def ticket_notify(
    *,
    users: list[User],
    kind: str,
    ticket: Ticket,
    title: str,
    body: str = "",
    message: Message | None = None,
    reporter_address: str = "",
    now: datetime.datetime | None = None,
) -> None:
    """Notify `users` about `ticket` (in the app, and by mail as `notify` decides)."""
    notify(
        users=users,
        kind=kind,
        about=_about(ticket, kind, message),
        title=title,
        body=body,
        reporter_address=reporter_address,
        now=now,
    )


def _about(ticket: Ticket, kind: str, message: Message | None) -> About:
    tier = _("Tier %(tier)s") % {"tier": ticket.tier}
    return About(
        target=ticket,
        reference=ticket.number,
        facts=(
            (_("Nomor tiket"), ticket.number),
            (_("Judul"), ticket.title),
            (_("Status"), ticket.get_status_display()),
            (_("Prioritas"), ticket.get_priority_display()),
            (_("Posisi tiket"), f"{tier} · {ticket.lpse.name}"),
        ),
        staff=_mail_view(ticket, kind, staff=True, quoted=message is not None),
        reporter=_mail_view(ticket, kind, staff=False, quoted=message is not None),
        quote=message.body if message is not None else "",
    )


def _mail_view(ticket: Ticket, kind: str, *, staff: bool, quoted: bool) -> MailView:
    if staff:
        path = reverse("console:ticket_detail", args=[ticket.number])
    else:
        path = ticket.get_absolute_url()
        if kind in (K.RESOLVED, K.FEEDBACK_REQUESTED):
            path += "#tindakan"
    hint, button = "", _("Buka tiket")
    if kind == K.RESOLVED:
        button = _("Konfirmasi")
        hint = _(
            "Jika masalah Anda sudah selesai, buka tiket dan pilih Konfirmasi › Ya, sudah. "
            "Jika belum, pilih Belum dan jelaskan apa yang masih terjadi."
        )
    elif kind == K.FEEDBACK_REQUESTED:
        button = _("Beri Feedback")
        hint = _(
            "Buka tiket dan pilih Beri Feedback untuk menjawab. Waktu penanganan berhenti "
            "sampai Anda menjawab."
        )
    return MailView(
        link=settings.SITE_URL.rstrip("/") + path,
        button=button,
        open_text=_("Buka tiket di konsol helpdesk:") if staff else _("Buka tiket Anda:"),
        hint=hint,
        quote_label=(_("Pesan pelapor:") if staff else _("Pesan dari helpdesk:")) if quoted else "",
    )
