"""What the API reads and answers (OpenAPI components).

The ticket detail (`TicketOut`) is read from a `TicketAnswer`: the same read the detail
pages show (`tickets.selectors.TicketDetail`), done in the view. Fields named as on the
model come by a dotted path (`validation_alias`, which leaves the document as it is), the
others by a resolver.
"""

import datetime
from dataclasses import dataclass, field
from typing import Annotated

from django.urls import reverse
from ninja import Schema
from pydantic import Field

from sla.clocks import ClockReading
from tickets.models import Attachment, TicketEvent
from tickets.selectors import TicketDetail

# For reporters the last change they can see (an internal note leaves it as it was).
UpdatedAt = Annotated[
    datetime.datetime,
    Field(
        description="Perubahan terakhir; bagi pelapor: perubahan terakhir yang dapat mereka "
        "lihat (catatan internal tidak mengubahnya)."
    ),
]

# A database id: SQLite cannot even compare a number beyond 64 bits (a 500, not a 404).
DbId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class VersionOut(Schema):
    id: int
    name: str


class ApplicationOut(Schema):
    id: int
    code: str
    name: str
    versions: list[VersionOut]


class CategoryOut(Schema):
    id: int
    application_id: int
    parent_id: int | None
    name: str
    path: str
    code_kind: str
    code_required: bool
    selectable: bool


class LpseOut(Schema):
    id: int
    kd_lpse: int
    name: str
    province: str
    timezone: str


class TicketTypeOut(Schema):
    id: int
    name: str


class Named(Schema):
    id: int
    name: str


class TicketSummaryOut(Schema):
    number: str
    title: str
    status: str
    status_label: str
    priority: str
    tier: int
    lpse: str
    application: str
    holder: str | None
    created_at: datetime.datetime
    updated_at: UpdatedAt
    next_due_at: datetime.datetime | None


class TicketPageOut(Schema):
    items: list[TicketSummaryOut]
    next_cursor: str | None


class AttachmentOut(Schema):
    sequence: int
    # The original (cleaned) name as uploaded.
    name: str = Field(validation_alias="original_name")
    # `<nomor>_<NN>_<nama>.<ext>`: the name the download carries (DESIGN §3).
    file_name: str = Field(validation_alias="download_name")
    size: int
    content_type: str
    url: str

    @staticmethod
    def resolve_url(attachment: Attachment) -> str:
        return reverse(
            "api-v1:attachment_download", args=[attachment.ticket.number, attachment.sequence]
        )


class MessageOut(Schema):
    id: int
    author: str = Field(validation_alias="author.display_name")
    kind: str
    body: str
    internal: bool = Field(validation_alias="is_internal")
    created_at: datetime.datetime
    attachments: list[AttachmentOut]


class EventOut(Schema):
    kind: str
    label: str
    from_status: str
    to_status: str
    actor: str | None
    reason: str
    internal: bool = Field(validation_alias="is_internal")
    created_at: datetime.datetime

    @staticmethod
    def resolve_label(event: TicketEvent) -> str:
        return str(event.get_kind_display())

    @staticmethod
    def resolve_actor(event: TicketEvent) -> str | None:
        return event.actor.display_name if event.actor else None


