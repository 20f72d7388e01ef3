"""Who reaches which console page and action (DESIGN §1): the access matrix.

Staff never see tickets outside their assignments: 404, exactly as for a missing ticket.
Who sees but may not act gets 403; an action the ticket's status does not allow, or one
taken from a stale page, 409. A refused action changes nothing.
"""

import pytest
from django.db import transaction
from django.urls import reverse

from reference.models import Category
from tickets import services
from tickets.lifecycle import STAFF_ACTIONS, Action
from tickets.models import Status
from tickets.tests.factories import make_ticket

PERSONAS = [
    "alice",  # the reporter
    "bob",  # another reporter (same LPSE)
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
    "agent_removed",  # their assignment was removed
]

# Where the ticket is: new at tier 1; held by `agent`; waiting at tier 2; waiting at tier 3.
STATES = ["tier1", "tier1_held", "tier2", "tier3"]

VISIBLE: dict[str, set[str]] = {
    "tier1": {"agent", "agent_119_b", "supervisor"},
    "tier1_held": {"agent", "agent_119_b", "supervisor"},
    "tier2": {"agent", "agent_119_b", "lkpp_spse", "supervisor"},
    "tier3": {"agent", "agent_119_b", "lkpp_spse", "teknis_spse", "supervisor"},
}

_WAITING: dict[str, int] = {  # the agents of the current tier, while nobody holds the ticket
    Action.TAKE: 302,
    Action.ASSIGN: 302,
    Action.NOTE: 302,
    Action.MERGE: 302,
    Action.REPLY: 409,  # "take it first"
    Action.REQUEST_FEEDBACK: 409,
    Action.RESOLVE: 409,
    Action.ESCALATE: 409,
    Action.RETURN: 409,
    Action.REVALIDATE_CODE: 302,  # triage: no need to take it first
    Action.OVERRIDE_PRIORITY: 409,
    Action.CHANGE_CATEGORY: 409,
    Action.LINK_INCIDENT: 302,  # triage, like merging
    Action.UNLINK_INCIDENT: 400,  # not linked to an incident
}
_HOLDER: dict[str, int] = {  # the holder of an in-progress ticket at tier 1
    Action.TAKE: 409,  # already yours
    Action.ASSIGN: 302,
    Action.NOTE: 302,
    Action.MERGE: 302,
    Action.REPLY: 302,
    Action.REQUEST_FEEDBACK: 302,
    Action.RESOLVE: 302,
    Action.ESCALATE: 302,
    Action.RETURN: 409,  # already at tier 1
    Action.REVALIDATE_CODE: 302,  # the source is down in tests: checked, still unvalidated
    Action.OVERRIDE_PRIORITY: 302,
    Action.CHANGE_CATEGORY: 302,
    Action.LINK_INCIDENT: 302,
    Action.UNLINK_INCIDENT: 400,
}
_COLLEAGUE_OF_HOLDER: dict[str, int] = {  # same tier, but somebody else holds it
    **{action: 403 for action in STAFF_ACTIONS},
    Action.TAKE: 409,  # "already taken by …"
    Action.NOTE: 302,
    Action.REVALIDATE_CODE: 302,  # triage: any agent of the tier
}
# Anybody else who sees the ticket: may leave an internal note, nothing more.
_READER: dict[str, int] = {**{action: 403 for action in STAFF_ACTIONS}, Action.NOTE: 302}

ACTING: dict[str, dict[str, dict[str, int]]] = {
    "tier1": {"agent": _WAITING, "agent_119_b": _WAITING},
    "tier1_held": {"agent": _HOLDER, "agent_119_b": _COLLEAGUE_OF_HOLDER},
    "tier2": {"lkpp_spse": _WAITING},
    "tier3": {"teknis_spse": _WAITING},
}


def expected(state: str, persona: str, action: str) -> int:
    if persona not in VISIBLE[state]:
        return 404
    return ACTING[state].get(persona, _READER)[action]


