"""Live pages answer a poll with 204 while nothing changed; presence is for staff only."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from api.tests.test_api_access import api_get, token_for
from tickets import live, services
from tickets.models import TicketPresence
from tickets.tests.factories import make_ticket


def stamp_of(content: bytes) -> str:
    found = re.search(rb'data-live-poll data-stamp="([^"]+)"', content)
    assert found is not None, "the page has no live poll"
    return found.group(1).decode()


def test_an_unchanged_ticket_answers_the_poll_with_no_content(
    client: Client, alice: User, agent: User
) -> None:
    # Given the reporter's open ticket page
    ticket = make_ticket(alice)
    client.force_login(alice)
    url = ticket.get_absolute_url()
    stamp = stamp_of(client.get(url).content)
    # When it polls with its stamp and nothing changed, then 204
    assert client.get(url, {"live": stamp}).status_code == 204
    # When the agent acts, then the poll gets the new page, with a new stamp
    services.ticket_take(ticket=ticket, actor=agent)
    fresh = client.get(url, {"live": stamp})
    assert fresh.status_code == 200
    assert stamp_of(fresh.content) != stamp
    assert b"Sedang dikerjakan" in fresh.content


def test_lists_and_console_pages_poll_the_same_way(
    client: Client, alice: User, bob: User, agent: User
) -> None:
    make_ticket(alice)
    pages = [
        (alice, reverse("portal:ticket_list")),
        (alice, reverse("portal:dashboard")),
        (agent, reverse("console:queue")),
    ]
    for user, url in pages:
        client.force_login(user)
        stamp = stamp_of(client.get(url).content)
        assert client.get(url, {"live": stamp}).status_code == 204, url
    # A new ticket changes the reporter's and the agent's lists, not another reporter's
    client.force_login(bob)
    bob_stamp = stamp_of(client.get(reverse("portal:ticket_list")).content)
    client.force_login(agent)
    queue_stamp = stamp_of(client.get(reverse("console:queue")).content)
    make_ticket(alice)
    assert client.get(reverse("console:queue"), {"live": queue_stamp}).status_code == 200
    client.force_login(bob)
    assert client.get(reverse("portal:ticket_list"), {"live": bob_stamp}).status_code == 204


def test_a_poll_stamp_never_ends_up_in_the_queue_links(
    client: Client, alice: User, agent: User, settings
) -> None:
    settings.TICKET_PAGE_SIZE = 1
    make_ticket(alice)
    make_ticket(alice)
    client.force_login(agent)
    page = client.get(reverse("console:queue"), {"antrian": "semua", "live": "old"})
    assert b"page=2" in page.content
    assert b"live=old" not in page.content


def test_polling_somebody_elses_ticket_is_a_plain_404(
    client: Client, alice: User, bob: User, agent_other: User
) -> None:
    ticket = make_ticket(alice)
    client.force_login(bob)
    assert client.get(ticket.get_absolute_url(), {"live": "x"}).status_code == 404
    client.force_login(agent_other)
    console = reverse("console:ticket_detail", args=[ticket.number])
    assert client.get(console, {"live": "x"}).status_code == 404


def test_staff_see_who_else_has_the_ticket_open(
    client: Client, alice: User, agent: User, agent_119_b: User
) -> None:
    ticket = make_ticket(alice)
    url = reverse("console:ticket_presence", args=[ticket.number])
    # Given one agent writing a reply on the ticket
    client.force_login(agent_119_b)
    assert client.post(url, {"replying": "true"}).content.strip() == b""
    # When another opens it
    client.force_login(agent)
    answer = client.post(url, {"replying": "false"})
    # Then they are told who is writing
    assert "Agent 119 B</strong> sedang menulis tanggapan" in answer.content.decode()
    assert TicketPresence.objects.filter(ticket=ticket).count() == 2


def test_presence_is_not_for_reporters_or_staff_who_cannot_see_the_ticket(
    client: Client, alice: User, agent_other: User, agent: User
) -> None:
    ticket = make_ticket(alice)
    url = reverse("console:ticket_presence", args=[ticket.number])
    missing = reverse("console:ticket_presence", args=["SPSE-20990101-00001"])
    for user in (alice, agent_other):
        client.force_login(user)
        assert client.post(url).status_code == 404
        assert client.post(missing).status_code == 404
    client.force_login(agent)
    assert client.get(url).status_code == 405
    assert not TicketPresence.objects.exclude(user=agent).exists()


@pytest.mark.moving_live_slot
def test_every_stamp_moves_when_the_clock_crosses_five_minutes(
    client: Client, alice: User, agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """So that the SLA times a page shows are drawn afresh at least every five minutes."""
    ticket = make_ticket(alice)
    wib = datetime.timezone(datetime.timedelta(hours=7))
    clock = [datetime.datetime(2026, 12, 7, 22, 55, 0, tzinfo=wib)]
    # (the live module's clock only: sessions and SLA clocks keep the real one)
    monkeypatch.setattr(live, "timezone", SimpleNamespace(now=lambda: clock[0]))
    pages = [
        (alice, ticket.get_absolute_url()),
        (alice, reverse("portal:ticket_list")),
        (alice, reverse("portal:dashboard")),
        (agent, reverse("console:queue")),
        (agent, reverse("console:ticket_detail", args=[ticket.number])),
    ]
    for user, url in pages:
        client.force_login(user)
        clock[0] = datetime.datetime(2026, 12, 7, 22, 55, 0, tzinfo=wib)
        stamp = stamp_of(client.get(url).content)
        # Within the same five minutes, nothing changed: 204
        clock[0] = datetime.datetime(2026, 12, 7, 22, 59, 59, 999000, tzinfo=wib)
        assert client.get(url, {"live": stamp}).status_code == 204, url
        # Across 23:00 the page is sent again, with a new stamp
        clock[0] = datetime.datetime(2026, 12, 7, 23, 0, 0, tzinfo=wib)
        fresh = client.get(url, {"live": stamp})
        assert fresh.status_code == 200, url
        assert stamp_of(fresh.content) != stamp, url


def test_an_internal_note_leaves_no_trace_the_reporter_can_observe(
    client: Client, alice: User, agent: User
) -> None:
    # (The stamps' five-minute slot is held still in every test: conftest.py.)
    # Given alice's ticket in the agent's hands, her three live pages and the API
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    pages = [
        ticket.get_absolute_url(),
        reverse("portal:ticket_list"),
        reverse("portal:dashboard"),
    ]
    client.force_login(alice)
    stamps = {url: stamp_of(client.get(url).content) for url in pages}
    raw = token_for(alice)

    def api_updated_at() -> tuple[str, str]:
        detail = api_get(client, raw, f"/tickets/{ticket.number}").json()
        (summary,) = api_get(client, raw, "/tickets").json()["items"]
        return detail["updated_at"], summary["updated_at"]

    before = api_updated_at()
    client.force_login(agent)
    console_url = reverse("console:ticket_detail", args=[ticket.number])
    console_stamp = stamp_of(client.get(console_url).content)
    # When the agent writes an internal note
    services.ticket_add_note(ticket=ticket, actor=agent, body="Cek log server dulu.")
    # Then her pages still answer their polls with 204, and the API's time is the same
    client.force_login(alice)
    for url, stamp in stamps.items():
        assert client.get(url, {"live": stamp}).status_code == 204, url
    assert api_updated_at() == before
    # While the staff page does see the note
    client.force_login(agent)
    assert client.get(console_url, {"live": console_stamp}).status_code == 200
    # When the agent then replies publicly
    services.ticket_reply(ticket=ticket, actor=agent, body="Sudah kami perbaiki.")
    # Then each of her pages and the API show a change
    client.force_login(alice)
    for url, stamp in stamps.items():
        assert client.get(url, {"live": stamp}).status_code == 200, url
    after = api_updated_at()
    assert after[0] != before[0] and after[1] != before[1]
