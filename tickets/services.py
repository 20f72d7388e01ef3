"""Writes of the tickets domain. Every change of a ticket goes through here.

Each service takes a keyword `now` (default: the current time) and dates everything it
writes with it: ticket columns, messages, files, events, SLA clocks and notices. So a
history can be built in the past (`seed_demo`) and tests pass time in instead of
patching the clock.
"""

import datetime
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from lib.errors import NotFound
from lib.metrics import TICKET_ACTIONS, TICKETS_CREATED
from lib.sla import add_working_days
from reference.models import (
    Application,
    ApplicationVersion,
    Category,
    CodeKind,
    Lpse,
    Priority,
    RatingCategory,
    TicketType,
)
from sla.calendars import CalendarBook
from tickets.access import action_refusal, tickets_visible_to, works_on_current_tier
from tickets.attachments import CheckedFile, attachment_store, stored_files_delete
from tickets.codes import code_check, code_check_changes, code_recheck_until, ticket_tender
from tickets.facts import ticket_fact_write_new, ticket_facts_refresh
from tickets.lifecycle import (
    EVENT_OF_ACTION,
    UNANSWERED_STATUSES,
    Action,
    ActionConflict,
    ActionInvalid,
    StorageUnavailable,
    target_status,
)
from tickets.models import (
    OPEN_STATUSES,
    Attachment,
    CloseReason,
    EventKind,
    Message,
    MessageKind,
    Rating,
    Status,
    Ticket,
    TicketEvent,
)
from tickets.notify import ticket_event_notify
from tickets.numbering import ticket_number_allocate
from tickets.priority import priority_for_draft
from tickets.search import (
    SearchEntry,
    search_add_message,
    search_entries_write,
    search_entry_insert_value,
)
from tickets.selectors import categories_selectable
from tickets.tasks import code_recheck_enqueue
from tickets.ticket_sla import ticket_sla_changes

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TicketDraft:
    """What the reporter filled in on *Buat Tiket*, already checked by the form."""

    notification_email: str
    title: str
    lpse: Lpse
    application: Application
    version: ApplicationVersion
    ticket_type: TicketType
    category: Category
    code: str
    error_code: str
    description: str
    # Key data the reporter typed because the source did not know the code or was down.
    manual_data: dict[str, str] = field(default_factory=dict)


MANUAL_DATA_KEYS = ("nama_paket", "instansi", "tahap", "jadwal_berakhir")


class SubmissionKeyReused(Exception):
    """The submission key of an earlier ticket came with different content (the API
    answers 422): a retry must repeat its request exactly."""

    def __init__(self, ticket: Ticket) -> None:
        super().__init__(ticket.number)
        self.ticket = ticket


@dataclass(frozen=True)
class Submission:
    ticket: Ticket
    created: bool  # False: the key's earlier ticket, answered again
    # A new ticket's only related rows, as written (its files and its "created" event):
    # an answer about it needs no read back. Empty for the key's earlier ticket.
    attachments: tuple[Attachment, ...] = ()
    events: tuple[TicketEvent, ...] = ()


def _attachments_store(
    *,
    ticket_number: str,
    first: int,
    files: list[CheckedFile],
    now: datetime.datetime | None,
    stored: list[str],
) -> None:
    """Write a message's files from sequence `first` on, adding each stored name to
    `stored` as soon as it is written (the caller removes them if anything fails later).

    A storage that cannot take a file (S3 unreachable, disk full) is an answer for the
    person, not a crash: `StorageUnavailable`, before anything is written to the database.
    """
    for offset, checked in enumerate(files):
        try:
            name = attachment_store(
                ticket_number=ticket_number, sequence=first + offset, checked=checked, now=now
            )
        except Exception as error:
            logger.exception("attachment storage failed: ticket=%s", ticket_number)
            raise StorageUnavailable(
                _(
                    "Lampiran tidak dapat disimpan karena penyimpanan berkas sedang tidak "
                    "dapat dihubungi. Tidak ada yang tersimpan; silakan kirim ulang beberapa "
                    "saat lagi."
                )
            ) from error
        stored.append(name)


def ticket_submission_find(
    *, reporter: User, submission_key: str, submission_fingerprint: str = ""
) -> Ticket | None:
    """The reporter's ticket already filed under this key, if any: the one lookup a
    repeated submission is answered by. Raises `SubmissionKeyReused` when the content
    differs (tickets filed before fingerprints were kept have none: a retry is trusted)."""
    if not submission_key:
        return None
    ticket = Ticket.objects.filter(reporter=reporter, submission_key=submission_key).first()
    if ticket is None:
        return None
    kept = ticket.submission_fingerprint
    if kept and submission_fingerprint and kept != submission_fingerprint:
        raise SubmissionKeyReused(ticket)
    return ticket


def ticket_create(
    *,
    reporter: User,
    draft: TicketDraft,
    files: list[CheckedFile],
    submission_key: str = "",
    # Kept with the key, to tell a retry from another request under the same key.
    submission_fingerprint: str = "",
    now: datetime.datetime | None = None,
) -> Ticket:
    """File a new ticket with its attachments; a repeated submission returns the first."""
    return ticket_submit(
        reporter=reporter,
        draft=draft,
        files=files,
        submission_key=submission_key,
        submission_fingerprint=submission_fingerprint,
        now=now,
    ).ticket


