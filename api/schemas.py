"""What the API reads and answers (OpenAPI components)."""

import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

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
    name: str
    # `<nomor>_<NN>_<nama>.<ext>`: the name the download carries (DESIGN §3).
    file_name: str
    size: int
    content_type: str
    url: str


class MessageOut(Schema):
    id: int
    author: str
    kind: str
    body: str
    internal: bool
    created_at: datetime.datetime
    attachments: list[AttachmentOut]


class EventOut(Schema):
    kind: str
    label: str
    from_status: str
    to_status: str
    actor: str | None
    reason: str
    internal: bool
    created_at: datetime.datetime


class ClockOut(Schema):
    state: str
    target_minutes: int
    due_at: datetime.datetime | None
    remaining_minutes: int


class TicketOut(Schema):
    number: str
    title: str
    description: str
    status: str
    status_label: str
    priority: str
    priority_reason: str
    tier: int
    holder: str | None
    revision: int
    lpse: LpseOut
    application: str
    version: str
    ticket_type: str
    category: str
    code_kind: str
    code: str
    code_validated: bool
    error_code: str
    notification_email: str
    reporter: str
    close_reason: str
    merged_into: str | None
    reopen_count: int
    created_at: datetime.datetime
    updated_at: UpdatedAt
    closed_at: datetime.datetime | None
    response_clock: ClockOut
    resolution_clock: ClockOut
    attachments: list[AttachmentOut]
    messages: list[MessageOut]
    history: list[EventOut]
    allowed_actions: list[str]


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


class PriorityIn(Schema):
    priority: str
    reason: str
    revision: int | None = None
