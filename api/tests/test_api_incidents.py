"""Tautkan ke insiden through the API (issue 18): the same service and rules as the
console; bad input is a 422 naming the field (as everywhere in the API) and changes nothing."""

from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from api.tests.test_api_access import api_form, api_post, assert_error, token_for
from tickets import services
from tickets.models import MessageKind, Status, Ticket
from tickets.tests.factories import make_ticket

OUTAGE = "Server SPSE tidak bisa diakses sejak pagi, login error 502"


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def incident(alice: User, agent: User) -> Ticket:
    ticket = make_ticket(alice, description=OUTAGE)
    return services.ticket_take(ticket=ticket, actor=agent)


@pytest.fixture
def report(bob: User) -> Ticket:
    return make_ticket(bob, description=OUTAGE)


def state(ticket: Ticket) -> tuple[object, ...]:
    ticket.refresh_from_db()
    return (ticket.status, ticket.incident_id, ticket.revision, ticket.events.count())


def test_link_resolve_and_unlink_through_the_api(
    client: Client, agent: User, incident: Ticket, report: Ticket, bob: User
) -> None:
    token = token_for(agent)
    path = f"/tickets/{report.number}/incident"
    answer = api_post(client, token, path, {"incident": incident.number})
    assert answer.status_code == 200, answer.content
    report.refresh_from_db()
    assert report.incident_id == incident.pk
    # Resolving the incident through the API resolves the linked ticket
    resolved = api_form(
        client, token, f"/tickets/{incident.number}/resolve", {"body": "Server dipulihkan."}
    )
    assert resolved.status_code == 200, resolved.content
    report.refresh_from_db()
    assert report.status == Status.AWAITING_CONFIRMATION
    assert report.messages.get(kind=MessageKind.RESOLUTION).body == "Server dipulihkan."
    # Unlinking works; a ticket that is not linked is a 400
    unlinked = api_post(client, token, f"/tickets/{report.number}/unlink-incident", {})
    assert unlinked.status_code == 200, unlinked.content
    report.refresh_from_db()
    assert report.incident_id is None
    assert_error(api_post(client, token, f"/tickets/{report.number}/unlink-incident", {}), 400)


@pytest.mark.parametrize(
    ("incident_value", "status", "field_message"),
    [
        ("", 422, None),
        ("x" * 41, 422, None),
        ("SPSE-20990101-00001", 422, "Insiden tidak ditemukan"),
        ("\x00", 422, "Insiden tidak ditemukan"),
        (5, 422, None),
        (None, 422, None),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_changes_nothing(
    client: Client,
    agent: User,
    incident: Ticket,
    report: Ticket,
    incident_value: object,
    status: int,
    field_message: str | None,
) -> None:
    before = state(report)
    path = f"/tickets/{report.number}/incident"
    body = assert_error(
        api_post(client, token_for(agent), path, {"incident": incident_value}), status
    )
    assert "incident" in body["fields"]
    if field_message:
        assert field_message in body["fields"]["incident"][0]
    assert state(report) == before


def test_an_incident_the_caller_cannot_see_is_not_found_and_not_revealed(
    client: Client, agent: User, carol: User, report: Ticket
) -> None:
    hidden = make_ticket(carol, description=OUTAGE)  # LPSE 10
    before = state(report)
    hidden_answer = api_post(
        client, token_for(agent), f"/tickets/{report.number}/incident", {"incident": hidden.number}
    )
    missing_answer = api_post(
        client,
        token_for(agent, "lain"),
        f"/tickets/{report.number}/incident",
        {"incident": "SPSE-20990101-00001"},
    )
    assert hidden_answer.status_code == missing_answer.status_code == 422
    assert hidden_answer.json() == missing_answer.json()
    assert state(report) == before