def ticket_submit(
    *,
    reporter: User,
    draft: TicketDraft,
    files: list[CheckedFile],
    submission_key: str = "",
    submission_fingerprint: str = "",
    now: datetime.datetime | None = None,
) -> Submission:
    """`ticket_create`, telling a new ticket from the key's earlier one.

    `now` (default: the current time, once the source has answered) dates the ticket,
    its number, files, first event, SLA clocks and notices.
    """
    _refuse(None, reporter, Action.CREATE)
    key = {"submission_key": submission_key, "submission_fingerprint": submission_fingerprint}
    existing = ticket_submission_find(reporter=reporter, **key)
    if existing is not None:
        return Submission(existing, created=False)

    code_kind = draft.category.code_kind
    code = draft.code if code_kind != CodeKind.NONE else ""
    # The outside source is asked before anything is written, for at most a short
    # budget: beyond it the ticket is filed as unvalidated and the code is checked in
    # the background (tickets/codes.py), so a slow or dead source costs little.
    check = code_check(kind=code_kind, code=code, budget=settings.INTEGRATION_CREATE_WAIT_SECONDS)
    now = now or timezone.now()
    # The LPSE that runs the tender handles the ticket.
    lpse = check.lpse or draft.lpse
    # Only data from a source may raise priority; what was typed by hand never does.
    priority, priority_reason = priority_for_draft(
        category=draft.category,
        ticket_type=draft.ticket_type,
        tender=check.tender,
        lpse_timezone=lpse.timezone,
        now=now,
        code_unanswered=check.unanswered,
    )
    manual = (
        {key: value for key, value in draft.manual_data.items() if key in MANUAL_DATA_KEYS}
        if code and not check.validated
        else {}
    )
    number = ticket_number_allocate(
        application_code=draft.application.code, tz_name=lpse.timezone, now=now
    )
    stored: list[str] = []
    try:
        # Files are written before the (short) database transaction; any failure
        # afterwards removes them again so that nothing is left behind.
        _attachments_store(ticket_number=number, first=1, files=files, now=now, stored=stored)
        ticket = Ticket(
            number=number,
            reporter=reporter,
            reporter_role=reporter.role,
            notification_email=draft.notification_email,
            title=draft.title,
            lpse=lpse,
            application=draft.application,
            version=draft.version,
            ticket_type=draft.ticket_type,
            category=draft.category,
            code_kind=code_kind,
            code=code,
            code_validated=check.validated,
            code_validation_note=check.note[:300],
            code_snapshot=check.snapshot,
            code_manual=manual,
            code_checked_at=now if code else None,
            code_recheck_until=code_recheck_until(filed_at=now) if check.unanswered else None,
            error_code=draft.error_code,
            description=draft.description,
            priority=priority,
            priority_reason=priority_reason,
            status=Status.NEW,
            tier=1,
            submission_key=submission_key,
            submission_fingerprint=submission_fingerprint,
            created_at=now,
            updated_at=now,
            public_updated_at=now,
        )
        # The SLA clocks start when the ticket is filed, and its search entry is known:
        # both are written by the ticket's own INSERT (issue 19: one statement, not three).
        for name, value in ticket_sla_changes(ticket=ticket, changes={}, now=now).items():
            setattr(ticket, name, value)
        vector = search_entry_insert_value(SearchEntry.of(ticket))
        with transaction.atomic():
            if vector is not None:
                ticket.search_vector = vector
            # Every column as given (`raw`): `updated_at` is `now`, like the ticket's other
            # times, not the moment of the INSERT (`auto_now`).
            ticket.save_base(raw=True, force_insert=True)
            if vector is None:
                search_entries_write([SearchEntry.of(ticket)])
            else:
                ticket.search_vector = None  # written by the database; never read here
            attachments = Attachment.objects.bulk_create(
                Attachment(
                    ticket=ticket,
                    sequence=sequence,
                    original_name=checked.display_name,
                    file=name,
                    size=checked.size,
                    content_type=checked.content_type,
                    sha256=checked.sha256,
                    uploaded_by=reporter,
                    created_at=now,
                )
                for sequence, (checked, name) in enumerate(zip(files, stored, strict=True), 1)
            )
            created = TicketEvent.objects.create(
                ticket=ticket,
                actor=reporter,
                kind=EventKind.CREATED,
                to_status=Status.NEW,
                data={
                    "priority": priority,
                    "attachments": len(files),
                    "code_validated": check.validated,
                },
                created_at=now,
            )
            ticket_event_notify(
                ticket=ticket, event_kind=EventKind.CREATED, actor=reporter, now=now
            )
            ticket_fact_write_new(ticket, created, now=now)
            # Counted once the ticket is really there (lib/metrics.py).
            transaction.on_commit(TICKETS_CREATED.labels(draft.application.code).inc)
            if check.unanswered:
                code_recheck_enqueue(ticket.pk)
    except IntegrityError:
        stored_files_delete(stored)
        # A concurrent duplicate of this submission won the race: answer with it.
        existing = ticket_submission_find(reporter=reporter, **key)
        if existing is not None:
            return Submission(existing, created=False)
        raise
    except BaseException:
        stored_files_delete(stored)
        raise
    return Submission(ticket, created=True, attachments=tuple(attachments), events=(created,))


# --- The lifecycle (DESIGN §4). Every action below goes through `_perform`. ---------------

MAX_MESSAGE_LENGTH = 10_000
NOTE_REPEAT_WINDOW_SECONDS = 60

# The fields an action sets, from the locked row and the action's time.
Changes = Callable[[Ticket, datetime.datetime], dict[str, Any]]


@dataclass(frozen=True)
class Post:
    """A message that an action adds to the conversation."""

    kind: str
    body: str
    is_internal: bool = False
    files: Sequence[CheckedFile] = ()


class _AlreadyApplied(Exception):
    """The same person's same action already went through (a double click)."""


