"""Tickets filed before the SLA columns get their pauses and first response from history."""

import importlib

from django.apps import apps

from accounts.models import User
from sla.clocks import pauses_from_json
from sla.tests.conftest import MON, TUE, WED, Clock, wib
from tickets import services
from tickets.models import Ticket
from tickets.tests.factories import make_ticket

backfill = importlib.import_module("tickets.migrations.0005_ticket_sla_history")


def test_pauses_and_first_response_are_rebuilt_from_the_history(
    clock: Clock, alice: User, agent: User
) -> None:
    # Given a ticket taken, asked for feedback on Monday 10:00, answered Tuesday 09:00,
    # resolved Wednesday 11:00 (still awaiting confirmation) ...
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    clock.set(wib(MON, 10))
    services.ticket_request_feedback(ticket=ticket, actor=agent, body="Mohon data.")
    clock.set(wib(TUE, 9))
    services.ticket_give_feedback(ticket=ticket, actor=alice, body="Terlampir.", files=[])
    clock.set(wib(WED, 11))
    services.ticket_resolve(ticket=ticket, actor=agent, body="Selesai.")
    expected = Ticket.objects.get(pk=ticket.pk)
    # ... whose SLA columns are empty, as before the SLA existed
    Ticket.objects.filter(pk=ticket.pk).update(sla_pauses=[], first_response_at=None)
    # When the data migration runs
    backfill.rebuild(apps, None)
    # Then the pauses (one closed, one open) and the first response are back
    rebuilt = Ticket.objects.get(pk=ticket.pk)
    assert rebuilt.first_response_at == expected.first_response_at == wib(MON, 10)
    pauses = pauses_from_json(rebuilt.sla_pauses)
    assert [(b, e) for b, e in pauses] == [(wib(MON, 10), wib(TUE, 9)), (wib(WED, 11), None)]
