import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tickets.models import Status, Ticket
from tickets.tests.factories import make_ticket

LIST = reverse("portal:ticket_list")


@pytest.fixture
def tickets(alice):
    made = {
        "upload": make_ticket(alice, title="Gagal upload dokumen penawaran"),
        "jadwal": make_ticket(alice, title="Jadwal evaluasi tidak bisa diubah"),
        "sanggah": make_ticket(alice, title="Gagal kirim sanggah"),
    }
    Ticket.objects.filter(pk=made["jadwal"].pk).update(status=Status.IN_PROGRESS)
    Ticket.objects.filter(pk=made["sanggah"].pk).update(status=Status.AWAITING_FEEDBACK)
    return made


def _numbers(response):
    return [t.number for t in response.context["page"].object_list]


def test_list_is_newest_first(client, alice, tickets):
    client.force_login(alice)
    assert _numbers(client.get(LIST)) == [
        tickets["sanggah"].number, tickets["jadwal"].number, tickets["upload"].number,
    ]  # fmt: skip


def test_search_by_number_status_and_title_in_any_combination(client, alice, tickets):
    client.force_login(alice)
    upload = tickets["upload"].number
    assert _numbers(client.get(LIST, {"nomor": upload})) == [upload]
    assert _numbers(client.get(LIST, {"nomor": upload[-5:]})) == [upload]
    assert _numbers(client.get(LIST, {"status": "in_progress"})) == [tickets["jadwal"].number]
    assert _numbers(client.get(LIST, {"judul": "gagal"})) == [
        tickets["sanggah"].number, upload,
    ]  # fmt: skip
    assert _numbers(client.get(LIST, {"judul": "gagal", "status": "new"})) == [upload]
    assert _numbers(client.get(LIST, {"judul": "gagal", "status": "in_progress"})) == []
    assert _numbers(client.get(LIST, {"status": "perlu_tindakan"})) == [tickets["sanggah"].number]


def test_an_unknown_status_filter_is_ignored_not_an_error(client, alice, tickets):
    client.force_login(alice)
    response = client.get(LIST, {"status": "bogus", "page": "abc"})
    assert response.status_code == 200


def test_the_list_is_paginated_with_a_bounded_number_of_queries(client, alice, settings):
    settings.TICKET_PAGE_SIZE = 5
    for i in range(12):
        make_ticket(alice, title=f"Tiket {i}")
    client.force_login(alice)
    client.get(LIST)  # what the process keeps (the reference book) is read once
    with CaptureQueriesContext(connection) as small:
        first = client.get(LIST)
    settings.TICKET_PAGE_SIZE = 12
    with CaptureQueriesContext(connection) as large:
        client.get(LIST)
    assert len(_numbers(first)) == 5
    assert first.context["page"].paginator.num_pages == 3
    assert "Halaman 1 dari 3" in first.content.decode()
    assert len(large.captured_queries) == len(small.captured_queries) <= 8


def test_dashboard_shows_the_guides_four_cards_and_perlu_tindakan(client, alice, tickets, bob):
    make_ticket(bob)  # not alice's: never counted
    # Passed on to LKPP (DESIGN §4): open at tier 2 or 3 counts as *sudah dilaporkan*;
    # a closed one that once reached LKPP does not.
    at_lkpp = make_ticket(alice, title="Diteruskan ke LKPP")
    Ticket.objects.filter(pk=at_lkpp.pk).update(status=Status.IN_PROGRESS, tier=2, max_tier=2)
    done = make_ticket(alice, title="Sudah selesai di tim teknis")
    Ticket.objects.filter(pk=done.pk).update(status=Status.CLOSED, tier=3, max_tier=3)
    client.force_login(alice)
    response = client.get(reverse("portal:dashboard"))
    counts = response.context["counts"]
    assert (counts.new, counts.reported, counts.in_progress, counts.total, counts.needs_action) == (
        1, 1, 2, 5, 1,
    )  # fmt: skip
    body = response.content.decode()
    labels = [
        "Tiket belum dikerjakan", "Tiket sudah dilaporkan", "Tiket sedang dikerjakan",
        "Jumlah tiket pernah dilaporkan", "Perlu tindakan Anda",
    ]  # fmt: skip
    assert [body.index(label) for label in labels] == sorted(body.index(label) for label in labels)
    for query in ["new", "dilaporkan", "in_progress", "perlu_tindakan"]:
        assert f'{LIST}?status={query}"' in body
    # Each card opens exactly the tickets it counts.
    assert _numbers(client.get(LIST, {"status": "dilaporkan"})) == [at_lkpp.number]
    # A ticket waiting for the reporter shows its action right in the list.
    assert "Beri Feedback" in body