def _no_nul(text: str, label: str) -> str:
    """Refuse the NUL character, which no text column can hold (the web forms refuse it
    too; the API's JSON can carry it)."""
    if "\x00" in text:
        raise ActionInvalid(
            _("%(label)s berisi karakter yang tidak diizinkan (NUL).") % {"label": label}
        )
    return text


def _required_text(value: str, label: str) -> str:
    text = _no_nul((value or "").strip(), label)
    if not text:
        raise ActionInvalid(_("%(label)s wajib diisi.") % {"label": label})
    if len(text) > MAX_MESSAGE_LENGTH:
        raise ActionInvalid(
            _("%(label)s terlalu panjang (maksimum %(max)d karakter).")
            % {"label": label, "max": MAX_MESSAGE_LENGTH}
        )
    return text


def _check_revision(ticket: Ticket, actor: User | None, action: str, revision: int | None) -> None:
    if revision is None or revision == ticket.revision:
        return
    # The SLA sweep's records change no revision; the last action is what matters.
    last = (
        ticket.events.exclude(kind__in=(EventKind.SLA_WARNED, EventKind.SLA_BREACHED))
        .select_related("actor")
        .order_by("-id")
        .first()
    )
    if (
        last is not None
        and actor is not None
        and last.actor_id == actor.pk
        and last.kind == EVENT_OF_ACTION[action]
        and last.data.get("revision") == revision + 1
    ):
        raise _AlreadyApplied
    who = last.actor.display_name if last is not None and last.actor else _("sistem")
    raise ActionConflict(
        _(
            "Tiket telah diperbarui oleh %(name)s sejak halaman ini dibuka. "
            "Muat ulang halaman untuk melihat perubahan terbaru."
        )
        % {"name": who}
    )


def _guard(ticket: Ticket, actor: User | None, action: str, revision: int | None) -> None:
    _check_revision(ticket, actor, action, revision)
    _refuse(ticket, actor, action)


def _refuse(ticket: Ticket | None, actor: User | None, action: str) -> None:
    """Raise the access rules' refusal (403/409/400) of this action now, if any."""
    refusal = action_refusal(actor, ticket, action)
    if refusal is not None:
        raise refusal


def _guard_early(ticket: Ticket, actor: User, action: str, revision: int | None) -> bool:
    """Before a lookup the action needs (a colleague, the outside source): 404 for who
    cannot see the ticket, then a stale page, then the refusal, as `_perform` answers;
    so nothing can be probed through the lookup. True: the action was already applied."""
    _ensure_visible(ticket, actor)
    try:
        _guard(ticket, actor, action, revision)
    except _AlreadyApplied:
        return True
    return False


def _ensure_visible(ticket: Ticket, actor: User | None) -> None:
    if actor is not None and not tickets_visible_to(actor).filter(pk=ticket.pk).exists():
        raise NotFound


def _perform(
    *,
    ticket: Ticket,
    actor: User | None,
    action: str,
    revision: int | None,
    changes: Changes | None = None,
    post: Post | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    event_internal: bool = False,
    bump_revision: bool = True,
    reporter_visible: bool = True,
    after: Callable[[Ticket, datetime.datetime], None] | None = None,
    now: datetime.datetime | None = None,
    author: User | None = None,
) -> Ticket:
    """Check, then apply one action atomically: ticket fields, message, files, event.

    Everything it writes is dated `now`; by default the current time once the row is
    locked, so that the recorded times follow the order in which the changes happened.
    `author`: for a system action (`actor` None), the person whose doing it is, named
    on its message and event (a linked ticket resolved by its incident's resolver).
    """
    writer = actor or author
    _ensure_visible(ticket, actor)
    try:
        _guard(ticket, actor, action, revision)  # early answer, before files are written
    except _AlreadyApplied:
        ticket.refresh_from_db()
        return ticket
    stored: list[str] = []
    files = list(post.files) if post else []
    try:
        if files:
            first = (ticket.attachments.aggregate(m=Max("sequence"))["m"] or 0) + 1
            _attachments_store(
                ticket_number=ticket.number, first=first, files=files, now=now, stored=stored
            )
        with transaction.atomic():
            # `of`: PostgreSQL cannot lock the nullable side of the outer join to holder.
            locked = (
                Ticket.objects.select_for_update(of=("self",))
                .select_related("holder", "lpse")
                .get(pk=ticket.pk)
            )
            try:
                _guard(locked, actor, action, revision)
            except _AlreadyApplied:
                stored_files_delete(stored)
                stored = []
                ticket.refresh_from_db()
                return ticket
            now = now or timezone.now()
            new_status = target_status(action, locked.status)
            updates = changes(locked, now) if changes else {}
            data = dict(data or {})
            if "tier" in updates:
                data.update(from_tier=locked.tier, to_tier=updates["tier"])
            updates["status"] = new_status
            if bump_revision:
                updates["revision"] = locked.revision + 1
            updates.update(
                ticket_sla_changes(
                    ticket=locked,
                    changes=updates,
                    now=now,
                    response_message_kind=(
                        post.kind if post is not None and not post.is_internal else None
                    ),
                )
            )
            # `public_updated_at` is what the reporter's pages and API see change.
            stamps = {"updated_at": now, **({"public_updated_at": now} if reporter_visible else {})}
            Ticket.objects.filter(pk=locked.pk).update(**updates, **stamps)
            message = None
            if post is not None:
                assert writer is not None
                message = Message.objects.create(
                    ticket=locked,
                    author=writer,
                    kind=post.kind,
                    body=post.body,
                    is_internal=post.is_internal,
                    created_at=now,
                )
                search_add_message(locked.pk, post.body)
                first = (locked.attachments.aggregate(m=Max("sequence"))["m"] or 0) + 1
                Attachment.objects.bulk_create(
                    Attachment(
                        ticket=locked,
                        message=message,
                        sequence=first + offset,
                        original_name=checked.display_name,
                        file=name,
                        size=checked.size,
                        content_type=checked.content_type,
                        sha256=checked.sha256,
                        uploaded_by=writer,
                        created_at=now,
                    )
                    for offset, (checked, name) in enumerate(zip(files, stored, strict=True))
                )
            TicketEvent.objects.create(
                ticket=locked,
                actor=writer,
                kind=EVENT_OF_ACTION[action],
                from_status=locked.status if new_status != locked.status else "",
                to_status=new_status if new_status != locked.status else "",
                reason=reason,
                is_internal=event_internal,
                data={
                    **data,
                    "revision": updates.get("revision", locked.revision),
                    **({"message": message.pk} if message else {}),
                },
                created_at=now,
            )
            if after is not None:
                after(locked, now)
            ticket_facts_refresh([locked.pk], now=now)
            transaction.on_commit(TICKET_ACTIONS.labels(action).inc)
            # Who hears about it is written with the change (tickets/notify.py).
            current = Ticket.objects.select_related(
                "lpse", "holder", "reporter", "merged_into"
            ).get(pk=locked.pk)
            ticket_event_notify(
                ticket=current,
                event_kind=EVENT_OF_ACTION[action],
                actor=writer,
                message=message,
                now=now,
            )
    except BaseException:
        stored_files_delete(stored)
        raise
    ticket.refresh_from_db()
    return ticket


