"""Rebuild the SLA pauses and first responses of tickets filed before the SLA columns.

Due times are left to `manage.py sla_sweep`, whose first run computes them for every
ticket whose clocks run.
"""

from django.db import migrations

PAUSING = {"awaiting_feedback", "awaiting_confirmation"}
RESPONSES = ("reply", "feedback_request", "resolution")


def rebuild(apps, schema_editor):  # type: ignore[no-untyped-def]
    Ticket = apps.get_model("tickets", "Ticket")
    TicketEvent = apps.get_model("tickets", "TicketEvent")
    Message = apps.get_model("tickets", "Message")
    for ticket in Ticket.objects.all().iterator(chunk_size=500):
        pauses: list[list[str | None]] = []
        changes = (
            TicketEvent.objects.filter(ticket=ticket)
            .exclude(to_status="")
            .order_by("created_at", "id")
        )
        for event in changes:
            entering = event.to_status in PAUSING and event.from_status not in PAUSING
            leaving = event.from_status in PAUSING and event.to_status not in PAUSING
            if entering:
                pauses.append([event.created_at.isoformat(), None])
            elif leaving and pauses and pauses[-1][1] is None:
                pauses[-1][1] = event.created_at.isoformat()
        first = (
            Message.objects.filter(ticket=ticket, is_internal=False, kind__in=RESPONSES)
            .order_by("created_at", "id")
            .first()
        )
        Ticket.objects.filter(pk=ticket.pk).update(
            sla_pauses=pauses, first_response_at=first.created_at if first else None
        )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0004_ticket_sla")]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
