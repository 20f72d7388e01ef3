"""Jawaban yang mungkin (tickets/answers.py, knowledge.selectors.articles_for_ticket and
the console panel loaded when it is opened): only what the staff member sees, only
public resolutions and published articles, insert buttons only for who may reply."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from knowledge.tests.factories import write_article
from reference.models import Application, Category
from tickets import services
from tickets.answers import past_resolutions
from tickets.tests.factories import make_ticket

HX = {"HTTP_HX_REQUEST": "true"}
FIX = "Kosongkan cache peramban lalu unggah ulang dokumen dalam format PDF."


def _resolved(reporter, agent, body=FIX, **overrides):
    ticket = services.ticket_take(ticket=make_ticket(reporter, **overrides), actor=agent)
    services.ticket_add_note(ticket=ticket, actor=agent, body="Catatan rahasia petugas.")
    ticket.refresh_from_db()
    return services.ticket_resolve(ticket=ticket, actor=agent, body=body)


def _panel(client, ticket):
    return client.get(reverse("console:ticket_answers", args=[ticket.number]), **HX)


def test_the_public_resolution_of_a_similar_resolved_ticket_is_offered(alice, bob, agent):
    done = _resolved(bob, agent)
    open_twin = make_ticket(bob)  # not resolved: nothing to offer
    ticket = make_ticket(alice)
    found = past_resolutions(agent, ticket)
    assert [(item.ticket.pk, item.body) for item in found] == [(done.pk, FIX)]
    assert open_twin.pk not in {item.ticket.pk for item in found}


def test_nothing_from_tickets_the_staff_member_does_not_see(carol, alice, agent, agent_other):
    # carol's ticket (LPSE 10) resolved by her LPSE's agent: never offered at LPSE 119
    _resolved(carol, agent_other)
    ticket = make_ticket(alice)
    assert past_resolutions(agent, ticket) == []
    assert past_resolutions(agent_other, make_ticket(carol))[0].body == FIX


def test_internal_notes_never_appear(client, alice, bob, agent):
    _resolved(bob, agent)
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    client.force_login(agent)
    page = _panel(client, ticket).content.decode()
    assert FIX in page
    assert "Catatan rahasia" not in page


def test_published_articles_of_the_category_are_offered_drafts_never(
    client, alice, agent, editor, upload_category
):
    spse = Application.objects.get(code="SPSE")
    katalog = Application.objects.get(code="KATALOG")
    published = write_article(
        editor,
        "Unggah dokumen penawaran gagal",
        applications=(spse,),
        categories=(upload_category,),
    )
    draft = write_article(
        editor,
        "Draf tentang unggah dokumen",
        applications=(spse,),
        categories=(upload_category,),
        publish=False,
    )
    katalog_leaf = Category.objects.filter(application=katalog, is_leaf=True).first()
    assert katalog_leaf is not None
    elsewhere = write_article(
        editor, "Upload dokumen di Katalog", applications=(katalog,), categories=(katalog_leaf,)
    )
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    client.force_login(agent)
    page = _panel(client, ticket).content.decode()
    assert published.title in page and published.get_absolute_url() in page
    assert draft.title not in page and elsewhere.title not in page


def test_insert_buttons_only_for_who_may_reply(client, alice, bob, agent, supervisor):
    _resolved(bob, agent)
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    client.force_login(supervisor)
    page = _panel(client, ticket).content.decode()
    assert FIX in page and "data-insert-target" not in page
    client.force_login(agent)
    page = _panel(client, ticket).content.decode()
    assert 'data-insert-target="id_reply_body"' in page
    detail = client.get(reverse("console:ticket_detail", args=[ticket.number])).content.decode()
    assert 'id="id_reply_body"' in detail  # the box the buttons fill
    assert 'id="jawaban-mungkin"' in detail


def test_not_staff_and_staff_who_do_not_see_get_the_unknown_address(
    client, alice, bob, agent_other, lkpp_katalog
):
    ticket = make_ticket(alice)
    url = reverse("console:ticket_answers", args=[ticket.number])
    missing = reverse("console:ticket_answers", args=["SPSE-20000101-99999"])
    for person in (alice, bob, agent_other, lkpp_katalog):
        client.force_login(person)
        for headers in (HX, {}):
            hidden, nothing = client.get(url, **headers), client.get(missing, **headers)
            assert hidden.status_code == nothing.status_code == 404
            assert hidden.content == nothing.content
    client.logout()
    assert client.get(url).status_code == 302


def test_without_javascript_the_panel_is_a_page_without_buttons(client, alice, bob, agent):
    _resolved(bob, agent)
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    client.force_login(agent)
    page = client.get(reverse("console:ticket_answers", args=[ticket.number]))
    body = page.content.decode()
    assert page.status_code == 200 and "<html" in body and FIX in body
    assert "data-insert-target" not in body


def test_the_panel_runs_the_same_statements_for_any_number_of_resolved_twins(
    client, alice, bob, agent, editor, upload_category
):
    write_article(editor, "Unggah dokumen penawaran gagal", categories=(upload_category,))
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    client.force_login(agent)
    counts = []
    for twins in (1, 6):
        for _ in range(twins):
            _resolved(bob, agent)
        _panel(client, ticket)
        with CaptureQueriesContext(connection) as captured:
            assert _panel(client, ticket).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 14