def ticket_take(
    *,
    ticket: Ticket,
    actor: User,
    revision: int | None = None,
    now: datetime.datetime | None = None,
) -> Ticket:
    """An agent of the ticket's current tier takes it."""
    return _perform(
        ticket=ticket,
        actor=actor,
        action=Action.TAKE,
        revision=revision,
        changes=lambda t, at: {"holder": actor},
        data={"holder": actor.pk},
        now=now,
    )


def ticket_assign(
    *,
    ticket: Ticket,
    actor: User,
    assignee: User,
    revision: int | None = None,
    now: datetime.datetime | None = None,
) -> Ticket:
    """Hand the ticket to oneself or to a colleague of the same tier."""
    if not works_on_current_tier(assignee, ticket):
        # Who may not assign (or assigns from a stale page) hears that, whoever they named.
        _guard_early(ticket, actor, Action.ASSIGN, revision)
        raise ActionInvalid(
            _("%(name)s tidak bertugas di tier tiket ini untuk LPSE/aplikasi tiket ini.")
            % {"name": assignee.display_name}
        )
    return _perform(
        ticket=ticket,
        actor=actor,
        action=Action.ASSIGN,
        revision=revision,
        changes=lambda t, at: {"holder": assignee},
        data={"holder": assignee.pk, "holder_name": assignee.display_name},
        now=now,
    )


def ticket_reply(
    *,
    ticket: Ticket,
    actor: User,
    body: str,
    files: Sequence[CheckedFile] = (),
    revision: int | None = None,
    now: datetime.datetime | None = None,
) -> Ticket:
    """A public reply from the holder to the reporter."""
    text = _required_text(body, _("Balasan"))
    return _perform(
        ticket=ticket,
        actor=actor,
        action=Action.REPLY,
        revision=revision,
        post=Post(MessageKind.REPLY, text, files=files),
        now=now,
    )


def ticket_add_note(
    *,
    ticket: Ticket,
    actor: User,
    body: str,
    now: datetime.datetime | None = None,
) -> Ticket:
    """An internal note between staff: never shown to the reporter."""
    text = _required_text(body, _("Catatan internal"))
    # Notes do not move the revision, so a double click is recognised by its content:
    # the same note by the same person a moment ago is the same note.
    recent = (now or timezone.now()) - datetime.timedelta(seconds=NOTE_REPEAT_WINDOW_SECONDS)
    if ticket.messages.filter(
        author=actor, kind=MessageKind.NOTE, body=text, created_at__gte=recent
    ).exists():
        return ticket
    return _perform(
        ticket=ticket,
        actor=actor,
        action=Action.NOTE,
        revision=None,
        post=Post(MessageKind.NOTE, text, is_internal=True),
        event_internal=True,
        # A note changes nothing a colleague may be acting on: it does not make pages stale.
        bump_revision=False,
        # Nor anything the reporter can observe (live stamps, the API's updated_at).
        reporter_visible=False,
        now=now,
    )


def ticket_request_feedback(
    *,
    ticket: Ticket,
    actor: User,
    body: str,
    files: Sequence[CheckedFile] = (),
    revision: int | None = None,
    now: datetime.datetime | None = None,
) -> Ticket:
    """Ask the reporter for more information; the reporter sees **Beri Feedback**."""
    text = _required_text(body, _("Permintaan feedback"))
    return _perform(
        ticket=ticket,
        actor=actor,
        action=Action.REQUEST_FEEDBACK,
        revision=revision,
        post=Post(MessageKind.FEEDBACK_REQUEST, text, files=files),
        now=now,
    )