class ClockOut(Schema):
    state: str
    target_minutes: int
    due_at: datetime.datetime | None
    remaining_minutes: int

    @staticmethod
    def resolve_state(reading: ClockReading) -> str:
        return str(reading.state)

    @staticmethod
    def resolve_target_minutes(reading: ClockReading) -> int:
        return int(reading.target.total_seconds() // 60)

    @staticmethod
    def resolve_remaining_minutes(reading: ClockReading) -> int:
        return int(reading.remaining.total_seconds() // 60)


@dataclass(frozen=True)
class TicketAnswer(TicketDetail):
    """A `TicketDetail` with everything `TicketOut` reads already read.

    django-ninja builds the answer after the view returned, inside pydantic's
    validation: a database read there that fails (the connection dropped) reaches
    Django as a pydantic ValidationError, a 500, instead of the database error, which
    answers 503 (lpse_support/unavailable.py). So every read happens in the view.
    """

    actions: list[str] = field(default_factory=list)


# One ticket with its conversation and history, read from a `TicketAnswer` (a comment,
# not a docstring: pydantic would put a docstring into the document).
class TicketOut(Schema):
    number: str = Field(validation_alias="ticket.number")
    title: str = Field(validation_alias="ticket.title")
    description: str = Field(validation_alias="ticket.description")
    status: str = Field(validation_alias="ticket.status")
    status_label: str
    priority: str = Field(validation_alias="ticket.priority")
    priority_reason: str = Field(validation_alias="ticket.priority_reason")
    tier: int = Field(validation_alias="ticket.tier")
    holder: str | None
    revision: int = Field(validation_alias="ticket.revision")
    lpse: LpseOut = Field(validation_alias="ticket.lpse")
    application: str = Field(validation_alias="ticket.application.code")
    version: str = Field(validation_alias="ticket.version.name")
    ticket_type: str = Field(validation_alias="ticket.ticket_type.name")
    category: str = Field(validation_alias="ticket.category.path_label")
    code_kind: str = Field(validation_alias="ticket.code_kind")
    code: str = Field(validation_alias="ticket.code")
    code_validated: bool = Field(validation_alias="ticket.code_validated")
    error_code: str = Field(validation_alias="ticket.error_code")
    notification_email: str = Field(validation_alias="ticket.notification_email")
    reporter: str = Field(validation_alias="ticket.reporter.display_name")
    close_reason: str = Field(validation_alias="ticket.close_reason")
    merged_into: str | None
    reopen_count: int = Field(validation_alias="ticket.reopen_count")
    created_at: datetime.datetime = Field(validation_alias="ticket.created_at")
    updated_at: UpdatedAt
    closed_at: datetime.datetime | None = Field(validation_alias="ticket.closed_at")
    response_clock: ClockOut = Field(validation_alias="sla.clocks.response")
    resolution_clock: ClockOut = Field(validation_alias="sla.clocks.resolution")
    attachments: list[AttachmentOut] = Field(validation_alias="initial_attachments")
    messages: list[MessageOut] = Field(validation_alias="conversation")
    history: list[EventOut]
    allowed_actions: list[str]

    @staticmethod
    def resolve_status_label(detail: TicketDetail) -> str:
        return str(detail.ticket.get_status_display())

    @staticmethod
    def resolve_holder(detail: TicketDetail) -> str | None:
        holder = detail.ticket.holder
        return holder.display_name if holder else None

    @staticmethod
    def resolve_merged_into(detail: TicketDetail) -> str | None:
        merged_into = detail.ticket.merged_into
        return merged_into.number if merged_into else None

    @staticmethod
    def resolve_allowed_actions(detail: TicketAnswer) -> list[str]:
        return detail.actions


class TextIn(Schema):
    body: str


class RevisionIn(Schema):
    revision: int | None = None


class NoteIn(Schema):
    note: str
    revision: int | None = None


class AssignIn(Schema):
    assignee: str
    revision: int | None = None


class CloseIn(Schema):
    reason: str
    revision: int | None = None


class RatingIn(Schema):
    stars: int
    categories: list[DbId] = []
    comment: str = ""


class MergeIn(Schema):
    into: str
    revision: int | None = None


class IncidentIn(Schema):
    # A ticket number (e.g. SPSE-20260302-00001); anything else names no ticket.
    incident: Annotated[str, Field(min_length=1, max_length=40)]
    revision: int | None = None


class PriorityIn(Schema):
    priority: str
    reason: str
    revision: int | None = None


class CategoryChangeIn(Schema):
    category: DbId
    reason: str
    revision: int | None = None
