"""A ticket's code at its source: asked briefly while the ticket is filed, by staff
(*Validasi ulang kode*), and in the background when the source did not answer in time.

Filing never waits on a source longer than `INTEGRATION_CREATE_WAIT_SECONDS`: beyond
that the ticket is filed as unvalidated with `code_recheck_until` set, and
`tickets/tasks.py` asks again, with growing pauses, until the source answers or that
time passes. `ticket_code_recheck` applies the answer like a revalidation by the
system: snapshot, *Tervalidasi* and priority (never over a staff *Ubah prioritas*), SLA
due times, one event, and a notice when the priority rose. It never moves the ticket to
the tender's LPSE (staff read that LPSE in the validation note) and leaves closed
tickets alone.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.clients import lookup_code, tender_from_snapshot
from integrations.types import Tender
from reference.models import CodeKind, Lpse
from tickets.facts import ticket_facts_refresh
from tickets.models import OPEN_STATUSES, EventKind, Ticket, TicketEvent
from tickets.notify import ticket_priority_raised_notify
from tickets.priority import PRIORITY_LEVELS, priority_for_draft
from tickets.ticket_sla import ticket_sla_changes

# Lookup errors that mean "the source did not answer" (as opposed to "not found"):
# worth asking again later.
UNANSWERED_ERRORS = frozenset({"timeout", "down", "circuit_open", "error", "bad_response"})
# Pauses between background attempts grow with the time since filing (so they double
# like a backoff), from a minute to an hour.
RECHECK_MIN_DELAY = datetime.timedelta(minutes=1)
RECHECK_MAX_DELAY = datetime.timedelta(hours=1)
# How late an attempt may be before the sweep assumes its task was lost.
RECHECK_GRACE = datetime.timedelta(minutes=5)


@dataclass(frozen=True)
class CodeCheck:
    """What the integrated source said about a ticket's code."""

    validated: bool
    note: str
    snapshot: dict[str, Any]
    tender: Tender | None
    lpse: Lpse | None
    # The source did not answer (down, too slow, a broken answer): ask again later.
    unanswered: bool = False

    @classmethod
    def none(cls) -> "CodeCheck":
        return cls(validated=False, note="", snapshot={}, tender=None, lpse=None)


def code_check(
    *, kind: str, code: str, budget: float | None = None, read_timeout: float | None = None
) -> CodeCheck:
    """Look the code up at its source; never fails because a source is down.

    `budget`: the most the lookup may take, all tries together; `read_timeout`: a
    longer wait for each answer than configured (for the background)."""
    if kind == CodeKind.NONE or not code:
        return CodeCheck.none()
    result = lookup_code(kind, code, budget=budget, read_timeout=read_timeout)
    if not result.found:
        unanswered = result.error_code in UNANSWERED_ERRORS
        return CodeCheck(False, result.message, {}, None, None, unanswered=unanswered)
    tender = result.data if isinstance(result.data, Tender) else None
    lpse = Lpse.objects.filter(kd_lpse=tender.kd_lpse, is_active=True).first() if tender else None
    return CodeCheck(True, "", result.snapshot, tender, lpse)


def code_check_changes(
    locked: Ticket, check: CodeCheck, *, priority: str, reason: str, at: datetime.datetime
) -> dict[str, Any]:
    """The ticket fields after its source said `check` at `at`: the snapshot only when
    found, the priority only when staff did not set it by hand, and the background
    check ends once the source has answered."""
    updates: dict[str, Any] = {
        "code_validated": check.validated,
        "code_validation_note": check.note[:300],
        "code_checked_at": at,
    }
    if check.validated:
        updates["code_snapshot"] = check.snapshot
    if not check.unanswered:
        updates["code_recheck_until"] = None
    if not locked.priority_overridden:
        updates.update(priority=priority, priority_reason=reason)
    return updates


def ticket_tender(ticket: Ticket) -> Tender | None:
    """The tender the ticket's validated code named, read from the answer the ticket
    kept (`code_snapshot`) without asking the source again; None without one. Data typed
    by hand is never read here: only a source's answer may raise a priority."""
    if not ticket.code_validated or ticket.code_kind not in (CodeKind.TENDER, CodeKind.NON_TENDER):
        return None
    return tender_from_snapshot(
        ticket.code_snapshot, non_tender=ticket.code_kind == CodeKind.NON_TENDER
    )


def code_recheck_until(*, filed_at: datetime.datetime) -> datetime.datetime:
    """Until when a code its source did not answer about is asked again."""
    return filed_at + datetime.timedelta(hours=settings.INTEGRATION_RECHECK_HOURS)


def code_recheck_delay(*, filed_at: datetime.datetime, at: datetime.datetime) -> datetime.timedelta:
    """The pause before the next background attempt after one at `at`."""
    return min(max(at - filed_at, RECHECK_MIN_DELAY), RECHECK_MAX_DELAY)