def ticket_resolve(
    *,
    ticket: Ticket,
    actor: User,
    body: str,
    files: Sequence[CheckedFile] = (),
    revision: int | None = None,
    now: datetime.datetime | None = None,
) -> Ticket:
    """Resolve with a resolution text; the reporter is asked to confirm. An incident's
    linked tickets are resolved with it (`_linked_resolve`), in the same transaction."""
    text = _required_text(body, _("Penyelesaian"))

    def resolve_linked(incident: Ticket, at: datetime.datetime) -> None:
        if incident.is_incident:
            _linked_resolve(incident=incident, resolver=actor, text=text, now=at)

    return _perform(
        ticket=ticket,
        actor=actor,
        action=Action.RESOLVE,
        revision=revision,
        changes=lambda t, at: {"resolved_by": actor, "resolved_at": at},
        post=Post(MessageKind.RESOLUTION, text, files=files),
        after=resolve_linked,
        now=now,
    )


def _escalate_changes(ticket: Ticket, at: datetime.datetime) -> dict[str, Any]:
    # `access.action_refusal` has ruled out tier 3 on the locked row.
    to_tier = ticket.tier + 1
    return {"tier": to_tier, "holder": None, "max_tier": max(ticket.max_tier, to_tier)}


def _return_changes(ticket: Ticket, at: datetime.datetime) -> dict[str, Any]:
    # `access.action_refusal` has ruled out tier 1 on the locked row.
    return {"tier": ticket.tier - 1, "holder": None}


def ticket_escalate(
    *,
    ticket: Ticket,
    actor: User,
    note: str,
    revision: int | None = None,
    now: datetime.datetime | None = None,
) -> Ticket:
    """Send the ticket up one tier with a note; it waits there to be taken."""
    text = _required_text(note, _("Catatan eskalasi"))
    # The tier limit is checked on the locked row, after visibility, revision and the
    # right to act: a double click returns quietly, a colleague without the right gets 403.
    return _perform(
        ticket=ticket,
        actor=actor,
        action=Action.ESCALATE,
        revision=revision,
        changes=_escalate_changes,
        post=Post(MessageKind.NOTE, text, is_internal=True),
        now=now,
    )


def ticket_return(
    *,
    ticket: Ticket,
    actor: User,
    note: str,
    revision: int | None = None,
    now: datetime.datetime | None = None,
) -> Ticket:
    """Send the ticket back down one tier with a note."""
    text = _required_text(note, _("Catatan pengembalian"))
    # The tier limit is checked on the locked row (see ticket_escalate).
    return _perform(
        ticket=ticket,
        actor=actor,
        action=Action.RETURN,
        revision=revision,
        changes=_return_changes,
        post=Post(MessageKind.NOTE, text, is_internal=True),
        now=now,
    )


def ticket_merge(
    *,
    ticket: Ticket,
    actor: User,
    into: Ticket,
    revision: int | None = None,
    now: datetime.datetime | None = None,
) -> Ticket:
    """Close a duplicate with a link to another open ticket of the same reporter."""
    if into.pk == ticket.pk:
        raise ActionInvalid(_("Tiket tidak dapat digabung ke dirinya sendiri."))
    if (
        into.reporter_id != ticket.reporter_id
        or into.status not in OPEN_STATUSES
        or not tickets_visible_to(actor).filter(pk=into.pk).exists()
    ):
        raise ActionInvalid(
            _("Tiket tujuan harus tiket terbuka milik pelapor yang sama dan dapat Anda lihat.")
        )

    def merge_changes(duplicate: Ticket, at: datetime.datetime) -> dict[str, Any]:
        # The target may have closed since the page was shown: check it under its lock.
        target = Ticket.objects.select_for_update().get(pk=into.pk)
        if target.status not in OPEN_STATUSES or target.merged_into_id is not None:
            raise ActionConflict(_("Tiket tujuan sudah ditutup; pilih tiket terbuka lain."))
        return {
            "merged_into": into,
            "close_reason": CloseReason.MERGED,
            "closed_at": at,
        }

    def mark_target(duplicate: Ticket, at: datetime.datetime) -> None:
        # Pages open on the target are now out of date: it gained a merged duplicate.
        Ticket.objects.filter(pk=into.pk).update(revision=F("revision") + 1)
        revision = Ticket.objects.values_list("revision", flat=True).get(pk=into.pk)
        TicketEvent.objects.create(
            ticket=into,
            actor=actor,
            kind=EventKind.MERGE_TARGET,
            data={"duplicate": duplicate.number, "revision": revision},
            reason=_("Tiket %(number)s digabung ke tiket ini.") % {"number": duplicate.number},
            created_at=at,
        )

    return _perform(
        ticket=ticket,
        actor=actor,
        action=Action.MERGE,
        revision=revision,
        changes=merge_changes,
        reason=_("Digabung ke tiket %(number)s.") % {"number": into.number},
        data={"into": into.number},
        after=mark_target,
        now=now,
    )


def ticket_give_feedback(
    *,
    ticket: Ticket,
    actor: User,
    body: str,
    files: Sequence[CheckedFile] = (),
    revision: int | None = None,
    now: datetime.datetime | None = None,
) -> Ticket:
    """The reporter answers a feedback request; the ticket goes back to the tier that asked."""
    text = _required_text(body, _("Pesan feedback"))
    return _perform(
        ticket=ticket,
        actor=actor,
        action=Action.GIVE_FEEDBACK,
        revision=revision,
        post=Post(MessageKind.FEEDBACK, text, files=files),
        now=now,
    )


def ticket_confirm(
    *,
    ticket: Ticket,
    actor: User,
    revision: int | None = None,
    now: datetime.datetime | None = None,
) -> Ticket:
    """The reporter confirms the resolution ("Ya, sudah"): the ticket closes."""
    return _perform(
        ticket=ticket,
        actor=actor,
        action=Action.CONFIRM,
        revision=revision,
        changes=lambda t, at: {"close_reason": CloseReason.CONFIRMED, "closed_at": at},
        now=now,
    )


