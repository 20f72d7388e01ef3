"""Scopes an admin can create by accident grant nothing (DESIGN §1).

An assignment is judged by its own columns: a supervisor is national only when the
assignment names neither an LPSE nor an application group. An assignment to a group
without applications — new, or emptied later — grants nothing until the group has
applications again.
"""

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tokens import api_token_create
from api.tests.test_api_access import ticket_form
from tickets import services
from tickets.access import is_staff_member, tickets_visible_to
from tickets.models import Ticket
from tickets.tests.factories import make_ticket

EMPTY_GROUP_STAFF = ["supervisor_empty_group", "lkpp_empty_group", "teknis_empty_group"]


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def spse_tickets(alice, carol, agent, lkpp_spse):
    """A ticket at tier 1 in LPSE 119, one at tier 3, and one of LPSE 10."""
    at_tier1 = make_ticket(alice, title="Tiket tier satu")
    deep = services.ticket_take(ticket=make_ticket(alice, title="Tiket tier tiga"), actor=agent)
    deep = services.ticket_escalate(ticket=deep, actor=agent, note="Perlu LKPP.")
    deep = services.ticket_take(ticket=deep, actor=lkpp_spse)
    deep = services.ticket_escalate(ticket=deep, actor=lkpp_spse, note="Bug.")
    return [at_tier1, deep, make_ticket(carol, title="Tiket LPSE lain")]


def _console(ticket):
    return reverse("console:ticket_detail", args=[ticket.number])


def _api_numbers(client, user):
    raw = api_token_create(user=user, name="uji")[1]
    response = client.get(
        "/api/v1/tickets", {"antrian": "semua", "limit": 100}, HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 200, response.content
    return {item["number"] for item in response.json()["items"]}


@pytest.mark.parametrize("persona", EMPTY_GROUP_STAFF)
def test_staff_of_an_empty_group_see_nothing_anywhere(
    client, request, fast_passwords, spse_tickets, persona
):
    # Given a staff member whose only assignment names a group with no applications
    user = request.getfixturevalue(persona)
    # Then the domain grants nothing
    assert not is_staff_member(user)
    assert not tickets_visible_to(user).exists()
    # and neither the console nor the API shows a single ticket
    client.force_login(user)
    assert client.get(reverse("console:queue")).status_code == 404
    assert client.get(reverse("console:queue") + "?antrian=semua").status_code == 404
    for ticket in spse_tickets:
        detail = reverse("console:ticket_detail", args=[ticket.number])
        assert client.get(detail).status_code == 404
    assert _api_numbers(client, user) == set()


def test_a_group_gains_applications_and_its_supervisor_reads_just_those(
    client, fast_passwords, spse_tickets, supervisor_empty_group, empty_group, spse
):
    # Given the supervisor of the new group, which now receives SPSE
    empty_group.applications.add(spse)
    # Then the supervisor reads the SPSE tickets, all of them, and nothing else
    client.force_login(supervisor_empty_group)
    assert _api_numbers(client, supervisor_empty_group) == {t.number for t in spse_tickets}
    assert client.get(_console(spse_tickets[0])).status_code == 200


@pytest.mark.parametrize("persona", ["lkpp_spse", "teknis_spse", "supervisor_spse_group"])
def test_a_group_emptied_later_takes_the_scope_away_at_the_next_request(
    client, request, fast_passwords, spse_tickets, spse, persona
):
    # Given staff of the SPSE group, signed in and reading the tier-3 ticket
    user = request.getfixturevalue(persona)
    deep = spse_tickets[1]
    client.force_login(user)
    raw = api_token_create(user=user, name="uji")[1]
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get(_console(deep)).status_code == 200
    assert client.get(f"/api/v1/tickets/{deep.number}", **bearer).status_code == 200
    # When an admin moves the group's applications out of it, SPSE first and then the rest
    group = spse.groups.get(code="spse")
    group.applications.remove(spse)
    assert client.get(_console(deep)).status_code == 404
    group.applications.clear()
    # Then the same session and the same token see nothing, not everything
    assert client.get(_console(deep)).status_code == 404
    assert client.get(reverse("console:queue")).status_code == 404
    assert client.get(f"/api/v1/tickets/{deep.number}", **bearer).status_code == 404
    listed = client.get("/api/v1/tickets", {"antrian": "semua"}, **bearer)
    assert listed.status_code == 200 and listed.json()["items"] == []


# --- Removed assignments, deactivated people and LPSEs: checked on every request ---------


def _bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user, name='uji')[1]}"}


