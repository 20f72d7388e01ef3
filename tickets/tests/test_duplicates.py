"""Kemungkinan duplikat (tickets/duplicates.py and its lazily loaded console panel):
what is shown, only within the staff member's visibility, and merging from the panel
through the existing merge action and its rules."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reference.models import Category
from tickets import services
from tickets.duplicates import possible_duplicates
from tickets.models import Status
from tickets.tests.factories import make_ticket

HX = {"HTTP_HX_REQUEST": "true"}


def _password_category():
    return Category.objects.get(application__code="SPSE", name="Lupa password / user ID terblokir")


def _unrelated(reporter):
    return make_ticket(
        reporter,
        title="Lupa kata sandi akun SPSE",
        description="Akun terkunci setelah salah memasukkan password tiga kali.",
        category=_password_category(),
        code="",
    )


def _panel(client, ticket):
    return client.get(reverse("console:ticket_duplicates", args=[ticket.number]), **HX)


def test_similar_open_tickets_of_the_reporter_and_of_the_lpse_are_shown(alice, bob, agent):
    ticket = make_ticket(alice)
    mine = make_ticket(alice, description="Upload dokumen penawaran gagal sejak pagi tadi.")
    theirs = make_ticket(bob, code="", description="Dokumen penawaran gagal upload terus.")
    unrelated = _unrelated(alice)
    closed = make_ticket(alice)
    services.ticket_take(ticket=closed, actor=agent)
    services.ticket_merge(ticket=closed, actor=agent, into=mine)

    found = {d.ticket.pk: d for d in possible_duplicates(agent, ticket)}

    assert set(found) == {mine.pk, theirs.pk}
    assert found[mine.pk].same_reporter and found[mine.pk].same_code
    assert not found[theirs.pk].same_reporter and found[theirs.pk].same_category
    assert unrelated.pk not in found and ticket.pk not in found
    assert type(closed).objects.get(pk=closed.pk).status == Status.CLOSED


def test_nothing_outside_the_staff_members_visibility_is_shown(alice, agent, lkpp_spse):
    # Given a ticket at tier 2 (LKPP sees it) and a twin still at tier 1 (LKPP does not)
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    ticket = services.ticket_escalate(ticket=ticket, actor=agent, note="Perlu LKPP.")
    twin = make_ticket(alice)
    # Then tier 1 sees the twin, tier 2 does not
    assert [d.ticket.pk for d in possible_duplicates(agent, ticket)] == [twin.pk]
    assert possible_duplicates(lkpp_spse, ticket) == []


def test_an_agent_of_another_lpse_sees_neither_the_ticket_nor_its_twins(
    client, alice, carol, agent_other
):
    ticket = make_ticket(alice)
    make_ticket(alice)
    client.force_login(agent_other)
    assert _panel(client, ticket).status_code == 404
    # carol's own (LPSE 10) ticket: alice's twin stays hidden from carol's agent
    theirs = make_ticket(carol)
    assert possible_duplicates(agent_other, theirs) == []


def test_merge_from_the_panel_follows_the_merge_rules(client, alice, bob, agent, supervisor):
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    twin = make_ticket(alice)
    other = make_ticket(bob, code="", description="Upload dokumen penawaran gagal terus.")
    # A supervisor reads the panel but may not merge: no button
    client.force_login(supervisor)
    page = _panel(client, ticket).content.decode()
    assert twin.number in page and other.number in page
    assert 'name="into"' not in page
    # The holder gets a button for the same reporter's twin only
    client.force_login(agent)
    page = _panel(client, ticket).content.decode()
    assert f'name="into" value="{twin.number}"' in page
    assert f'name="into" value="{other.number}"' not in page
    # Posting it is the existing merge action
    answer = client.post(
        reverse("console:ticket_action", args=[ticket.number, "merge"]),
        {"revision": ticket.revision, "into": twin.number},
    )
    assert answer.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.merged_into_id == twin.pk
    # Another reporter's ticket is refused by the merge form, as from the merge panel
    again = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    answer = client.post(
        reverse("console:ticket_action", args=[again.number, "merge"]),
        {"revision": again.revision, "into": other.number},
    )
    assert answer.status_code == 400
    again.refresh_from_db()
    assert again.status == Status.IN_PROGRESS


def test_a_closed_ticket_has_no_panel_to_fill(client, alice, agent):
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    twin = make_ticket(alice)
    services.ticket_merge(ticket=ticket, actor=agent, into=twin)
    client.force_login(agent)
    detail = client.get(reverse("console:ticket_detail", args=[ticket.number]))
    assert "kemungkinan-duplikat" not in detail.content.decode()
    assert twin.number not in _panel(client, ticket).content.decode().split("duplikat-isi")[1]


def test_without_javascript_the_panel_is_a_page_of_its_own(client, alice, agent):
    ticket = make_ticket(alice)
    twin = make_ticket(alice)
    client.force_login(agent)
    detail = client.get(reverse("console:ticket_detail", args=[ticket.number])).content.decode()
    url = reverse("console:ticket_duplicates", args=[ticket.number])
    assert f'href="{url}"' in detail and f'hx-get="{url}"' in detail
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "<html" in body and twin.number in body


def test_the_panel_runs_the_same_statements_for_any_number_of_twins(client, alice, bob, agent):
    ticket = make_ticket(alice)
    client.force_login(agent)
    counts = []
    for twins in (2, 10):
        for index in range(twins):
            make_ticket(alice if index % 2 else bob)
        _panel(client, ticket)  # sessions and caches warm
        with CaptureQueriesContext(connection) as captured:
            page = _panel(client, ticket)
        shown = page.content.decode().count('class="duplicates__item"')
        assert shown == (2 if twins == 2 else 5)
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 12