def ticket_reopen(
    *,
    ticket: Ticket,
    actor: User,
    body: str,
    files: Sequence[CheckedFile] = (),
    revision: int | None = None,
    now: datetime.datetime | None = None,
) -> Ticket:
    """The reporter answers "Belum": reopened to whoever resolved it."""
    text = _required_text(body, _("Pesan"))
    return _perform(
        ticket=ticket,
        actor=actor,
        action=Action.REOPEN,
        revision=revision,
        changes=_reopen_changes,
        post=Post(MessageKind.REOPEN, text, files=files),
        now=now,
    )


def _reopen_changes(ticket: Ticket, at: datetime.datetime) -> dict[str, Any]:
    # Back to whoever resolved it, if they still work on this tier for it; otherwise the
    # ticket waits under "Belum diambil" instead of being stuck with somebody who left.
    resolver = ticket.resolved_by
    keeps = resolver is not None and resolver.is_active and works_on_current_tier(resolver, ticket)
    return {
        "holder_id": resolver.pk if keeps and resolver is not None else None,
        "reopen_count": ticket.reopen_count + 1,
        "resolved_at": None,
    }


def ticket_force_close(
    *,
    ticket: Ticket,
    actor: User,
    reason: str,
    revision: int | None = None,
    now: datetime.datetime | None = None,
) -> Ticket:
    """The reporter closes the ticket himself, with a reason."""
    text = _required_text(reason, _("Alasan"))
    return _perform(
        ticket=ticket,
        actor=actor,
        action=Action.FORCE_CLOSE,
        revision=revision,
        changes=lambda t, at: {"close_reason": CloseReason.FORCE_CLOSED, "closed_at": at},
        reason=text,
        now=now,
    )


def rating_categories_for(stars: int) -> list[RatingCategory]:
    """The rating categories offered for a number of stars."""
    return [c for c in RatingCategory.objects.all() if stars in (c.stars or [])]


def ticket_rate(
    *,
    ticket: Ticket,
    actor: User,
    stars: int,
    categories: Sequence[RatingCategory] = (),
    comment: str = "",
    now: datetime.datetime | None = None,
) -> Ticket:
    """One rating per ticket, after it was confirmed or force-closed."""
    if not 1 <= stars <= 5:
        raise ActionInvalid(_("Pilih 1 sampai 5 bintang."))
    offered = {c.pk for c in rating_categories_for(stars)}
    if any(c.pk not in offered for c in categories):
        raise ActionInvalid(_("Kategori penilaian tidak sesuai dengan jumlah bintang."))
    comment = _no_nul((comment or "").strip(), _("Saran dan kritik"))
    if len(comment) > MAX_MESSAGE_LENGTH:
        raise ActionInvalid(_("Saran dan kritik terlalu panjang."))

    def save_rating(locked: Ticket, at: datetime.datetime) -> None:
        # `access.action_refusal` checked the rules on the locked row; the unique
        # constraint still answers two ratings racing past that check.
        try:
            with transaction.atomic():
                rating = Rating.objects.create(
                    ticket=locked, stars=stars, comment=comment, created_at=at
                )
        except IntegrityError as error:
            raise ActionConflict(_("Tiket ini sudah diberi penilaian.")) from error
        rating.categories.set(categories)

    return _perform(
        ticket=ticket,
        actor=actor,
        action=Action.RATE,
        revision=None,
        data={"stars": stars},
        after=save_rating,
        now=now,
    )


def auto_close_due_at(
    ticket: Ticket, *, book: CalendarBook | None = None
) -> datetime.datetime | None:
    """When an unanswered resolution closes by itself: N working days of the LPSE's
    calendar (its working days, without holidays and cuti bersama)."""
    if ticket.resolved_at is None:
        return None
    calendar = (book or CalendarBook.load()).calendar(
        lpse_id=ticket.lpse_id, tz_name=ticket.lpse.timezone, around_the_clock=False
    )
    return add_working_days(ticket.resolved_at, settings.AUTO_CLOSE_WORKING_DAYS, calendar)


def tickets_auto_close(*, now: datetime.datetime | None = None) -> int:
    """Close every ticket whose confirmation is overdue at `now`; safe to run on several
    machines. Without `now`, each ticket is closed (and dated) at the current time."""
    moment = now or timezone.now()
    # Prefilter with calendar days (N working days are at least N calendar days).
    candidates = Ticket.objects.filter(
        status=Status.AWAITING_CONFIRMATION,
        resolved_at__lte=moment - datetime.timedelta(days=settings.AUTO_CLOSE_WORKING_DAYS),
    ).select_related("lpse")
    book = CalendarBook.load()
    closed = 0
    for ticket in candidates.iterator():
        due = auto_close_due_at(ticket, book=book)
        if due is None or due > moment:
            continue
        try:
            _perform(
                ticket=ticket,
                actor=None,
                action=Action.AUTO_CLOSE,
                # Another machine closing it first makes this one's revision stale.
                revision=ticket.revision,
                changes=lambda t, at: {"close_reason": CloseReason.AUTO_CLOSED, "closed_at": at},
                reason=_("Tidak ada konfirmasi dari pelapor dalam %(days)d hari kerja.")
                % {"days": settings.AUTO_CLOSE_WORKING_DAYS},
                now=now,
            )
        except ActionConflict:
            continue
        closed += 1
    return closed


