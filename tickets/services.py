"""Writes of the tickets domain. Every change of a ticket goes through here."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from accounts.models import User
from reference.models import (
    Application,
    ApplicationVersion,
    Category,
    CodeKind,
    Lpse,
    TicketType,
)
from tickets.attachments import CheckedFile, attachment_store, stored_files_delete
from tickets.models import Attachment, EventKind, Status, Ticket, TicketEvent
from tickets.numbering import ticket_number_allocate


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


def _initial_priority(category: Category) -> tuple[str, str]:
    # Until the integrations exist the ticket takes its category's base priority.
    return (
        category.base_priority,
        f"Prioritas dasar kategori «{category.path_label}».",
    )


def ticket_create(
    *,
    reporter: User,
    draft: TicketDraft,
    files: list[CheckedFile],
    submission_key: str = "",
) -> Ticket:
    """File a new ticket with its attachments; a repeated submission returns the first."""
    if submission_key:
        existing = Ticket.objects.filter(reporter=reporter, submission_key=submission_key).first()
        if existing is not None:
            return existing

    number = ticket_number_allocate(
        application_code=draft.application.code, tz_name=draft.lpse.timezone
    )
    code_kind = draft.category.code_kind
    priority, priority_reason = _initial_priority(draft.category)
    stored: list[str] = []
    try:
        # Files are written before the (short) database transaction; any failure
        # afterwards removes them again so that nothing is left behind.
        for sequence, checked in enumerate(files, start=1):
            stored.append(
                attachment_store(ticket_number=number, sequence=sequence, checked=checked)
            )
        with transaction.atomic():
            ticket = Ticket.objects.create(
                number=number,
                reporter=reporter,
                reporter_role=reporter.role,
                notification_email=draft.notification_email,
                title=draft.title,
                lpse=draft.lpse,
                application=draft.application,
                version=draft.version,
                ticket_type=draft.ticket_type,
                category=draft.category,
                code_kind=code_kind,
                code=draft.code if code_kind != CodeKind.NONE else "",
                code_validated=False,
                code_validation_note=(
                    "Kode belum divalidasi ke sumber data." if draft.code else ""
                ),
                error_code=draft.error_code,
                description=draft.description,
                priority=priority,
                priority_reason=priority_reason,
                status=Status.NEW,
                tier=1,
                submission_key=submission_key,
            )
            Attachment.objects.bulk_create(
                Attachment(
                    ticket=ticket,
                    sequence=sequence,
                    original_name=checked.display_name,
                    file=name,
                    size=checked.size,
                    content_type=checked.content_type,
                    uploaded_by=reporter,
                )
                for sequence, (checked, name) in enumerate(zip(files, stored, strict=True), 1)
            )
            TicketEvent.objects.create(
                ticket=ticket,
                actor=reporter,
                kind=EventKind.CREATED,
                to_status=Status.NEW,
                data={"priority": priority, "attachments": len(files)},
            )
    except IntegrityError:
        stored_files_delete(stored)
        if submission_key:
            # A concurrent duplicate of this submission won the race: answer with it.
            existing = Ticket.objects.filter(
                reporter=reporter, submission_key=submission_key
            ).first()
            if existing is not None:
                return existing
        raise
    except BaseException:
        stored_files_delete(stored)
        raise
    return ticket
