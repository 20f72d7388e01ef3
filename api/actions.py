"""What a person does through the API: file a ticket, and every action of the web on
one. Each endpoint starts with the same access helper as the web and calls the same
domain service; the web's forms validate what the web's forms validate, and files are
checked by the same attachment rules."""

import hashlib
import json
from collections.abc import Callable

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Schema, Status
from ninja.files import UploadedFile as NinjaUploadedFile

from accounts.models import User
from api.auth import api_user
from api.detail import TicketAnswer, ticket_answer, ticket_answer_from, ticket_answer_of
from api.errors import ERROR_RESPONSES, ApiFieldErrors
from api.router import router
from api.schemas import (
    AssignIn,
    CategoryChangeIn,
    CloseIn,
    DbId,
    IncidentIn,
    MergeIn,
    NoteIn,
    PriorityIn,
    RatingIn,
    RevisionIn,
    TicketOut,
)
from lib.errors import NotFound
from reference.models import Category, RatingCategory
from tickets import services
from tickets.access import action_refusal, get_ticket_for_user, tickets_visible_to
from tickets.attachments import AttachmentsRejected, CheckedFile, attachments_validate
from tickets.forms import TicketCreateForm
from tickets.lifecycle import Action
from tickets.models import Ticket
from tickets.queues import assignable_staff
from tickets.selectors import ticket_detail_of_new


def _checked_files(files: list[NinjaUploadedFile] | None) -> list[CheckedFile]:
    """The attachment rules of the web; 415 for a type, 413 for a size, else 422."""
    try:
        return attachments_validate(list(files or []))
    except AttachmentsRejected as rejected:
        kinds = rejected.kinds
        status = 415 if kinds & {"type", "content"} else 413 if "size" in kinds else 422
        raise ApiFieldErrors({"files": rejected.messages}, status=status) from rejected


def _detail(user: User, number: str) -> TicketAnswer:
    """The ticket as it is now, answered by every write (`TicketOut`)."""
    return ticket_answer(user, number)


# --- Creating ----------------------------------------------------------------------------


class TicketIn(Schema):
    notification_email: str
    title: str
    lpse: DbId
    application: DbId
    version: DbId
    ticket_type: DbId
    category: DbId
    description: str
    code: str = ""
    error_code: str = ""
    manual_nama_paket: str = ""
    manual_instansi: str = ""
    manual_tahap: str = ""
    manual_jadwal_berakhir: str = ""