def _move(ticket, state, people):
    """Bring a new ticket to `state` through the services."""
    if state == "tier1":
        return ticket
    ticket = services.ticket_take(ticket=ticket, actor=people["agent"])
    if state == "tier1_held":
        return ticket
    ticket = services.ticket_escalate(ticket=ticket, actor=people["agent"], note="Perlu LKPP.")
    if state == "tier2":
        return ticket
    ticket = services.ticket_take(ticket=ticket, actor=people["lkpp_spse"])
    return services.ticket_escalate(ticket=ticket, actor=people["lkpp_spse"], note="Bug.")


@pytest.fixture
def fast_passwords(settings):
    # The personas' staff passwords: argon2 is slow on purpose, these tests need not be.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(request, db, fast_passwords):
    return {name: request.getfixturevalue(name) for name in PERSONAS}


def _form(action, ticket, target, assignee, incident=None):
    data = {"revision": ticket.revision}
    if action == Action.ASSIGN:
        data["assignee"] = assignee.pk
    elif action in (Action.REPLY, Action.NOTE, Action.REQUEST_FEEDBACK, Action.RESOLVE):
        data["body"] = "Mohon dicek kembali."
    elif action in (Action.ESCALATE, Action.RETURN):
        data["note"] = "Catatan untuk tier lain."
    elif action == Action.MERGE:
        data["into"] = target.number
    elif action == Action.LINK_INCIDENT:
        data["incident"] = (incident or target).number
    elif action == Action.OVERRIDE_PRIORITY:
        data.update(priority="medium", reason="Batas waktu tender diperpanjang.")
    elif action == Action.CHANGE_CATEGORY:
        other = Category.objects.get(application__code="SPSE", name="Roaming ke LPSE lain")
        data.update(category=other.pk, reason="Salah pilih kategori.")
    return data


def _snapshot(ticket):
    ticket.refresh_from_db()
    return (
        ticket.status,
        ticket.holder_id,
        ticket.tier,
        ticket.revision,
        ticket.events.count(),
        ticket.messages.count(),
    )


TIER_ACTOR = {"tier1": "agent", "tier1_held": "agent", "tier2": "lkpp_spse", "tier3": "teknis_spse"}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_detail_page_answers_200_only_to_who_sees_the_ticket(client, people, state, persona):
    ticket = _move(make_ticket(people["alice"]), state, people)
    client.force_login(people[persona])
    response = client.get(reverse("console:ticket_detail", args=[ticket.number]))
    assert response.status_code == (200 if persona in VISIBLE[state] else 404)
    # The lazily loaded panels (Kemungkinan duplikat, Jawaban yang mungkin), as htmx
    # asks and as pages
    for name in ("console:ticket_duplicates", "console:ticket_answers"):
        panel = reverse(name, args=[ticket.number])
        for headers in ({"HTTP_HX_REQUEST": "true"}, {}):
            answer = client.get(panel, **headers)
            assert answer.status_code == response.status_code, (name, headers)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_action_answers_by_the_matrix(client, people, state, persona):
    client.force_login(people[persona])
    answers: dict[str, int] = {}
    # Given a ticket in `state`, and an open ticket of the same reporter at its tier
    ticket = _move(make_ticket(people["alice"]), state, people)
    target_state = "tier1" if state == "tier1_held" else state
    target = _move(make_ticket(people["alice"]), target_state, people)
    # and another reporter's ticket there, the incident to link to
    incident = _move(make_ticket(people["bob"]), target_state, people)
    for action in sorted(STAFF_ACTIONS):
        # Each action in a savepoint rolled back afterwards: every action finds the
        # tickets as given (as if made afresh for it)
        with transaction.atomic():
            before = _snapshot(ticket)
            # When the persona posts the action from a page showing the current revision
            url = reverse("console:ticket_action", args=[ticket.number, action])
            response = client.post(
                url, _form(action, ticket, target, people[TIER_ACTOR[state]], incident)
            )
            answers[action] = response.status_code
            if response.status_code == 302:
                assert _snapshot(ticket)[4] == before[4] + 1, action  # exactly one event
            else:
                # A refused action leaves the ticket and its history untouched
                assert _snapshot(ticket) == before, action
                if response.status_code in (403, 409):
                    # and the detail page comes back with the reason at the top
                    assert 'id="pesan-aksi"' in response.content.decode(), action
            transaction.set_rollback(True)
    # Then every answer is the matrix's
    assert answers == {action: expected(state, persona, action) for action in answers}