def test_a_removed_assignment_takes_effect_at_the_next_request(
    client, fast_passwords, spse_tickets, agent
):
    # Given the agent of LPSE 119, signed in and with a live API token
    ticket = spse_tickets[0]
    client.force_login(agent)
    bearer = _bearer(agent)
    assert client.get(_console(ticket)).status_code == 200
    # When an admin removes the assignment
    agent.assignments.all().delete()
    # Then the same session and token reach nothing
    assert client.get(_console(ticket)).status_code == 404
    assert client.get(reverse("console:queue")).status_code == 404
    take = reverse("console:ticket_action", args=[ticket.number, "take"])
    assert client.post(take, {"revision": ticket.revision}).status_code == 404
    assert client.get(f"/api/v1/tickets/{ticket.number}", **bearer).status_code == 404
    taken = client.post(
        f"/api/v1/tickets/{ticket.number}/take", {}, content_type="application/json", **bearer
    )
    assert taken.status_code == 404
    ticket.refresh_from_db()
    assert ticket.holder_id is None


@pytest.mark.parametrize("persona", ["agent", "supervisor", "alice"])
def test_a_deactivated_user_loses_a_live_session_and_a_live_token(
    client, request, fast_passwords, spse_tickets, persona
):
    # Given somebody signed in with a live API token, who reads a ticket
    user = request.getfixturevalue(persona)
    ticket = spse_tickets[0]
    client.force_login(user)
    bearer = _bearer(user)
    page = ticket.get_absolute_url() if user.is_reporter else _console(ticket)
    assert client.get(page).status_code == 200
    assert client.get(f"/api/v1/tickets/{ticket.number}", **bearer).status_code == 200
    # When an admin deactivates the account
    user.is_active = False
    user.save(update_fields=["is_active"])
    # Then the open session is signed out and the token no longer authenticates
    response = client.get(page)
    assert response.status_code == 302
    assert "/masuk/" in response["Location"] or response["Location"].startswith("/?")
    assert client.get(f"/api/v1/tickets/{ticket.number}", **bearer).status_code == 401
    assert client.get("/api/v1/tickets", **bearer).status_code == 401


@pytest.mark.parametrize("persona", ["agent", "supervisor_119"])
def test_assignments_to_a_deactivated_lpse_grant_nothing(
    client, request, fast_passwords, spse_tickets, lpse_119, persona
):
    # Given staff whose only assignment is LPSE 119, which an admin deactivates
    user = request.getfixturevalue(persona)
    lpse_119.is_active = False
    lpse_119.save(update_fields=["is_active"])
    # Then they have no console and no ticket, in pages or the API
    assert not is_staff_member(User.objects.get(pk=user.pk))
    client.force_login(user)
    assert client.get(reverse("console:queue")).status_code == 404
    assert client.get(_console(spse_tickets[0])).status_code == 404
    assert _api_numbers(client, user) == set()


def test_a_deactivated_lpse_tickets_stay_with_who_covers_them_nationally_or_by_group(
    client, fast_passwords, spse_tickets, lpse_119, lkpp_spse, teknis_spse, supervisor
):
    # Given LPSE 119 deactivated, with one ticket at tier 1 and one escalated to tier 3
    lpse_119.is_active = False
    lpse_119.save(update_fields=["is_active"])
    at_tier1, deep, other = spse_tickets
    # Then tier 2 and 3 keep the ticket that reached them, supervisors keep all
    assert _api_numbers(client, lkpp_spse) == {deep.number}
    assert _api_numbers(client, teknis_spse) == {deep.number}
    assert _api_numbers(client, supervisor) == {at_tier1.number, deep.number, other.number}
    # and the tier-3 team still acts on its ticket
    client.force_login(teknis_spse)
    take = reverse("console:ticket_action", args=[deep.number, "take"])
    assert client.post(take, {"revision": deep.revision}).status_code == 302