def _request_fingerprint(data: TicketIn, files: list[CheckedFile]) -> str:
    """SHA-256 of what the request asks for: its fields and its files (name, content)."""
    canonical = json.dumps(
        {
            "fields": data.dict(),
            "files": [[f.display_name, f.sha256] for f in files],
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@router.post(
    "/tickets",
    response={200: TicketOut, 201: TicketOut, **ERROR_RESPONSES},
    tags=["Tiket"],
)
def ticket_create(
    request: HttpRequest,
    data: Form[TicketIn],
    files: File[list[NinjaUploadedFile]] = None,  # type: ignore[assignment]
) -> Status:
    """File a ticket (reporters), multipart with optional `files`.

    Send an `Idempotency-Key` header: a retried request with the same key answers the
    ticket the first one created (200) instead of creating another (201). The same key
    with different fields or files answers 422 (`idempotency_key_reused`).
    """
    user = api_user(request)
    refusal = action_refusal(user, None, Action.CREATE)
    if refusal is not None:
        raise refusal
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 64:
        raise ApiFieldErrors({"Idempotency-Key": [_("Paling banyak 64 karakter.")]})
    checked = _checked_files(files)
    fingerprint = _request_fingerprint(data, checked) if key else ""
    # A retry is answered before its fields are checked again (and its code looked up).
    existing = services.ticket_submission_find(
        reporter=user, submission_key=key, submission_fingerprint=fingerprint
    )
    if existing is not None:
        return Status(200, _detail(user, existing.number))
    form = TicketCreateForm(data.dict(), reporter=user)
    if not form.is_valid():
        raise ApiFieldErrors.from_form(form)
    # A concurrent request with the same key may have won: then this one finds its ticket.
    result = services.ticket_submit(
        reporter=user,
        draft=form.to_draft(),
        files=checked,
        submission_key=key,
        submission_fingerprint=fingerprint,
    )
    # The reporter's own ticket, just filed (or the key's earlier one): answered from the
    # objects in hand, without reading it back through the visibility query; a new one
    # with the rows the service wrote, without reading those back either.
    if not result.created:
        return Status(200, ticket_answer_of(user, result.ticket))
    detail = ticket_detail_of_new(
        user, result.ticket, attachments=result.attachments, events=result.events
    )
    return Status(201, ticket_answer_from(user, detail))


# --- Actions -----------------------------------------------------------------------------


def _act(
    request: HttpRequest, number: str, perform: Callable[[User, Ticket], object]
) -> TicketAnswer:
    user = api_user(request)
    ticket = get_ticket_for_user(user, number)
    perform(user, ticket)
    return _detail(user, number)


ACTION = {200: TicketOut, **ERROR_RESPONSES}


class MessageForm(Schema):
    body: str
    revision: int | None = None


def _message_action(service: Callable[..., Ticket]) -> Callable[..., TicketAnswer]:
    """An endpoint for an action that posts a message with files (multipart)."""

    def endpoint(
        request: HttpRequest,
        number: str,
        data: Form[MessageForm],
        files: File[list[NinjaUploadedFile]] = None,  # type: ignore[assignment]
    ) -> TicketAnswer:
        checked = _checked_files(files)
        return _act(
            request,
            number,
            lambda user, ticket: service(
                ticket=ticket, actor=user, body=data.body, files=checked, revision=data.revision
            ),
        )

    return endpoint


router.post(
    "/tickets/{number}/feedback",
    response=ACTION,
    tags=["Pelapor"],
    summary="Beri Feedback: answer the helpdesk's request (message and files)",
    operation_id="ticket_give_feedback",
)(_message_action(services.ticket_give_feedback))
router.post(
    "/tickets/{number}/reopen",
    response=ACTION,
    tags=["Pelapor"],
    summary="Konfirmasi › Belum: what is still wrong; back to the handler who resolved it",
    operation_id="ticket_reopen",
)(_message_action(services.ticket_reopen))


@router.post("/tickets/{number}/confirm", response=ACTION, tags=["Pelapor"])
def confirm(request: HttpRequest, number: str, data: RevisionIn) -> TicketAnswer:
    """Konfirmasi › Ya, sudah: the ticket is closed."""
    return _act(
        request,
        number,
        lambda user, ticket: services.ticket_confirm(
            ticket=ticket, actor=user, revision=data.revision
        ),
    )


@router.post("/tickets/{number}/close", response=ACTION, tags=["Pelapor"])
def force_close(request: HttpRequest, number: str, data: CloseIn) -> TicketAnswer:
    """Tutup Tiket: the reporter closes the ticket with a reason."""
    return _act(
        request,
        number,
        lambda user, ticket: services.ticket_force_close(
            ticket=ticket, actor=user, reason=data.reason, revision=data.revision
        ),
    )


@router.post("/tickets/{number}/rating", response=ACTION, tags=["Pelapor"])
def rate(request: HttpRequest, number: str, data: RatingIn) -> TicketAnswer:
    """Penilaian: 1–5 stars, categories offered for that many stars, a comment."""
    categories = list(RatingCategory.objects.filter(pk__in=data.categories))
    if len(categories) != len(set(data.categories)):
        raise ApiFieldErrors({"categories": [_("Kategori penilaian tidak dikenal.")]})
    return _act(
        request,
        number,
        lambda user, ticket: services.ticket_rate(
            ticket=ticket, actor=user, stars=data.stars, categories=categories, comment=data.comment
        ),
    )


@router.post("/tickets/{number}/take", response=ACTION, tags=["Petugas"])
def take(request: HttpRequest, number: str, data: RevisionIn) -> TicketAnswer:
    return _act(
        request,
        number,
        lambda user, ticket: services.ticket_take(
            ticket=ticket, actor=user, revision=data.revision
        ),
    )


@router.post("/tickets/{number}/assign", response=ACTION, tags=["Petugas"])
def assign(request: HttpRequest, number: str, data: AssignIn) -> TicketAnswer:
    """Assign to a colleague of the ticket's current tier (by username)."""

    def perform(user: User, ticket: Ticket) -> object:
        assignee = assignable_staff(ticket).filter(username=data.assignee).first()
        if assignee is None:
            # Who may not assign hears that, whoever they named (as in the service).
            if (refusal := action_refusal(user, ticket, Action.ASSIGN)) is not None:
                raise refusal
            raise ApiFieldErrors({"assignee": [_("Petugas tidak ditemukan di tier tiket ini.")]})
        return services.ticket_assign(
            ticket=ticket, actor=user, assignee=assignee, revision=data.revision
        )

    return _act(request, number, perform)


router.post(
    "/tickets/{number}/reply",
    response=ACTION,
    tags=["Petugas"],
    summary="Reply",
    operation_id="ticket_reply",
)(_message_action(services.ticket_reply))
router.post(
    "/tickets/{number}/feedback-request",
    response=ACTION,
    tags=["Petugas"],
    summary="Request feedback",
    operation_id="ticket_request_feedback",
)(_message_action(services.ticket_request_feedback))
router.post(
    "/tickets/{number}/resolve",
    response=ACTION,
    tags=["Petugas"],
    summary="Resolve",
    operation_id="ticket_resolve",
)(_message_action(services.ticket_resolve))


class NoteForm(Schema):
    body: str


@router.post("/tickets/{number}/notes", response=ACTION, tags=["Petugas"])
def add_note(request: HttpRequest, number: str, data: NoteForm) -> TicketAnswer:
    """An internal note (never shown to the reporter)."""
    return _act(
        request,
        number,
        lambda user, ticket: services.ticket_add_note(ticket=ticket, actor=user, body=data.body),
    )


@router.post("/tickets/{number}/escalate", response=ACTION, tags=["Petugas"])
def escalate(request: HttpRequest, number: str, data: NoteIn) -> TicketAnswer:
    return _act(
        request,
        number,
        lambda user, ticket: services.ticket_escalate(
            ticket=ticket, actor=user, note=data.note, revision=data.revision
        ),
    )


@router.post("/tickets/{number}/return", response=ACTION, tags=["Petugas"])
def return_down(request: HttpRequest, number: str, data: NoteIn) -> TicketAnswer:
    return _act(
        request,
        number,
        lambda user, ticket: services.ticket_return(
            ticket=ticket, actor=user, note=data.note, revision=data.revision
        ),
    )


@router.post("/tickets/{number}/merge", response=ACTION, tags=["Petugas"])
def merge(request: HttpRequest, number: str, data: MergeIn) -> TicketAnswer:
    def perform(user: User, ticket: Ticket) -> object:
        try:
            into = get_ticket_for_user(user, data.into)
        except NotFound:
            # Who may not merge hears that, whatever they named (as for assign).
            if (refusal := action_refusal(user, ticket, Action.MERGE)) is not None:
                raise refusal from None
            raise
        return services.ticket_merge(ticket=ticket, actor=user, into=into, revision=data.revision)

    return _act(request, number, perform)


@router.post("/tickets/{number}/revalidate-code", response=ACTION, tags=["Petugas"])
def revalidate_code(request: HttpRequest, number: str, data: RevisionIn) -> TicketAnswer:
    return _act(
        request,
        number,
        lambda user, ticket: services.ticket_revalidate_code(
            ticket=ticket, actor=user, revision=data.revision
        ),
    )


@router.post("/tickets/{number}/priority", response=ACTION, tags=["Petugas"])
def override_priority(request: HttpRequest, number: str, data: PriorityIn) -> TicketAnswer:
    return _act(
        request,
        number,
        lambda user, ticket: services.ticket_override_priority(
            ticket=ticket,
            actor=user,
            priority=data.priority,
            reason=data.reason,
            revision=data.revision,
        ),
    )


@router.post("/tickets/{number}/category", response=ACTION, tags=["Petugas"])
def change_category(request: HttpRequest, number: str, data: CategoryChangeIn) -> TicketAnswer:
    """Ubah kategori: an active category of the ticket's application (ids from
    /api/v1/categories), with a reason shown in the history; the priority and SLA
    targets follow the new category unless staff set the priority by hand."""

    def perform(user: User, ticket: Ticket) -> object:
        category = Category.objects.select_related("parent").filter(pk=data.category).first()
        if category is None:
            # Who may not change it hears that, whatever they named (as for assign).
            if (refusal := action_refusal(user, ticket, Action.CHANGE_CATEGORY)) is not None:
                raise refusal
            raise ApiFieldErrors({"category": [_("Kategori tidak dikenal.")]})
        return services.ticket_change_category(
            ticket=ticket,
            actor=user,
            category=category,
            reason=data.reason,
            revision=data.revision,
        )

    return _act(request, number, perform)


@router.post("/tickets/{number}/incident", response=ACTION, tags=["Petugas"])
def link_incident(request: HttpRequest, number: str, data: IncidentIn) -> TicketAnswer:
    """Tautkan ke insiden: link the ticket to a parent incident, an open and unresolved
    ticket of another reporter about the same application that the caller sees. When
    the incident is resolved, the ticket is resolved with its resolution."""

    def perform(user: User, ticket: Ticket) -> object:
        number = data.incident.strip()
        found = (
            tickets_visible_to(user).filter(number=number).order_by().first()
            if number.isprintable()
            else None
        )
        if found is None:
            # Who may not link hears that, whatever they named (as for assign).
            if (refusal := action_refusal(user, ticket, Action.LINK_INCIDENT)) is not None:
                raise refusal
            raise ApiFieldErrors(
                {"incident": [_("Insiden tidak ditemukan di antara tiket yang dapat Anda lihat.")]}
            )
        return services.ticket_link_incident(
            ticket=ticket, actor=user, incident=found, revision=data.revision
        )

    return _act(request, number, perform)


@router.post("/tickets/{number}/unlink-incident", response=ACTION, tags=["Petugas"])
def unlink_incident(request: HttpRequest, number: str, data: RevisionIn) -> TicketAnswer:
    """Lepaskan dari insiden: the ticket is handled, and resolved, on its own again."""
    return _act(
        request,
        number,
        lambda user, ticket: services.ticket_unlink_incident(
            ticket=ticket, actor=user, revision=data.revision
        ),
    )
