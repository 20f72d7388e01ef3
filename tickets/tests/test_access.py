"""A reporter sees and downloads only their own tickets; anything else is a plain 404."""

import pytest
from django.urls import reverse

from tickets.tests import samples
from tickets.tests.factories import make_ticket

TICKET_URLS = [
    ("portal:ticket_detail", ()),
    ("portal:ticket_print", ()),
    ("portal:attachments_zip", ()),
    ("portal:attachment_download", (1,)),
]


def _urls(number):
    return [reverse(name, args=[number, *extra]) for name, extra in TICKET_URLS]


@pytest.fixture
def alices_ticket(alice):
    return make_ticket(alice, files={"bukti.png": samples.PNG})


def test_owner_reaches_every_url_of_her_ticket(client, alice, alices_ticket):
    client.force_login(alice)
    for url in _urls(alices_ticket.number):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("intruder", ["bob", "carol", "dave"])
def test_other_reporters_get_exactly_the_answer_of_a_missing_ticket(
    client, request, alices_ticket, intruder
):
    # Given another reporter — including carol, the *other* ppk1 at LPSE 10
    client.force_login(request.getfixturevalue(intruder))
    missing = "SPSE-20000101-99999"
    for theirs, nothing in zip(_urls(alices_ticket.number), _urls(missing), strict=True):
        # When they open alice's ticket and a ticket that does not exist
        response, baseline = client.get(theirs), client.get(nothing)
        # Then both answers are the same 404 page
        assert response.status_code == baseline.status_code == 404, theirs
        assert response.content == baseline.content


def test_the_two_ppk1_never_see_each_others_tickets(client, alice, carol):
    # Given alice (ppk1 at LPSE 119) and carol (ppk1 at LPSE 10) each with a ticket
    assert alice.source_user_id == carol.source_user_id == "ppk1"
    assert alice.pk != carol.pk
    mine = make_ticket(alice, title="Tiket milik ppk1 LPSE 119")
    theirs = make_ticket(carol, title="Tiket milik ppk1 LPSE 10")
    # Then each one's dashboard, list and search show only their own
    client.force_login(carol)
    for url in [
        reverse("portal:dashboard"),
        reverse("portal:ticket_list"),
        reverse("portal:ticket_list") + "?judul=ppk1",
        reverse("portal:ticket_list") + f"?nomor={mine.number}",
    ]:
        response = client.get(url)
        assert mine.title not in response.content.decode(), url
        if "page" in response.context:
            assert mine not in response.context["page"].object_list, url
    assert theirs.number in client.get(reverse("portal:ticket_list")).content.decode()
    assert client.get(mine.get_absolute_url()).status_code == 404


def test_an_attachment_number_that_does_not_exist_is_404(client, alice, alices_ticket):
    client.force_login(alice)
    url = reverse("portal:attachment_download", args=[alices_ticket.number, 2])
    assert client.get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, alices_ticket):
    for url in [*_urls(alices_ticket.number), reverse("portal:dashboard"),
                reverse("portal:ticket_list"), reverse("portal:ticket_create"),
                reverse("portal:ticket_form_choices"), reverse("accounts:profile"),
                reverse("accounts:profile_edit")]:  # fmt: skip
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/?next="), url


def test_staff_without_assignments_see_no_reporter_pages(client, admin_user, alices_ticket):
    client.force_login(admin_user)
    for url in [*_urls(alices_ticket.number), reverse("portal:dashboard"),
                reverse("portal:ticket_create"), reverse("accounts:profile")]:  # fmt: skip
        assert client.get(url).status_code == 404, url