def test_a_missing_ticket_and_a_hidden_one_get_the_same_404(client, people):
    theirs = make_ticket(people["alice"])
    client.force_login(people["agent_other"])
    missing = "SPSE-20000101-99999"
    for name, extra in [
        ("console:ticket_detail", ()),
        ("console:ticket_duplicates", ()),
        ("console:ticket_answers", ()),
        ("console:ticket_action", ("take",)),
    ]:
        hidden_url = reverse(name, args=[theirs.number, *extra])
        missing_url = reverse(name, args=[missing, *extra])
        send = client.get if not extra else client.post
        hidden, nothing = send(hidden_url), send(missing_url)
        assert hidden.status_code == nothing.status_code == 404
        assert hidden.content == nothing.content


@pytest.mark.parametrize("persona", ["alice", "bob", "admin_user"])
def test_people_without_a_staff_assignment_never_reach_the_console(client, people, persona):
    ticket = make_ticket(people["alice"])
    client.force_login(people[persona])
    assert client.get(reverse("console:queue")).status_code == 404
    assert client.get(reverse("console:ticket_detail", args=[ticket.number])).status_code == 404
    for action in STAFF_ACTIONS:
        url = reverse("console:ticket_action", args=[ticket.number, action])
        assert client.post(url, {"revision": 0, "body": "x"}).status_code == 404
    assert _snapshot(ticket)[:5] == (Status.NEW, None, 1, 0, 1)


@pytest.mark.parametrize(
    "persona", ["agent", "agent_other", "lkpp_katalog", "teknis_spse", "supervisor"]
)
def test_every_staff_member_reaches_the_queue(client, people, persona):
    client.force_login(people[persona])
    assert client.get(reverse("console:queue")).status_code == 200


def test_anonymous_visitors_are_sent_to_the_staff_sign_in(client, alice):
    ticket = make_ticket(alice)
    for url in [
        reverse("console:queue"),
        reverse("console:ticket_detail", args=[ticket.number]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:staff_login") + "?next=")
    response = client.post(reverse("console:ticket_action", args=[ticket.number, "take"]))
    assert response.status_code == 302
    assert _snapshot(ticket)[:4] == (Status.NEW, None, 1, 0)


def test_an_unknown_action_is_404_and_actions_need_post(client, agent, alice):
    ticket = make_ticket(alice)
    client.force_login(agent)
    bogus = reverse("console:ticket_action", args=[ticket.number, "confirm"])
    assert client.post(bogus, {"revision": 0}).status_code == 404
    take = reverse("console:ticket_action", args=[ticket.number, "take"])
    assert client.get(take).status_code == 405


def test_a_closed_ticket_refuses_every_change_with_409(client, people):
    # Given a ticket merged into another (closed)
    alice, agent = people["alice"], people["agent"]
    into = make_ticket(alice)
    ticket = make_ticket(alice)
    ticket = services.ticket_take(ticket=ticket, actor=agent)
    ticket = services.ticket_merge(ticket=ticket, actor=agent, into=into)
    before = _snapshot(ticket)
    client.force_login(agent)
    # When its holder tries every action on it
    for action in sorted(STAFF_ACTIONS):
        url = reverse("console:ticket_action", args=[ticket.number, action])
        response = client.post(url, _form(action, ticket, into, agent))
        # Then the status forbids it (409) and nothing changes
        assert response.status_code == 409, action
        assert "status tiket" in response.content.decode() or action == Action.TAKE
    assert _snapshot(ticket) == before
