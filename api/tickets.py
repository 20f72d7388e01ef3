"""Tickets through the API: reference data, list/search, detail, create, downloads, and
every action of the web. Each endpoint starts with the same access helper as the web
(`tickets_visible_to`, `get_ticket_for_user`) and calls the same domain services; the
web's forms validate what the web's forms validate."""

import base64
import binascii
import datetime
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile as NinjaUploadedFile

from accounts.models import User
from api.auth import api_user
from api.errors import ERROR_RESPONSES, ApiError, ApiFieldErrors
from api.schemas import (
    ApplicationOut,
    AssignIn,
    CategoryOut,
    CloseIn,
    DbId,
    LpseOut,
    MergeIn,
    NoteIn,
    PriorityIn,
    RatingIn,
    RevisionIn,
    TicketOut,
    TicketPageOut,
    TicketTypeOut,
)
from lib.errors import NotFound
from lpse_support.downloads import download_response
from reference.models import Application, Category, Lpse, RatingCategory, TicketType
from tickets import services
from tickets.access import (
    action_refusal,
    get_ticket_for_user,
    tickets_visible_to,
)
from tickets.attachments import (
    AttachmentsRejected,
    CheckedFile,
    attachments_validate,
)
from tickets.console_forms import ConsoleFilterForm
from tickets.downloads import get_attachment_download, get_attachments_zip
from tickets.forms import STATUS_FILTERS, TicketCreateForm, TicketSearchForm
from tickets.lifecycle import Action
from tickets.models import Ticket
from tickets.queues import SORT_NEWEST, SORT_OLDEST, console_list, queue_tickets
from tickets.selectors import TicketDetail, ticket_detail_for, ticket_list_filter, updated_at_for

router = Router()

PAGE_SIZE_MAX = 100
REFERENCE = ["Referensi"]


# --- Reference data ----------------------------------------------------------------------


