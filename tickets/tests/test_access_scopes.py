"""Scopes an admin can create by accident grant nothing (DESIGN §1).

An assignment is judged by its own columns: a supervisor is national only when the
assignment names neither an LPSE nor an application group. An assignment to a group
without applications — new, or emptied later — grants nothing until the group has
applications again.
"""

import pytest
from django.urls import reverse

from accounts.services import staff_member_upsert
from accounts.tokens import api_token_create
from tickets import services
from tickets.access import is_staff_member, tickets_visible_to
from tickets.tests.factories import make_ticket

EMPTY_GROUP_STAFF = ["supervisor_empty_group", "lkpp_empty_group", "teknis_empty_group"]


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def supervisor_spse_group(reference):
    return staff_member_upsert(
        username="supervisor_spse",
        full_name="Supervisor SPSE",
        email="supervisor_spse@lkpp.example",
        assignments=[("supervisor", None, "spse", "")],
        password="demo1234",
    )


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
