"""Penilaian (guide §4.3.5.3): 1–5 stars, the categories offered for them, one per ticket.

Offered to the reporter of a confirmed or force-closed ticket; never after an automatic
close or a merge; refused with a page that says why.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reference.models import RatingCategory
from tickets import services
from tickets.models import Rating, Status
from tickets.tests.factories import make_ticket
from tickets.tests.test_portal_actions import awaiting_confirmation, in_progress, url


@pytest.fixture
def closed_ticket(alice, agent):
    ticket = awaiting_confirmation(alice, agent)
    return services.ticket_confirm(ticket=ticket, actor=alice)


def category(name: str) -> RatingCategory:
    return RatingCategory.objects.get(name=name)


def test_the_rating_page_offers_stars_categories_and_a_comment(client, alice, closed_ticket):
    client.force_login(alice)
    response = client.get(url("ticket_rate", closed_ticket))
    body = response.content.decode()
    assert response.status_code == 200
    for value in range(1, 6):
        assert f'<input type="radio" class="stars__input" name="stars" value="{value}"' in body
        assert f'<span class="visually-hidden">{value} bintang</span>' in body
    for text in [
        "Jumlah bintang", "Kategori penilaian", "Pilih jumlah bintang terlebih dahulu",
        "Saran dan kritik", ">Kirim<", f'name="revision" value="{closed_ticket.revision}"',
        f'hx-get="{url("rating_categories", closed_ticket)}"',
    ]:  # fmt: skip
        assert text in body, text


def test_rating_a_confirmed_ticket(client, alice, closed_ticket):
    # Given alice confirmed the resolution
    client.force_login(alice)
    fast, right = category("Respon cepat"), category("Solusi tepat")
    # When she gives 5 stars with two categories and a comment
    response = client.post(
        url("ticket_rate", closed_ticket),
        {
            "revision": closed_ticket.revision,
            "stars": "5",
            "categories": [fast.pk, right.pk],
            "comment": "Cepat dan jelas, terima kasih.",
        },
        follow=True,
    )
    # Then the rating is stored once and she is back on the list with the success text
    rating = Rating.objects.get(ticket=closed_ticket)
    assert rating.stars == 5 and rating.comment == "Cepat dan jelas, terima kasih."
    assert set(rating.categories.all()) == {fast, right}
    assert response.redirect_chain[-1][0] == reverse("portal:ticket_list")
    assert "Berhasil memberikan penilaian" in response.content.decode()
    assert "Penilaian berhasil dilakukan" not in response.content.decode()
    # And the detail shows the rating, without offering another one
    detail = client.get(closed_ticket.get_absolute_url()).content.decode()
    for text in ["5 dari 5 bintang", "Respon cepat", "Solusi tepat", "Cepat dan jelas"]:
        assert text in detail, text
    assert url("ticket_rate", closed_ticket) not in detail
    assert "Penilaian diberikan: 5 bintang" in detail


def test_the_detail_offers_the_rating_while_it_is_possible(client, alice, closed_ticket):
    client.force_login(alice)
    detail = client.get(closed_ticket.get_absolute_url()).content.decode()
    assert f'href="{url("ticket_rate", closed_ticket)}"' in detail
    assert "Beri penilaian" in detail


def test_a_force_closed_ticket_can_be_rated(client, alice):
    ticket = services.ticket_force_close(
        ticket=make_ticket(alice), actor=alice, reason="Sudah bisa sendiri."
    )
    client.force_login(alice)
    assert f'href="{url("ticket_rate", ticket)}"' in (
        client.get(ticket.get_absolute_url()).content.decode()
    )
    response = client.post(
        url("ticket_rate", ticket), {"revision": ticket.revision, "stars": "3"}, follow=True
    )
    assert Rating.objects.get(ticket=ticket).stars == 3
    # The guide's words after a force close (§4.3.5.3), not those after a confirmation
    body = response.content.decode()
    assert "Penilaian berhasil dilakukan" in body
    assert "Berhasil memberikan penilaian" not in body


@pytest.mark.parametrize(
    ("stars", "offered", "not_offered"),
    [
        ("1", ["Respon lambat", "Petugas kurang ramah"], ["Respon cepat"]),
        ("3", ["Respon lambat", "Solusi tidak menyelesaikan masalah"], ["Petugas kurang ramah"]),
        ("5", ["Respon cepat", "Petugas ramah dan membantu"], ["Respon lambat"]),
    ],
)
def test_the_categories_follow_the_stars(client, alice, closed_ticket, stars, offered, not_offered):
    client.force_login(alice)
    # The partial that htmx asks for when a star is chosen
    partial = client.get(url("rating_categories", closed_ticket), {"stars": stars})
    assert partial.status_code == 200
    body = partial.content.decode()
    assert body.startswith('<fieldset class="field rating-categories" id="rating-categories"')
    for name in offered:
        assert name in body, name
    for name in not_offered:
        assert name not in body, name
    # And the page itself with the stars chosen (after an error, or without JavaScript)
    page = client.get(url("ticket_rate", closed_ticket), {"stars": stars}).content.decode()
    assert f'value="{stars}" id="id_stars_{stars}" checked' in page
    for name in offered:
        assert name in page, name


def test_categories_still_offered_stay_chosen_when_the_stars_change(client, alice, closed_ticket):
    client.force_login(alice)
    fast, slow = category("Respon cepat"), category("Respon lambat")
    body = client.get(
        url("rating_categories", closed_ticket), {"stars": "4", "categories": [fast.pk, slow.pk]}
    ).content.decode()
    assert f'value="{fast.pk}" id="id_categories_{fast.pk}" checked' in body
    assert "Respon lambat" not in body


@pytest.mark.parametrize("stars", ["", "0", "6", "lima"])
def test_the_categories_partial_without_valid_stars_asks_for_them(
    client, alice, closed_ticket, stars
):
    client.force_login(alice)
    body = client.get(url("rating_categories", closed_ticket), {"stars": stars}).content.decode()
    assert "Pilih jumlah bintang terlebih dahulu" in body
    assert 'type="checkbox"' not in body


def test_a_low_category_with_five_stars_is_refused(client, alice, closed_ticket):
    client.force_login(alice)
    slow = category("Respon lambat")
    response = client.post(
        url("ticket_rate", closed_ticket),
        {"revision": closed_ticket.revision, "stars": "5", "categories": [slow.pk]},
    )
    assert response.status_code == 200
    assert "Kategori «Respon lambat» tidak tersedia untuk 5 bintang." in response.content.decode()
    assert not Rating.objects.filter(ticket=closed_ticket).exists()


@pytest.mark.parametrize("stars", [None, "0", "6", "x"])
def test_the_stars_are_required(client, alice, closed_ticket, stars):
    client.force_login(alice)
    data = {"revision": closed_ticket.revision, "comment": "Tanpa bintang"}
    if stars is not None:
        data["stars"] = stars
    response = client.post(url("ticket_rate", closed_ticket), data)
    assert response.status_code == 200
    assert "Pilih 1 sampai 5 bintang." in response.content.decode()
    # What she typed is kept
    assert "Tanpa bintang" in response.content.decode()
    assert not Rating.objects.filter(ticket=closed_ticket).exists()


def test_an_unknown_category_is_refused(client, alice, closed_ticket):
    client.force_login(alice)
    response = client.post(
        url("ticket_rate", closed_ticket),
        {"revision": closed_ticket.revision, "stars": "5", "categories": ["99999"]},
    )
    assert response.status_code == 200
    assert not Rating.objects.filter(ticket=closed_ticket).exists()


def test_one_rating_per_ticket(client, alice, closed_ticket):
    client.force_login(alice)
    data = {"revision": closed_ticket.revision, "stars": "4"}
    assert client.post(url("ticket_rate", closed_ticket), data).status_code == 302
    # A second one, from the same page or a new one, is refused with a page that says why
    again = client.post(url("ticket_rate", closed_ticket), {**data, "stars": "1"})
    assert again.status_code == 409
    assert "Tiket ini sudah diberi penilaian." in again.content.decode()
    assert client.get(url("ticket_rate", closed_ticket)).status_code == 409
    assert Rating.objects.get(ticket=closed_ticket).stars == 4


def test_no_rating_for_an_automatically_closed_ticket(client, alice, agent):
    ticket = awaiting_confirmation(alice, agent)
    services.tickets_auto_close(now=timezone.now() + datetime.timedelta(days=30))
    ticket.refresh_from_db()
    assert (ticket.status, ticket.close_reason) == (Status.CLOSED, "auto_closed")
    client.force_login(alice)
    detail = client.get(ticket.get_absolute_url()).content.decode()
    assert url("ticket_rate", ticket) not in detail
    assert "Tiket ditutup otomatis" in detail
    for method in ("get", "post"):
        response = getattr(client, method)(
            url("ticket_rate", ticket), {"revision": ticket.revision, "stars": "5"}
        )
        assert response.status_code == 409, method
        assert "Tiket yang ditutup otomatis atau digabung tidak dinilai." in (
            response.content.decode()
        )
    assert not Rating.objects.filter(ticket=ticket).exists()


def test_no_rating_for_a_merged_ticket(client, alice, agent):
    target = make_ticket(alice)
    duplicate = services.ticket_merge(ticket=in_progress(alice, agent), actor=agent, into=target)
    client.force_login(alice)
    assert url("ticket_rate", duplicate) not in (
        client.get(duplicate.get_absolute_url()).content.decode()
    )
    response = client.post(
        url("ticket_rate", duplicate), {"revision": duplicate.revision, "stars": "5"}
    )
    assert response.status_code == 409
    assert "tidak dinilai" in response.content.decode()
    assert not Rating.objects.filter(ticket=duplicate).exists()


def test_no_rating_while_the_ticket_is_open(client, alice, agent):
    ticket = awaiting_confirmation(alice, agent)
    client.force_login(alice)
    assert url("ticket_rate", ticket) not in client.get(ticket.get_absolute_url()).content.decode()
    response = client.get(url("ticket_rate", ticket))
    assert response.status_code == 409
    assert "Penilaian dapat diberikan setelah tiket selesai atau ditutup." in (
        response.content.decode()
    )


@pytest.mark.parametrize("intruder", ["bob", "carol", "agent", "supervisor"])
def test_only_the_reporter_may_rate(client, request, closed_ticket, intruder):
    client.force_login(request.getfixturevalue(intruder))
    data = {"revision": closed_ticket.revision, "stars": "1"}
    assert client.get(url("ticket_rate", closed_ticket)).status_code == 404
    assert client.post(url("ticket_rate", closed_ticket), data).status_code == 404
    assert client.get(url("rating_categories", closed_ticket), {"stars": 1}).status_code == 404
    assert not Rating.objects.filter(ticket=closed_ticket).exists()


def test_the_print_page_shows_the_rating(client, alice, closed_ticket):
    services.ticket_rate(ticket=closed_ticket, actor=alice, stars=2, comment="Lama sekali.")
    client.force_login(alice)
    body = client.get(url("ticket_print", closed_ticket)).content.decode()
    assert "2 dari 5 bintang" in body and "Lama sekali." in body