@router.get(
    "/applications", response={200: list[ApplicationOut], **ERROR_RESPONSES}, tags=REFERENCE
)
def application_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Applications with their versions (for creating tickets)."""
    return [
        {
            "id": app.pk,
            "code": app.code,
            "name": app.name,
            "versions": [{"id": v.pk, "name": v.name} for v in app.versions.all() if v.is_active],
        }
        for app in Application.objects.filter(is_active=True).prefetch_related("versions")
    ]


@router.get("/categories", response={200: list[CategoryOut], **ERROR_RESPONSES}, tags=REFERENCE)
def category_list(request: HttpRequest, application: DbId | None = None) -> list[dict[str, Any]]:
    """Category trees; `selectable` ones can be chosen for a ticket."""
    categories = Category.objects.filter(is_active=True).select_related("parent")
    if application is not None:
        categories = categories.filter(application_id=application)
    return [
        {
            "id": c.pk,
            "application_id": c.application_id,
            "parent_id": c.parent_id,
            "name": c.name,
            "path": c.path_label,
            "code_kind": c.code_kind,
            "code_required": c.code_required,
            "selectable": c.is_leaf,
        }
        for c in categories.order_by("application_id", "order", "pk")
    ]


@router.get("/lpse", response={200: list[LpseOut], **ERROR_RESPONSES}, tags=REFERENCE)
def lpse_list(request: HttpRequest) -> QuerySet[Lpse]:
    return Lpse.objects.filter(is_active=True).order_by("kd_lpse")


@router.get("/ticket-types", response={200: list[TicketTypeOut], **ERROR_RESPONSES}, tags=REFERENCE)
def ticket_type_list(request: HttpRequest) -> QuerySet[TicketType]:
    return TicketType.objects.order_by("pk")


# --- Listing -----------------------------------------------------------------------------


class ListQuery(Schema):
    """The web's filters: reporters (nomor, status, judul) and staff (the console's)."""

    nomor: str = ""
    judul: str = ""
    status: str = ""
    antrian: str = ""
    cari: str = ""
    prioritas: str = ""
    aplikasi: str = ""
    kategori: str = ""
    lpse: str = ""
    tier: str = ""
    dari: str = ""
    sampai: str = ""
    urut: str = ""
    cursor: str = ""
    limit: int = 20


def _form_errors(form: Any) -> dict[str, list[str]]:
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


def _encode_cursor(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _decode_cursor(raw: str) -> dict[str, Any]:
    try:
        padded = raw + "=" * (-len(raw) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise ApiFieldErrors({"cursor": [_("Cursor tidak valid.")]}) from error
    if not isinstance(data, dict):
        raise ApiFieldErrors({"cursor": [_("Cursor tidak valid.")]})
    return data


def _page(
    tickets: QuerySet[Ticket], sort: str, cursor: str, limit: int
) -> tuple[list[Ticket], str | None]:
    """Keyset pages for newest/oldest (stable under inserts), offset pages otherwise."""
    if not 1 <= limit <= PAGE_SIZE_MAX:
        raise ApiFieldErrors({"limit": [_("Antara 1 dan %(max)d.") % {"max": PAGE_SIZE_MAX}]})
    position = _decode_cursor(cursor) if cursor else {}
    if sort in (SORT_NEWEST, SORT_OLDEST):
        if position:
            try:
                created = datetime.datetime.fromisoformat(str(position["t"]))
                pk = int(position["i"])
            except (KeyError, TypeError, ValueError) as error:
                raise ApiFieldErrors({"cursor": [_("Cursor tidak valid.")]}) from error
            if sort == SORT_NEWEST:
                tickets = tickets.filter(created_at__lt=created) | tickets.filter(
                    created_at=created, pk__lt=pk
                )
            else:
                tickets = tickets.filter(created_at__gt=created) | tickets.filter(
                    created_at=created, pk__gt=pk
                )
        rows = list(tickets[: limit + 1])
        more = len(rows) > limit
        rows = rows[:limit]
        nxt = (
            _encode_cursor({"t": rows[-1].created_at.isoformat(), "i": rows[-1].pk})
            if more
            else None
        )
        return rows, nxt
    try:
        offset = int(position.get("o", 0))
    except (TypeError, ValueError) as error:
        raise ApiFieldErrors({"cursor": [_("Cursor tidak valid.")]}) from error
    if offset < 0:
        raise ApiFieldErrors({"cursor": [_("Cursor tidak valid.")]})
    rows = list(tickets[offset : offset + limit + 1])
    more = len(rows) > limit
    return rows[:limit], _encode_cursor({"o": offset + limit}) if more else None


def _summary(user: User, ticket: Ticket) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "title": ticket.title,
        "status": ticket.status,
        "status_label": str(ticket.get_status_display()),
        "priority": ticket.priority,
        "tier": ticket.tier,
        "lpse": ticket.lpse.name,
        "application": ticket.application.code,
        "holder": ticket.holder.display_name if ticket.holder else None,
        "created_at": ticket.created_at,
        "updated_at": updated_at_for(user, ticket),
        "next_due_at": ticket.next_due_at,
    }


@router.get("/tickets", response={200: TicketPageOut, **ERROR_RESPONSES}, tags=["Tiket"])
def ticket_list(request: HttpRequest, filters: Query[ListQuery]) -> dict[str, Any]:
    """Tickets the token's user sees, with the web's filters; newest first by default.

    Reporters: `nomor`, `status` (belum, sedang, perlu_tindakan, …as on the web), `judul`.
    Staff: the console's `antrian`, `cari`, `status`, `prioritas`, `aplikasi`,
    `kategori`, `lpse`, `tier`, `dari`, `sampai`, `urut`.
    """
    user = api_user(request)
    given = {k: v for k, v in filters.dict().items() if v not in ("", None)}
    if user.is_reporter:
        form = TicketSearchForm({k: given[k] for k in ("nomor", "status", "judul") if k in given})
        if not form.is_valid():
            raise ApiFieldErrors(_form_errors(form))
        data = form.cleaned_data
        tickets = ticket_list_filter(
            tickets_visible_to(user),
            number=data.get("nomor") or "",
            statuses=STATUS_FILTERS.get(data.get("status") or "", ()),
            title=data.get("judul") or "",
        ).select_related("holder")
        sort = SORT_NEWEST
    else:
        console = ConsoleFilterForm(
            {k: v for k, v in given.items() if k not in ("cursor", "limit", "nomor", "judul")}
        )
        if not console.is_valid():
            raise ApiFieldErrors(_form_errors(console))
        chosen = console.filters()
        tickets = console_list(queue_tickets(user, console.queue_key(user)), chosen)
        sort = chosen.sort
    rows, nxt = _page(tickets, sort, filters.cursor, filters.limit)
    return {"items": [_summary(user, t) for t in rows], "next_cursor": nxt}


# --- Detail ------------------------------------------------------------------------------


def _detail(user: User, number: str) -> TicketDetail:
    """The ticket as it is now: the detail endpoint's answer and every write's (TicketOut)."""
    return ticket_detail_for(user, get_ticket_for_user(user, number))


@router.get("/tickets/{number}", response={200: TicketOut, **ERROR_RESPONSES}, tags=["Tiket"])
def ticket_detail(request: HttpRequest, number: str) -> TicketDetail:
    """One ticket with its conversation and history (staff also see internal notes)."""
    return _detail(api_user(request), number)


BINARY = {"*/*": {"schema": {"type": "string", "format": "binary"}}}
ZIP = {"application/zip": {"schema": {"type": "string", "format": "binary"}}}

# --- Files -------------------------------------------------------------------------------


def _checked_files(files: list[NinjaUploadedFile] | None) -> list[CheckedFile]:
    """The attachment rules of the web; 415 for a type, 413 for a size, else 422."""
    try:
        return attachments_validate(list(files or []))
    except AttachmentsRejected as rejected:
        kinds = rejected.kinds
        status = 415 if kinds & {"type", "content"} else 413 if "size" in kinds else 422
        raise ApiFieldErrors({"files": rejected.messages}, status=status) from rejected


@router.get(
    "/tickets/{number}/attachments/{sequence}",
    response=ERROR_RESPONSES,
    url_name="attachment_download",
    tags=["Lampiran"],
    openapi_extra={"responses": {"200": {"description": "Isi berkas", "content": BINARY}}},
)
def attachment_get(request: HttpRequest, number: str, sequence: DbId) -> StreamingHttpResponse:
    """One attachment (never one of an internal note to a reporter)."""
    return download_response(get_attachment_download(api_user(request), number, sequence))


@router.get(
    "/tickets/{number}/attachments.zip",
    response=ERROR_RESPONSES,
    tags=["Lampiran"],
    openapi_extra={"responses": {"200": {"description": "Arsip zip", "content": ZIP}}},
)
def attachment_zip(request: HttpRequest, number: str) -> StreamingHttpResponse:
    """Every attachment the user may see, as one streamed zip."""
    return download_response(get_attachments_zip(api_user(request), number))


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


def _same_request(ticket: Ticket, fingerprint: str) -> None:
    """A retry repeats the request; anything else under the same key is refused (422).

    Tickets filed before fingerprints were kept have none: a retry of those is trusted.
    """
    if ticket.submission_fingerprint and ticket.submission_fingerprint != fingerprint:
        raise ApiError(
            422,
            _(
                "Idempotency-Key ini sudah dipakai untuk permintaan lain dengan isi yang "
                "berbeda (tiket %(number)s). Gunakan Idempotency-Key baru untuk tiket baru, "
                "atau kirim ulang permintaan yang sama persis."
            )
            % {"number": ticket.number},
            code="idempotency_key_reused",
        )


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
    if key:
        existing = Ticket.objects.filter(reporter=user, submission_key=key).first()
        if existing is not None:
            _same_request(existing, fingerprint)
            return Status(200, _detail(user, existing.number))
    form = TicketCreateForm(data.dict(), reporter=user)
    if not form.is_valid():
        raise ApiFieldErrors(_form_errors(form))
    started = timezone.now()
    ticket = services.ticket_create(
        reporter=user,
        draft=form.to_draft(),
        files=checked,
        submission_key=key,
        submission_fingerprint=fingerprint,
    )
    # A concurrent request with the same key may have won: then this one found its ticket.
    created = ticket.created_at >= started
    if not created:
        _same_request(ticket, fingerprint)
    return Status(201 if created else 200, _detail(user, ticket.number))


# --- Actions -----------------------------------------------------------------------------


def _act(
    request: HttpRequest, number: str, perform: Callable[[User, Ticket], object]
) -> TicketDetail:
    user = api_user(request)
    ticket = get_ticket_for_user(user, number)
    perform(user, ticket)
    return _detail(user, number)


ACTION = {200: TicketOut, **ERROR_RESPONSES}


class MessageForm(Schema):
    body: str
    revision: int | None = None


def _message_action(service: Callable[..., Ticket]) -> Callable[..., TicketDetail]:
    """An endpoint for an action that posts a message with files (multipart)."""

    def endpoint(
        request: HttpRequest,
        number: str,
        data: Form[MessageForm],
        files: File[list[NinjaUploadedFile]] = None,  # type: ignore[assignment]
    ) -> TicketDetail:
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
def confirm(request: HttpRequest, number: str, data: RevisionIn) -> TicketDetail:
    """Konfirmasi › Ya, sudah: the ticket is closed."""
    return _act(
        request,
        number,
        lambda user, ticket: services.ticket_confirm(
            ticket=ticket, actor=user, revision=data.revision
        ),
    )


@router.post("/tickets/{number}/close", response=ACTION, tags=["Pelapor"])
def force_close(request: HttpRequest, number: str, data: CloseIn) -> TicketDetail:
    """Tutup Tiket: the reporter closes the ticket with a reason."""
    return _act(
        request,
        number,
        lambda user, ticket: services.ticket_force_close(
            ticket=ticket, actor=user, reason=data.reason, revision=data.revision
        ),
    )


@router.post("/tickets/{number}/rating", response=ACTION, tags=["Pelapor"])
def rate(request: HttpRequest, number: str, data: RatingIn) -> TicketDetail:
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
def take(request: HttpRequest, number: str, data: RevisionIn) -> TicketDetail:
    return _act(
        request,
        number,
        lambda user, ticket: services.ticket_take(
            ticket=ticket, actor=user, revision=data.revision
        ),
    )


@router.post("/tickets/{number}/assign", response=ACTION, tags=["Petugas"])
def assign(request: HttpRequest, number: str, data: AssignIn) -> TicketDetail:
    """Assign to a colleague of the ticket's current tier (by username)."""

    def perform(user: User, ticket: Ticket) -> object:
        from tickets.queues import assignable_staff

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
def add_note(request: HttpRequest, number: str, data: NoteForm) -> TicketDetail:
    """An internal note (never shown to the reporter)."""
    return _act(
        request,
        number,
        lambda user, ticket: services.ticket_add_note(ticket=ticket, actor=user, body=data.body),
    )