def ticket_revalidate_code(
    *,
    ticket: Ticket,
    actor: User,
    revision: int | None = None,
    now: datetime.datetime | None = None,
) -> Ticket:
    """Ask the source about the ticket's code again; snapshot and priority follow."""
    # Only who may revalidate makes the outside source be asked.
    if _guard_early(ticket, actor, Action.REVALIDATE_CODE, revision):
        ticket.refresh_from_db()
        return ticket
    # Staff wait on the source no longer than a reporter typing the code on Buat Tiket.
    check = code_check(
        kind=ticket.code_kind, code=ticket.code, budget=settings.INTEGRATION_LOOKUP_WAIT_SECONDS
    )
    if not check.validated and ticket.code_validated:
        # A source that is down now must not erase what it said before.
        raise ActionConflict(
            _("Sumber data tidak dapat memastikan kode saat ini: %(note)s") % {"note": check.note}
        )
    priority, reason = priority_for_draft(
        category=ticket.category,
        ticket_type=ticket.ticket_type,
        tender=check.tender,
        lpse_timezone=ticket.lpse.timezone,
        now=now or timezone.now(),
        code_unanswered=check.unanswered,
    )

    def changes(locked: Ticket, at: datetime.datetime) -> dict[str, Any]:
        return code_check_changes(locked, check, priority=priority, reason=reason, at=at)

    return _perform(
        ticket=ticket,
        actor=actor,
        action=Action.REVALIDATE_CODE,
        revision=revision,
        changes=changes,
        data={
            "validated": check.validated,
            "priority_from": ticket.priority,
            "priority_to": ticket.priority if ticket.priority_overridden else priority,
        },
        reason=reason if not ticket.priority_overridden else "",
        now=now,
    )


def ticket_override_priority(
    *,
    ticket: Ticket,
    actor: User,
    priority: str,
    reason: str,
    revision: int | None = None,
    now: datetime.datetime | None = None,
) -> Ticket:
    """Staff set the priority by hand, with a reason that is recorded and shown."""
    text = _required_text(reason, _("Alasan perubahan prioritas"))
    if priority not in Priority.values:
        raise ActionInvalid(_("Prioritas tidak dikenal."))
    label = Priority(priority).label
    explanation = _("%(priority)s: diubah oleh petugas — %(reason)s") % {
        "priority": label,
        "reason": text,
    }
    return _perform(
        ticket=ticket,
        actor=actor,
        action=Action.OVERRIDE_PRIORITY,
        revision=revision,
        changes=lambda t, at: {
            "priority": priority,
            "priority_reason": explanation[:300],
            "priority_overridden": True,
        },
        data={"priority_from": ticket.priority, "priority_to": priority},
        reason=text,
        event_internal=False,
        now=now,
    )


def ticket_change_category(
    *,
    ticket: Ticket,
    actor: User,
    category: Category,
    reason: str,
    revision: int | None = None,
    now: datetime.datetime | None = None,
) -> Ticket:
    """Staff correct the ticket's category, with a reason that is recorded and shown.

    The priority follows the new category by the rules of filing (the ticket's type, its
    LPSE's time zone, the tender its code's kept answer names), unless staff set it by
    hand; the SLA targets follow the priority, as for *Ubah prioritas*.
    """
    text = _required_text(reason, _("Alasan perubahan kategori"))
    if not categories_selectable(ticket.application_id).filter(pk=category.pk).exists():
        # Who may not change it (or changes it from a stale page) hears that, whatever
        # category they named.
        _guard_early(ticket, actor, Action.CHANGE_CATEGORY, revision)
        raise ActionInvalid(
            _("Pilih kategori aktif yang tersedia untuk aplikasi %(application)s.")
            % {"application": ticket.application.name}
        )
    # Filled from the locked row by `changes`, which `_perform` calls before it records
    # the event: the history says what the category and priority really were.
    record: dict[str, Any] = {}

    def changes(locked: Ticket, at: datetime.datetime) -> dict[str, Any]:
        if locked.category_id == category.pk:
            raise ActionInvalid(
                _("Tiket ini sudah berkategori «%(category)s»; pilih kategori lain.")
                % {"category": category.path_label}
            )
        updates: dict[str, Any] = {"category": category}
        if not locked.priority_overridden:
            # As at filing, the code counts only for a category that takes its kind; a
            # code its source has not answered about yet is still asked in the
            # background, and the explanation says so.
            code_counts = bool(locked.code) and category.code_kind == locked.code_kind
            unanswered = (
                code_counts
                and not locked.code_validated
                and locked.code_recheck_until is not None
                and locked.code_recheck_until > at
            )
            priority, explanation = priority_for_draft(
                category=category,
                ticket_type=locked.ticket_type,
                tender=ticket_tender(locked) if code_counts else None,
                lpse_timezone=locked.lpse.timezone,
                now=at,
                code_unanswered=unanswered,
            )
            updates.update(priority=priority, priority_reason=explanation)
        previous = locked.category
        record.update(
            category_from=previous.pk,
            category_from_name=previous.path_label,
            category_to=category.pk,
            category_to_name=category.path_label,
            priority_from=locked.priority,
            priority_to=updates.get("priority", locked.priority),
        )
        return updates

    return _perform(
        ticket=ticket,
        actor=actor,
        action=Action.CHANGE_CATEGORY,
        revision=revision,
        changes=changes,
        data=record,
        reason=text,
        event_internal=False,
        now=now,
    )


# --- Tautkan ke insiden (issue 18) ----------------------------------------------------
#
# Lock order: the incident's row before a linked ticket's row, in linking, unlinking and
# resolving alike, so that two of them never wait on each other.


