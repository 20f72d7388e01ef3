"""Build tickets through the real service, for tests."""

import datetime

from accounts.models import User
from reference.models import Application, Category, Lpse, TicketType
from tickets.attachments import attachment_check
from tickets.models import Ticket
from tickets.services import TicketDraft, ticket_create
from tickets.tests import samples


def make_draft(reporter: User, **overrides: object) -> TicketDraft:
    application = Application.objects.get(code="SPSE")
    values: dict[str, object] = {
        "notification_email": reporter.email,
        "title": "Gagal upload dokumen penawaran",
        "lpse": reporter.lpse or Lpse.objects.get(kd_lpse=119),
        "application": application,
        "version": application.versions.get(name="4.5"),
        "ticket_type": TicketType.objects.get(code="permasalahan"),
        "category": Category.objects.get(
            application=application, name="Gagal upload dokumen penawaran"
        ),
        "code": "9537119",
        "error_code": "",
        "description": "Upload gagal terus sejak pagi.",
    }
    values.update(overrides)
    return TicketDraft(**values)  # type: ignore[arg-type]


def make_ticket(
    reporter: User,
    *,
    files: dict[str, bytes] | None = None,
    now: datetime.datetime | None = None,
    **overrides: object,
) -> Ticket:
    checked = [attachment_check(samples.upload(name, data)) for name, data in (files or {}).items()]
    return ticket_create(
        reporter=reporter, draft=make_draft(reporter, **overrides), files=checked, now=now
    )