def test_reporters_of_a_deactivated_lpse_keep_their_tickets_but_file_no_new_one(
    client, fast_passwords, alice, agent, lpse_119
):
    # Given alice's ticket, resolved by the agent, and her LPSE deactivated afterwards
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    ticket = services.ticket_resolve(ticket=ticket, actor=agent, body="Sudah diperbaiki.")
    lpse_119.is_active = False
    lpse_119.save(update_fields=["is_active"])
    client.force_login(alice)
    bearer = _bearer(alice)
    # Then she reads it, confirms it and rates it
    assert client.get(ticket.get_absolute_url()).status_code == 200
    confirm = reverse("portal:ticket_confirm", args=[ticket.number])
    assert client.post(confirm, {"revision": ticket.revision, "answer": "ya"}).status_code == 302
    rated = client.post(
        f"/api/v1/tickets/{ticket.number}/rating",
        {"stars": 4},
        content_type="application/json",
        **bearer,
    )
    assert rated.status_code == 200, rated.content
    # but Buat Tiket refuses, with the reason, on the web and in the API
    page = client.get(reverse("portal:ticket_create"))
    assert page.status_code == 403
    assert "LPSE asal Anda sedang dinonaktifkan" in page.content.decode()
    before = Ticket.objects.count()
    posted = client.post(reverse("portal:ticket_create"), {"title": "Baru"})
    assert posted.status_code == 403
    api = client.post("/api/v1/tickets", ticket_form(alice), **bearer)
    assert api.status_code == 403 and api.json()["code"] == "forbidden"
    assert Ticket.objects.count() == before


# --- The one decider: buttons, allowed_actions and the services agree --------------------


def test_allowed_actions_never_offers_a_rating_the_service_refuses(client, alice, agent, bob):
    # Given a closed ticket merged into another, and one auto-closed
    bearer = _bearer(alice)
    target = make_ticket(alice, title="Tiket utama")
    duplicate = make_ticket(alice, title="Tiket ganda")
    duplicate = services.ticket_merge(ticket=duplicate, actor=agent, into=target)
    for ticket in (duplicate,):
        got = client.get(f"/api/v1/tickets/{ticket.number}", **bearer).json()
        # Then the API does not list "rate", and rating answers 409
        assert "rate" not in got["allowed_actions"]
        rated = client.post(
            f"/api/v1/tickets/{ticket.number}/rating",
            {"stars": 5},
            content_type="application/json",
            **bearer,
        )
        assert rated.status_code == 409
    # and once rated, a closed ticket no longer lists it either
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    ticket = services.ticket_resolve(ticket=ticket, actor=agent, body="Selesai.")
    ticket = services.ticket_confirm(ticket=ticket, actor=alice)
    assert (
        "rate" in client.get(f"/api/v1/tickets/{ticket.number}", **bearer).json()["allowed_actions"]
    )
    services.ticket_rate(ticket=ticket, actor=alice, stars=5)
    got = client.get(f"/api/v1/tickets/{ticket.number}", **bearer).json()
    assert "rate" not in got["allowed_actions"]
    # and the portal offers no rating button for it
    client.force_login(alice)
    assert (
        reverse("portal:ticket_rate", args=[ticket.number])
        not in client.get(ticket.get_absolute_url()).content.decode()
    )


@pytest.mark.parametrize("named", ["tidak_ada", "agent_119"])
def test_assigning_to_anybody_answers_403_to_who_may_not_assign(
    client, fast_passwords, alice, agent, agent_119_b, named
):
    # Given a ticket held by `agent`; their colleague may not assign it
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    bearer = _bearer(agent_119_b)
    # When the colleague assigns it to an unknown username or to a real one
    response = client.post(
        f"/api/v1/tickets/{ticket.number}/assign",
        {"assignee": named, "revision": ticket.revision},
        content_type="application/json",
        **bearer,
    )
    # Then the answer is the same 403 either way
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "forbidden"
    client.force_login(agent_119_b)
    url = reverse("console:ticket_action", args=[ticket.number, "assign"])
    for assignee in (999_999, agent.pk):
        page = client.post(url, {"revision": ticket.revision, "assignee": assignee})
        assert page.status_code == 403
    # while the holder naming nobody gets the field error
    own = client.post(
        f"/api/v1/tickets/{ticket.number}/assign",
        {"assignee": "tidak_ada", "revision": ticket.revision},
        content_type="application/json",
        **_bearer(agent),
    )
    assert own.status_code == 422 and "assignee" in own.json()["fields"]
