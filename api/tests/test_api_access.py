"""The API's access matrix (DESIGN §1), the same as the web's: a token acts as its user.

Who cannot see a ticket gets exactly the 404 of a number that does not exist; who sees
but may not act gets 403 (or 409 for a status that does not allow the action) and the
ticket is unchanged. Lists show only what the token's user may see.

The helpers at the top are shared by the other `test_api_*` modules.
"""

import json
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from pytest_django.fixtures import Settings

from accounts.models import User
from accounts.tokens import api_token_create
from reference.models import Application, Category, Lpse, TicketType
from tickets import services
from tickets.models import Status, Ticket
from tickets.tests import samples
from tickets.tests.factories import make_ticket

API = "/api/v1"
MISSING = "SPSE-20000101-99999"


# --- Shared helpers ---------------------------------------------------------------------


def token_for(user: User, name: str = "Skrip uji") -> str:
    """A fresh API token of `user` (the full text, as the page shows it once)."""
    return api_token_create(user=user, name=name)[1]


def bearer(raw: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def api_get(client: Client, raw: str, path: str, data: dict[str, Any] | None = None) -> Any:
    return client.get(API + path, data or {}, **bearer(raw))


def api_post(
    client: Client, raw: str, path: str, data: dict[str, Any] | None = None, **extra: Any
) -> Any:
    """A JSON body."""
    return client.post(
        API + path,
        json.dumps(data or {}),
        content_type="application/json",
        **bearer(raw),
        **extra,
    )


def api_form(
    client: Client, raw: str, path: str, data: dict[str, Any] | None = None, **extra: Any
) -> Any:
    """A multipart body (fields and `files`)."""
    return client.post(API + path, data or {}, **bearer(raw), **extra)


def ticket_form(reporter: User, **overrides: Any) -> dict[str, Any]:
    """A complete, valid `POST /tickets` form (alice's upload problem at LPSE 119)."""
    application = Application.objects.get(code="SPSE")
    data: dict[str, Any] = {
        "notification_email": reporter.email,
        "title": "Gagal upload dokumen penawaran",
        "lpse": Lpse.objects.get(kd_lpse=119).pk,
        "application": application.pk,
        "version": application.versions.get(name="4.5").pk,
        "ticket_type": TicketType.objects.get(code="permasalahan").pk,
        "category": Category.objects.get(
            application=application, name="Gagal upload dokumen penawaran"
        ).pk,
        "code": "9537119",
        "description": "Upload gagal terus sejak pagi.",
    }
    data.update(overrides)
    return data


def assert_error(response: Any, status: int) -> dict[str, Any]:
    """The one error format of the API: {"code", "message", "fields"}."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["fields"], dict)
    return body


def snapshot(ticket: Ticket) -> tuple[Any, ...]:
    ticket.refresh_from_db()
    return (
        ticket.status,
        ticket.holder_id,
        ticket.tier,
        ticket.revision,
        ticket.priority,
        ticket.events.count(),
        ticket.messages.count(),
        ticket.attachments.count(),
    )


PERSONAS = [
    "alice",  # the reporter (ppk1 at LPSE 119)
    "bob",  # another reporter of the same LPSE
    "carol",  # the other ppk1 (LPSE 10)
    "dave",  # a SiRUP reporter
    "agent",  # tier 1 of the ticket's LPSE
    "agent_119_b",  # a colleague of `agent`
    "agent_other",  # tier 1 of another LPSE
    "lkpp_spse",  # tier 2, right application group
    "lkpp_katalog",  # tier 2, wrong application group
    "teknis_spse",  # tier 3, right application group
    "teknis_katalog",  # tier 3, wrong application group
    "supervisor",  # national supervisor: reads everything, acts on nothing
    "admin_user",  # Django superuser without an assignment
    # Scopes an admin creates by accident: an assignment to a group with no applications
    "supervisor_empty_group",
    "lkpp_empty_group",
    "teknis_empty_group",
    "agent_removed",  # their assignment was removed; the token lives on
    "agent_deactivated",  # their account was deactivated; the token lives on
]


@pytest.fixture
def fast_passwords(settings: Settings) -> None:
    # The staff personas' passwords: argon2 is slow on purpose, these tests need not be.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(request: pytest.FixtureRequest, db: None, fast_passwords: None) -> dict[str, User]:
    return {name: request.getfixturevalue(name) for name in PERSONAS}


@pytest.fixture
def tokens(people: dict[str, User]) -> dict[str, str]:
    return {name: token_for(user) for name, user in people.items()}


def move(ticket: Ticket, state: str, people: dict[str, User]) -> Ticket:
    """Bring a new ticket to `state` (tier1, tier1_held, tier2, tier3) through the services."""
    if state == "tier1":
        return ticket
    ticket = services.ticket_take(ticket=ticket, actor=people["agent"])
    if state == "tier1_held":
        return ticket
    ticket = services.ticket_escalate(ticket=ticket, actor=people["agent"], note="Perlu LKPP.")
    if state == "tier2":
        return ticket
    ticket = services.ticket_take(ticket=ticket, actor=people["lkpp_spse"])
    return services.ticket_escalate(
        ticket=ticket, actor=people["lkpp_spse"], note="Bug di server, catatan rahasia."
    )


# --- The matrix -------------------------------------------------------------------------

STATES = ["tier1", "tier1_held", "tier2", "tier3"]

VISIBLE: dict[str, set[str]] = {
    "tier1": {"alice", "agent", "agent_119_b", "supervisor"},
    "tier1_held": {"alice", "agent", "agent_119_b", "supervisor"},
    "tier2": {"alice", "agent", "agent_119_b", "lkpp_spse", "supervisor"},
    "tier3": {"alice", "agent", "agent_119_b", "lkpp_spse", "teknis_spse", "supervisor"},
}

READS = ["detail", "download", "zip"]
REPORTER_ACTIONS = ["feedback", "confirm", "reopen", "close", "rating"]
STAFF_ACTIONS = [
    "take",
    "assign",
    "reply",
    "feedback-request",
    "resolve",
    "notes",
    "escalate",
    "return",
    "merge",
    "revalidate-code",
    "priority",
    "category",
    "incident",
    "unlink-incident",
]
FORM_ACTIONS = {"feedback", "reopen", "reply", "feedback-request", "resolve"}

# The staff actions' answers, as the console's matrix (tickets/tests/test_console_access.py).
_WAITING = {  # the agents of the current tier while nobody holds the ticket
    "take": 200,
    "assign": 200,
    "notes": 200,
    "merge": 200,
    "reply": 409,  # "take it first"
    "feedback-request": 409,
    "resolve": 409,
    "escalate": 409,
    "return": 409,
    "revalidate-code": 200,  # triage: no need to take it first
    "priority": 409,
    "category": 409,
    "incident": 200,  # triage, like merging
    "unlink-incident": 400,  # not linked to an incident
}
_HOLDER = {  # the holder of an in-progress ticket at tier 1
    **{action: 200 for action in STAFF_ACTIONS},
    "take": 409,  # already yours
    "return": 409,  # already at tier 1
    "unlink-incident": 400,
}
_COLLEAGUE_OF_HOLDER = {
    **{a: 403 for a in STAFF_ACTIONS},
    "take": 409,
    "notes": 200,
    "revalidate-code": 200,  # triage: any agent of the tier
}
_READER = {**{a: 403 for a in STAFF_ACTIONS}, "notes": 200}

ACTING: dict[str, dict[str, dict[str, int]]] = {
    "tier1": {"agent": _WAITING, "agent_119_b": _WAITING},
    "tier1_held": {"agent": _HOLDER, "agent_119_b": _COLLEAGUE_OF_HOLDER},
    "tier2": {"lkpp_spse": _WAITING},
    "tier3": {"teknis_spse": _WAITING},
}
TIER_ACTOR = {"tier1": "agent", "tier1_held": "agent", "tier2": "lkpp_spse", "tier3": "teknis_spse"}


def expected(state: str, persona: str, endpoint: str) -> int:
    if persona == "agent_deactivated":
        return 401  # the token no longer authenticates anybody
    if persona not in VISIBLE[state]:
        return 404
    if endpoint in READS:
        return 200
    if endpoint in REPORTER_ACTIONS:
        if persona != "alice":
            return 403  # "only the reporter of this ticket"
        return 200 if endpoint == "close" else 409  # the others need another status
    if persona == "alice":
        return 403  # "only for helpdesk staff"
    return ACTING[state].get(persona, _READER)[endpoint]


def payload(
    endpoint: str, ticket: Ticket, target: Ticket, assignee: str, incident: Ticket | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {"revision": ticket.revision}
    if endpoint in FORM_ACTIONS:
        data["body"] = "Mohon dicek kembali."
    elif endpoint == "notes":
        data = {"body": "Catatan internal untuk rekan."}
    elif endpoint == "close":
        data["reason"] = "Sudah teratasi sendiri."
    elif endpoint == "rating":
        data = {"stars": 5}
    elif endpoint == "assign":
        data["assignee"] = assignee
    elif endpoint in ("escalate", "return"):
        data["note"] = "Catatan untuk tier lain."
    elif endpoint == "merge":
        data["into"] = target.number
    elif endpoint == "incident":
        data["incident"] = (incident or target).number
    elif endpoint == "priority":
        data.update(priority="medium", reason="Batas waktu tender diperpanjang.")
    elif endpoint == "category":
        other = Category.objects.get(application__code="SPSE", name="Roaming ke LPSE lain")
        data.update(category=other.pk, reason="Salah pilih kategori.")
    return data


def call(client: Client, raw: str, number: str, endpoint: str, data: dict[str, Any]) -> Any:
    if endpoint == "detail":
        return api_get(client, raw, f"/tickets/{number}")
    if endpoint == "download":
        return api_get(client, raw, f"/tickets/{number}/attachments/1")
    if endpoint == "zip":
        return api_get(client, raw, f"/tickets/{number}/attachments.zip")
    send = api_form if endpoint in FORM_ACTIONS else api_post
    return send(client, raw, f"/tickets/{number}/{endpoint}", data)


def fresh(state: str, people: dict[str, User]) -> Ticket:
    return move(make_ticket(people["alice"], files={"bukti.png": samples.PNG}), state, people)


@pytest.mark.usefixtures("kept")  # the reference book kept as in production
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_endpoint_answers_by_the_matrix(
    client: Client, people: dict[str, User], tokens: dict[str, str], state: str, persona: str
) -> None:
    raw = tokens[persona]
    answers: dict[str, int] = {}
    # Given alice's ticket in `state`, and another open one of hers at its tier
    ticket = fresh(state, people)
    target = move(make_ticket(people["alice"]), "tier1" if state == "tier1_held" else state, people)
    # and another reporter's ticket there, the incident to link to
    incident = move(make_ticket(people["bob"]), "tier1" if state == "tier1_held" else state, people)
    for endpoint in READS + REPORTER_ACTIONS + STAFF_ACTIONS:
        # Each call in a savepoint rolled back afterwards: every endpoint finds the
        # tickets as given (as if made afresh for it)
        with transaction.atomic():
            before = snapshot(ticket)
            data = payload(endpoint, ticket, target, people[TIER_ACTOR[state]].username, incident)
            # When the persona's token calls the endpoint with the current revision
            response = call(client, raw, ticket.number, endpoint, data)
            answers[endpoint] = response.status_code
            if response.status_code == 200:
                if endpoint not in READS:
                    assert snapshot(ticket)[5] == before[5] + 1, endpoint  # exactly one event
                    assert response.json()["number"] == ticket.number
            else:
                # A refused call leaves the ticket and its history untouched
                assert snapshot(ticket) == before, endpoint
                assert_error(response, response.status_code)
                if response.status_code == 404:
                    # exactly the answer for a number that does not exist
                    nothing = call(client, raw, MISSING, endpoint, data)
                    assert nothing.status_code == 404, endpoint
                    assert response.content == nothing.content, endpoint
                    assert response.json()["code"] == "not_found"
            transaction.set_rollback(True)
    # Then every answer is the matrix's
    assert answers == {e: expected(state, persona, e) for e in answers}


def test_a_stale_revision_is_409_before_anything_else(
    client: Client, people: dict[str, User], tokens: dict[str, str]
) -> None:
    ticket = fresh("tier1_held", people)
    before = snapshot(ticket)
    for persona in ("agent", "alice"):
        for endpoint in ("reply", "resolve", "escalate", "priority", "category", "close"):
            data = payload(endpoint, ticket, ticket, "agent_119")
            data["revision"] = ticket.revision - 1
            body = assert_error(call(client, tokens[persona], ticket.number, endpoint, data), 409)
            assert body["code"] == "conflict"
    assert snapshot(ticket) == before


# --- What reporters see ---------------------------------------------------------------


def test_reporters_never_see_internal_notes_or_events(
    client: Client, people: dict[str, User], tokens: dict[str, str]
) -> None:
    # Given a ticket escalated twice (internal escalation notes) with a staff note
    ticket = fresh("tier3", people)
    services.ticket_add_note(ticket=ticket, actor=people["agent"], body="Jangan beri tahu pelapor.")
    assert ticket.messages.filter(is_internal=True).count() == 3
    assert ticket.events.filter(is_internal=True).exists()
    # When alice reads it through the API
    response = api_get(client, tokens["alice"], f"/tickets/{ticket.number}")
    assert response.status_code == 200
    detail = response.json()
    text = response.content.decode()
    # Then no internal message or event, nor their text, is in the answer
    assert all(not m["internal"] for m in detail["messages"])
    assert all(not e["internal"] for e in detail["history"])
    for secret in ("Jangan beri tahu pelapor", "Perlu LKPP", "catatan rahasia"):
        assert secret not in text
    assert set(detail["allowed_actions"]) <= {
        "give_feedback",
        "confirm",
        "reopen",
        "force_close",
        "rate",
    }
    # while the staff see them
    staff = api_get(client, tokens["teknis_spse"], f"/tickets/{ticket.number}").json()
    assert sum(1 for m in staff["messages"] if m["internal"]) == 3
    assert any(e["internal"] for e in staff["history"])


# --- Lists ----------------------------------------------------------------------------


def numbers(client: Client, raw: str, **params: Any) -> set[str]:
    response = api_get(client, raw, "/tickets", {"limit": 100, **params})
    assert response.status_code == 200, response.content
    return {item["number"] for item in response.json()["items"]}


def test_lists_show_only_what_each_persona_may_see(
    client: Client, people: dict[str, User], tokens: dict[str, str]
) -> None:
    # Given alice's tickets at tier 1 and tier 2, and carol's at tier 1 (LPSE 10)
    at_tier1 = make_ticket(people["alice"], title="Tiket tier satu")
    at_tier2 = fresh("tier2", people)
    carols = make_ticket(people["carol"], title="Tiket carol")
    alices = {at_tier1.number, at_tier2.number}
    everything = {*alices, carols.number}
    # Then each persona's list ("semua" for staff) holds only their tickets
    assert numbers(client, tokens["alice"]) == alices
    assert numbers(client, tokens["carol"]) == {carols.number}
    assert numbers(client, tokens["carol"], judul="Tiket") == {carols.number}
    assert numbers(client, tokens["carol"], nomor=at_tier1.number) == set()
    assert numbers(client, tokens["bob"]) == set()
    assert numbers(client, tokens["dave"]) == set()
    assert numbers(client, tokens["agent"], antrian="semua") == alices
    assert numbers(client, tokens["agent_other"], antrian="semua") == {carols.number}
    assert numbers(client, tokens["lkpp_spse"], antrian="semua") == {at_tier2.number}
    assert numbers(client, tokens["lkpp_katalog"], antrian="semua") == set()
    assert numbers(client, tokens["teknis_spse"], antrian="semua") == set()
    assert numbers(client, tokens["supervisor"], antrian="semua") == everything
    assert numbers(client, tokens["supervisor"]) == everything  # supervisors start with "semua"
    assert numbers(client, tokens["admin_user"], antrian="semua") == set()
    # and the queues narrow further: the tier-2 ticket waits untaken for lkpp_spse
    assert numbers(client, tokens["lkpp_spse"], antrian="belum_diambil") == {at_tier2.number}
    assert numbers(client, tokens["agent"], antrian="belum_diambil") == {at_tier1.number}
    assert numbers(client, tokens["agent"]) == set()  # "saya": agent holds nothing now


def test_a_staff_token_cannot_reach_a_hidden_ticket_through_merge(
    client: Client, people: dict[str, User], tokens: dict[str, str]
) -> None:
    # Given alice's ticket held by agent and carol's ticket that agent cannot see
    ticket = fresh("tier1_held", people)
    hidden = make_ticket(people["carol"])
    before = snapshot(ticket)
    # When agent tries to merge into carol's ticket, or into a missing number
    hidden_answer = api_post(
        client, tokens["agent"], f"/tickets/{ticket.number}/merge", {"into": hidden.number}
    )
    missing_answer = api_post(
        client, tokens["agent"], f"/tickets/{ticket.number}/merge", {"into": MISSING}
    )
    # Then both are the same 404, and nothing changed
    assert_error(hidden_answer, 404)
    assert hidden_answer.content == missing_answer.content
    assert snapshot(ticket) == before


def test_staff_tokens_cannot_create_tickets(
    client: Client, people: dict[str, User], tokens: dict[str, str]
) -> None:
    for persona in ("agent", "supervisor", "admin_user"):
        form = ticket_form(people["alice"])
        response = api_form(client, tokens[persona], "/tickets", form)
        assert assert_error(response, 403)["code"] == "forbidden"
    assert Ticket.objects.count() == 0


def test_no_token_is_401_on_every_endpoint(client: Client, alice: User) -> None:
    ticket = make_ticket(alice, files={"bukti.png": samples.PNG})
    paths = [
        "/applications",
        "/categories",
        "/lpse",
        "/ticket-types",
        "/tickets",
        f"/tickets/{ticket.number}",
        f"/tickets/{ticket.number}/attachments/1",
        f"/tickets/{ticket.number}/attachments.zip",
    ]
    for path in paths:
        response = client.get(API + path)
        assert_error(response, 401)
        assert response["WWW-Authenticate"] == "Bearer"
    for endpoint in REPORTER_ACTIONS + STAFF_ACTIONS:
        response = client.post(f"{API}/tickets/{ticket.number}/{endpoint}", {})
        assert_error(response, 401)
    assert snapshot(ticket)[:4] == (Status.NEW, None, 1, 0)
