"""Every failure answers {"code", "message", "fields"} in Indonesian, and `fields` names
the inputs as the client sent them."""

from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from api.tests.test_api_access import API, api_form, api_post, assert_error, bearer, token_for
from tickets import services
from tickets.models import Ticket
from tickets.tests.factories import make_ticket


@pytest.fixture
def held(alice: User, agent: User) -> Ticket:
    return services.ticket_take(ticket=make_ticket(alice), actor=agent)


@pytest.mark.parametrize(
    ("action", "data", "field", "message"),
    [
        ("priority", {"priority": "major"}, "reason", "Wajib diisi."),
        ("category", {"reason": "Salah pilih."}, "category", "Wajib diisi."),
        ("assign", {}, "assignee", "Wajib diisi."),
        ("take", {"revision": "x"}, "revision", "Harus berupa bilangan bulat."),
        ("merge", {"into": 5}, "into", "Harus berupa teks."),
        ("escalate", {}, "note", "Wajib diisi."),
    ],
)
def test_json_field_errors_name_the_field_the_client_sent(
    client: Client,
    agent: User,
    held: Ticket,
    action: str,
    data: dict[str, Any],
    field: str,
    message: str,
) -> None:
    # A field is named as the client sent it, never by the view's parameter ("data").
    response = api_post(client, token_for(agent), f"/tickets/{held.number}/{action}", data)
    body = assert_error(response, 422)
    assert body["fields"] == {field: [message]}


def test_a_missing_body_field_is_named_body(client: Client, agent: User, held: Ticket) -> None:
    # The field called `body` keeps its name (only the location "body" is dropped).
    raw = token_for(agent)
    for action in ("reply", "resolve", "feedback-request"):
        response = api_form(client, raw, f"/tickets/{held.number}/{action}", {"revision": 1})
        assert assert_error(response, 422)["fields"] == {"body": ["Wajib diisi."]}, action
    response = api_post(client, raw, f"/tickets/{held.number}/notes", {})
    assert assert_error(response, 422)["fields"] == {"body": ["Wajib diisi."]}


def test_form_and_query_fields_keep_their_names(client: Client, alice: User) -> None:
    raw = token_for(alice)
    response = api_form(client, raw, "/tickets", {"title": "Judul saja"})
    fields = assert_error(response, 422)["fields"]
    assert {"notification_email", "lpse", "description"} <= set(fields)
    response = client.get(f"{API}/tickets", {"limit": "x"}, **bearer(raw))
    assert assert_error(response, 422)["fields"] == {"limit": ["Harus berupa bilangan bulat."]}


def test_malformed_json_is_answered_in_indonesian(
    client: Client, agent: User, held: Ticket
) -> None:
    # ninja's own "Cannot parse request body" is answered in Indonesian.
    response = client.post(
        f"{API}/tickets/{held.number}/take",
        "{bukan json",
        content_type="application/json",
        **bearer(token_for(agent)),
    )
    body = assert_error(response, response.status_code)
    assert response.status_code in (400, 422)
    assert "Cannot parse" not in body["message"]
    texts = [body["message"], *(text for found in body["fields"].values() for text in found)]
    assert "JSON tidak valid." in texts
    held.refresh_from_db()
    assert held.revision == 1


def test_an_unknown_ticket_number_is_404_in_the_format(client: Client, alice: User) -> None:
    response = client.get(f"{API}/tickets/TIDAK-ADA", **bearer(token_for(alice)))
    body = assert_error(response, 404)
    assert body == {"code": "not_found", "message": "Tidak ditemukan.", "fields": {}}


def test_a_wrong_method_is_405_in_the_error_format(
    client: Client, agent: User, held: Ticket
) -> None:
    # A wrong method is answered in the error format (api/middleware.py), not plain text.
    response = client.get(f"{API}/tickets/{held.number}/take", **bearer(token_for(agent)))
    body = assert_error(response, 405)
    assert body["code"] == "method_not_allowed"


def test_an_unknown_api_path_is_a_404_in_the_error_format(client: Client, agent: User) -> None:
    response = client.get(f"{API}/tidak-ada", **bearer(token_for(agent)))
    assert_error(response, 404)


@pytest.mark.parametrize(
    ("persona", "action", "data"),
    [
        ("alice", "close", {"reason": "Tidak jadi\x00"}),
        ("agent", "escalate", {"note": "Perlu LKPP\x00"}),
        ("agent", "notes", {"body": "\x00"}),
    ],
)
def test_a_nul_character_is_refused_and_changes_nothing(
    client: Client, request: pytest.FixtureRequest, held: Ticket, persona: str, action: str, data
) -> None:
    # Found by the fuzz test: PostgreSQL text cannot hold NUL, so this was a 500.
    before = (held.status, held.revision, held.events.count())
    user = request.getfixturevalue(persona)
    response = api_post(client, token_for(user), f"/tickets/{held.number}/{action}", data)
    assert assert_error(response, 400)["message"].endswith("(NUL).")
    held.refresh_from_db()
    assert (held.status, held.revision, held.events.count()) == before