@router.post("/tickets/{number}/escalate", response=ACTION, tags=["Petugas"])
def escalate(request: HttpRequest, number: str, data: NoteIn) -> TicketDetail:
    return _act(
        request,
        number,
        lambda user, ticket: services.ticket_escalate(
            ticket=ticket, actor=user, note=data.note, revision=data.revision
        ),
    )


@router.post("/tickets/{number}/return", response=ACTION, tags=["Petugas"])
def return_down(request: HttpRequest, number: str, data: NoteIn) -> TicketDetail:
    return _act(
        request,
        number,
        lambda user, ticket: services.ticket_return(
            ticket=ticket, actor=user, note=data.note, revision=data.revision
        ),
    )


@router.post("/tickets/{number}/merge", response=ACTION, tags=["Petugas"])
def merge(request: HttpRequest, number: str, data: MergeIn) -> TicketDetail:
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
def revalidate_code(request: HttpRequest, number: str, data: RevisionIn) -> TicketDetail:
    return _act(
        request,
        number,
        lambda user, ticket: services.ticket_revalidate_code(
            ticket=ticket, actor=user, revision=data.revision
        ),
    )


@router.post("/tickets/{number}/priority", response=ACTION, tags=["Petugas"])
def override_priority(request: HttpRequest, number: str, data: PriorityIn) -> TicketDetail:
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