def _incident_refusal(ticket: Ticket, incident: Ticket) -> ActionInvalid | None:
    if incident.pk == ticket.pk:
        return ActionInvalid(_("Tiket tidak dapat ditautkan ke dirinya sendiri."))
    if incident.reporter_id == ticket.reporter_id:
        return ActionInvalid(
            _("Tiket milik pelapor yang sama digabungkan, bukan ditautkan ke insiden.")
        )
    if (
        incident.application_id != ticket.application_id
        or incident.status not in UNANSWERED_STATUSES
        or incident.incident_id is not None
    ):
        return ActionInvalid(
            _(
                "Insiden harus tiket terbuka yang belum diselesaikan, tentang aplikasi yang "
                "sama, dan tidak ditautkan ke insiden lain."
            )
        )
    return None


def ticket_link_incident(
    *,
    ticket: Ticket,
    actor: User,
    incident: Ticket,
    revision: int | None = None,
    now: datetime.datetime | None = None,
) -> Ticket:
    """Link a ticket to a parent incident: an open, unresolved ticket of another reporter
    about the same application with the same cause, which the staff member sees. When
    the incident is resolved, this ticket is resolved with it."""
    if _guard_early(ticket, actor, Action.LINK_INCIDENT, revision):
        ticket.refresh_from_db()
        return ticket
    if not tickets_visible_to(actor).filter(pk=incident.pk).exists():
        raise ActionInvalid(_("Insiden tidak ditemukan di antara tiket yang dapat Anda lihat."))
    if (refusal := _incident_refusal(ticket, incident)) is not None:
        raise refusal

    def link(locked: Ticket, at: datetime.datetime) -> dict[str, Any]:
        # Checked again under the locks: the incident may have changed since the page.
        parent = Ticket.objects.get(pk=incident.pk)
        if (refusal := _incident_refusal(locked, parent)) is not None:
            raise ActionConflict(refusal.message)
        return {"incident": parent}

    def mark_incident(locked: Ticket, at: datetime.datetime) -> None:
        # Pages open on the incident are out of date: it gained a linked ticket.
        Ticket.objects.filter(pk=incident.pk).update(
            is_incident=True, revision=F("revision") + 1, updated_at=at
        )
        parent_revision = Ticket.objects.values_list("revision", flat=True).get(pk=incident.pk)
        TicketEvent.objects.create(
            ticket_id=incident.pk,
            actor=actor,
            kind=EventKind.INCIDENT_MEMBER,
            is_internal=True,
            data={"ticket": locked.number, "revision": parent_revision},
            reason=_("Tiket %(number)s ditautkan ke insiden ini.") % {"number": locked.number},
            created_at=at,
        )

    with transaction.atomic():
        Ticket.objects.select_for_update().filter(pk=incident.pk).first()
        return _perform(
            ticket=ticket,
            actor=actor,
            action=Action.LINK_INCIDENT,
            revision=revision,
            changes=link,
            reason=_("Ditautkan ke insiden %(number)s.") % {"number": incident.number},
            data={"incident": incident.number},
            # Another reporter's ticket: its number is for staff only.
            event_internal=True,
            reporter_visible=False,
            after=mark_incident,
            now=now,
        )


def ticket_unlink_incident(
    *,
    ticket: Ticket,
    actor: User,
    revision: int | None = None,
    now: datetime.datetime | None = None,
) -> Ticket:
    """Take a ticket out of its incident: it is handled, and resolved, on its own again.
    An incident left with no linked ticket is an ordinary ticket again."""
    if _guard_early(ticket, actor, Action.UNLINK_INCIDENT, revision):
        ticket.refresh_from_db()
        return ticket
    incident_id = Ticket.objects.values_list("incident_id", flat=True).get(pk=ticket.pk)
    number = Ticket.objects.values_list("number", flat=True).filter(pk=incident_id).first() or ""

    def unlink(locked: Ticket, at: datetime.datetime) -> dict[str, Any]:
        if locked.incident_id != incident_id:
            raise ActionConflict(_("Tautan insiden tiket ini telah berubah. Muat ulang halaman."))
        return {"incident": None}

    def unmark_incident(locked: Ticket, at: datetime.datetime) -> None:
        if not Ticket.objects.filter(incident_id=incident_id).exists():
            Ticket.objects.filter(pk=incident_id).update(
                is_incident=False, revision=F("revision") + 1, updated_at=at
            )

    with transaction.atomic():
        Ticket.objects.select_for_update().filter(pk=incident_id).first()
        return _perform(
            ticket=ticket,
            actor=actor,
            action=Action.UNLINK_INCIDENT,
            revision=revision,
            changes=unlink,
            reason=_("Dilepas dari insiden %(number)s.") % {"number": number},
            data={"incident": number},
            event_internal=True,
            reporter_visible=False,
            after=unmark_incident,
            now=now,
        )


def _linked_resolve(*, incident: Ticket, resolver: User, text: str, now: datetime.datetime) -> None:
    """Resolve the incident's linked tickets that still wait for their answer, each
    through the state machine (`Action.INCIDENT_RESOLVE`) with the incident's resolution
    as its own: each reporter is asked to confirm, and may answer *Belum*."""
    waiting = list(
        Ticket.objects.filter(incident_id=incident.pk, status__in=UNANSWERED_STATUSES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in waiting:
        _perform(
            ticket=Ticket.objects.get(pk=pk),
            actor=None,
            author=resolver,
            action=Action.INCIDENT_RESOLVE,
            revision=None,
            changes=lambda t, at: {"resolved_by": resolver, "resolved_at": at},
            post=Post(MessageKind.RESOLUTION, text),
            data={"incident": incident.number},
            now=now,
        )
