"""One ticket: its detail (the same read as the detail pages) and its files."""

from dataclasses import fields

from django.http import HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase

from accounts.models import User
from api.auth import api_user
from api.errors import ERROR_RESPONSES
from api.router import router
from api.schemas import DbId, TicketAnswer, TicketOut
from tickets.access import PERSON_ACTIONS, allowed_actions, get_ticket_for_user
from tickets.downloads import file_response, get_attachment_download, get_attachments_zip
from tickets.models import Ticket
from tickets.selectors import TicketDetail, ticket_detail_for

# The success of a download is documented by hand (ninja would say JSON): declaring 200
# in `response` as well listed it twice in the document.
BINARY = {"*/*": {"schema": {"type": "string", "format": "binary"}}}
ZIP = {"application/zip": {"schema": {"type": "string", "format": "binary"}}}


def ticket_answer(user: User, number: str) -> TicketAnswer:
    """The ticket the user may see, as the API answers it, with every query done."""
    return ticket_answer_of(user, get_ticket_for_user(user, number))


def ticket_answer_of(user: User, ticket: Ticket) -> TicketAnswer:
    """`ticket_answer` of a ticket the caller already holds, as the user may see it (one
    the service just filed for the user, with its related rows in hand)."""
    return ticket_answer_from(user, ticket_detail_for(user, ticket))


def ticket_answer_from(user: User, detail: TicketDetail) -> TicketAnswer:
    """The API's answer of a detail (`ticket_detail_for` or `ticket_detail_of_new`)."""
    # Evaluated here; the querysets keep their rows, and ninja reads those.
    for rows in (detail.initial_attachments, detail.conversation, detail.history):
        len(rows)
    allowed = allowed_actions(user, detail.ticket)
    return TicketAnswer(
        **{f.name: getattr(detail, f.name) for f in fields(TicketDetail)},
        actions=[str(action) for action in PERSON_ACTIONS if action in allowed],
    )


@router.get("/tickets/{number}", response={200: TicketOut, **ERROR_RESPONSES}, tags=["Tiket"])
def ticket_detail(request: HttpRequest, number: str) -> TicketAnswer:
    """One ticket with its conversation and history (staff also see internal notes)."""
    return ticket_answer(api_user(request), number)


@router.get(
    "/tickets/{number}/attachments/{sequence}",
    response=ERROR_RESPONSES,
    url_name="attachment_download",
    tags=["Lampiran"],
    openapi_extra={"responses": {"200": {"description": "Isi berkas", "content": BINARY}}},
)
def attachment_get(request: HttpRequest, number: str, sequence: DbId) -> HttpResponseBase:
    """One attachment (never one of an internal note to a reporter)."""
    return file_response(get_attachment_download(api_user(request), number, sequence))


@router.get(
    "/tickets/{number}/attachments.zip",
    response=ERROR_RESPONSES,
    tags=["Lampiran"],
    openapi_extra={"responses": {"200": {"description": "Arsip zip", "content": ZIP}}},
)
def attachment_zip(request: HttpRequest, number: str) -> StreamingHttpResponse:
    """Every attachment the user may see, as one streamed zip."""
    download = get_attachments_zip(api_user(request), number)
    response = StreamingHttpResponse(download.chunks, content_type=download.content_type)
    response["Content-Disposition"] = f'attachment; filename="{download.file_name}"'
    return response