@dataclass(frozen=True)
class CodeRecheck:
    """How a background attempt ended, and when to try again (None: never)."""

    outcome: str  # validated, answered, retry, expired, done, superseded
    retry_at: datetime.datetime | None = None


def _pending(ticket: Ticket) -> bool:
    return (
        ticket.status in OPEN_STATUSES
        and bool(ticket.code)
        and not ticket.code_validated
        and ticket.code_recheck_until is not None
    )


def ticket_code_recheck(*, ticket_id: int, now: datetime.datetime | None = None) -> CodeRecheck:
    """Ask the source about the code of a ticket filed while it did not answer, and
    apply its answer; or say when to ask again (within `code_recheck_until`)."""
    ticket = Ticket.objects.select_related("lpse").filter(pk=ticket_id).first()
    if ticket is None or not _pending(ticket):
        return CodeRecheck("done")  # answered already, closed, or gone
    assert ticket.code_recheck_until is not None
    if (now or timezone.now()) >= ticket.code_recheck_until:
        return CodeRecheck("expired")
    check = code_check(
        kind=ticket.code_kind,
        code=ticket.code,
        read_timeout=settings.INTEGRATION_BACKGROUND_READ_TIMEOUT,
    )
    moment = now or timezone.now()
    if check.unanswered:
        # Claim the next attempt: of two tasks for one ticket (a late one and the
        # sweep's), only the one that moves `code_checked_at` goes on.
        claimed = Ticket.objects.filter(
            pk=ticket.pk, code_validated=False, code_checked_at=ticket.code_checked_at
        ).update(code_checked_at=moment)
        if not claimed:
            return CodeRecheck("superseded")
        retry_at = moment + code_recheck_delay(filed_at=ticket.created_at, at=moment)
        if retry_at >= ticket.code_recheck_until:
            return CodeRecheck("expired")
        return CodeRecheck("retry", retry_at)
    return _code_answer_apply(ticket_id=ticket.pk, check=check, now=moment)


def _code_answer_apply(*, ticket_id: int, check: CodeCheck, now: datetime.datetime) -> CodeRecheck:
    with transaction.atomic():
        locked = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("lpse", "category", "ticket_type")
            .get(pk=ticket_id)
        )
        if not _pending(locked):
            return CodeRecheck("done")
        priority, reason = priority_for_draft(
            category=locked.category,
            ticket_type=locked.ticket_type,
            tender=check.tender,
            lpse_timezone=locked.lpse.timezone,
            now=now,
        )
        updates = code_check_changes(locked, check, priority=priority, reason=reason, at=now)
        data: dict[str, Any] = {"validated": check.validated, "background": True}
        tender = check.tender
        if tender is not None and tender.kd_lpse != locked.lpse.kd_lpse:
            # The tender's LPSE would have handled a ticket filed with the answer; staff
            # decide whether to move it.
            updates["code_validation_note"] = _(
                "Tender ini dikelola %(tender_lpse)s (kode LPSE %(code)s); tiket tetap di %(lpse)s."
            ) % {"tender_lpse": tender.nama_lpse, "code": tender.kd_lpse, "lpse": locked.lpse.name}
            data["tender_lpse"] = tender.kd_lpse
        priority_to = updates.get("priority", locked.priority)
        updates.update(ticket_sla_changes(ticket=locked, changes=updates, now=now))
        Ticket.objects.filter(pk=locked.pk).update(
            **updates, revision=F("revision") + 1, updated_at=now, public_updated_at=now
        )
        TicketEvent.objects.create(
            ticket=locked,
            actor=None,
            kind=EventKind.CODE_REVALIDATED,
            reason=updates.get("priority_reason", ""),
            data={
                **data,
                "priority_from": locked.priority,
                "priority_to": priority_to,
                "revision": locked.revision + 1,
            },
            created_at=now,
        )
        ticket_facts_refresh([locked.pk], now=now)
        if PRIORITY_LEVELS.index(priority_to) > PRIORITY_LEVELS.index(locked.priority):
            current = Ticket.objects.select_related("lpse", "holder", "reporter").get(pk=locked.pk)
            ticket_priority_raised_notify(ticket=current, now=now)
    return CodeRecheck("validated" if check.validated else "answered")


def tickets_code_recheck_overdue(*, now: datetime.datetime) -> list[int]:
    """Tickets whose next background attempt is overdue (its task was lost)."""
    rows = Ticket.objects.filter(
        code_recheck_until__gt=now, code_validated=False, status__in=OPEN_STATUSES
    ).values_list("pk", "created_at", "code_checked_at")
    return [
        pk
        for pk, filed_at, checked_at in rows
        if checked_at is None
        or checked_at + code_recheck_delay(filed_at=filed_at, at=checked_at) + RECHECK_GRACE <= now
    ]
