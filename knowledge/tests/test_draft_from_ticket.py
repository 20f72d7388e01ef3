"""*Jadikan draf artikel*: staff who see a resolved ticket rewrite it as a draft article
(knowledge.services.article_draft_from_ticket and its console page)."""

import pytest
from django.urls import reverse

from knowledge.models import Article, ArticleStatus
from tickets import services
from tickets.tests.factories import make_ticket

FIX = "Kosongkan cache peramban lalu unggah ulang dokumen dalam format PDF."


@pytest.fixture
def resolved(alice, agent):
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    return services.ticket_resolve(ticket=ticket, actor=agent, body=FIX)


def _url(ticket):
    return reverse("knowledge_console:from_ticket", args=[ticket.number])


def _post(client, ticket, **data):
    values = {"title": "Unggah dokumen penawaran gagal", "problem": "Unggah gagal.", **data}
    values.setdefault("resolution", FIX)
    return client.post(_url(ticket), values)


def test_an_agent_drafts_an_article_from_the_resolved_ticket(client, resolved, agent):
    client.force_login(agent)
    detail = client.get(reverse("console:ticket_detail", args=[resolved.number])).content
    assert _url(resolved) in detail.decode()
    form = client.get(_url(resolved))
    assert form.status_code == 200
    assert form.context["form"].initial == {
        "title": resolved.title,
        "problem": resolved.description,
        "resolution": FIX,
    }
    answer = _post(client, resolved, problem="Pelapor tidak dapat mengunggah dokumen.")
    assert answer.status_code == 302
    assert answer["Location"] == reverse("console:ticket_detail", args=[resolved.number])
    article = Article.objects.get()
    assert article.status == ArticleStatus.DRAFT and article.author == agent
    assert "## Masalah" in article.body and "Pelapor tidak dapat mengunggah" in article.body
    assert "## Penyelesaian" in article.body and FIX in article.body
    assert list(article.applications.all()) == [resolved.application]
    assert list(article.categories.all()) == [resolved.category]
    assert article.versions.count() == 1


def test_the_draft_stays_hidden_from_reporters_and_is_the_editors_to_publish(
    client, resolved, agent, alice, editor
):
    client.force_login(agent)
    _post(client, resolved)
    article = Article.objects.get()
    client.force_login(alice)
    assert client.get(article.get_absolute_url()).status_code == 404
    client.logout()
    assert client.get(article.get_absolute_url()).status_code in (302, 404)
    client.force_login(editor)
    edit = client.get(reverse("knowledge_console:edit", args=[article.pk]))
    assert edit.status_code == 200


def test_a_second_draft_of_the_same_title_gets_its_own_address(client, resolved, agent):
    client.force_login(agent)
    _post(client, resolved)
    _post(client, resolved)
    slugs = sorted(Article.objects.values_list("slug", flat=True))
    assert slugs == ["unggah-dokumen-penawaran-gagal", "unggah-dokumen-penawaran-gagal-2"]


@pytest.mark.parametrize(
    "data",
    [
        {"title": ""},
        {"problem": "   "},
        {"resolution": ""},
        {"title": "x" * 201},
        {"resolution": "x" * 60_000},
    ],
)
def test_bad_input_says_why_and_saves_nothing(client, resolved, agent, data):
    client.force_login(agent)
    answer = _post(client, resolved, **data)
    assert answer.status_code == 400
    assert "Draf belum disimpan" in answer.content.decode()
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    "persona",
    [
        "alice",  # the reporter
        "bob",
        "agent_other",  # another LPSE
        "lkpp_katalog",
        "editor",  # writes articles, sees no ticket
        "admin_user",
        "supervisor_empty_group",
        "agent_removed",
    ],
)
def test_who_does_not_see_the_ticket_gets_the_unknown_address(client, request, resolved, persona):
    client.force_login(request.getfixturevalue(persona))
    missing = reverse("knowledge_console:from_ticket", args=["SPSE-20000101-99999"])
    nothing = client.get(missing)
    for answer in (client.get(_url(resolved)), _post(client, resolved)):
        assert answer.status_code == nothing.status_code == 404
        assert answer.content == nothing.content
    assert not Article.objects.exists()


def test_an_open_ticket_is_not_drafted_yet(client, alice, agent):
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    client.force_login(agent)
    assert client.get(_url(ticket)).status_code == 404
    assert _post(client, ticket).status_code == 404
    detail = client.get(reverse("console:ticket_detail", args=[ticket.number])).content
    assert _url(ticket) not in detail.decode()
    assert not Article.objects.exists()


def test_anonymous_goes_to_the_staff_sign_in(client, resolved):
    answer = client.get(_url(resolved))
    assert answer.status_code == 302 and "/masuk/" in answer["Location"]
    assert _post(client, resolved).status_code == 302
    assert not Article.objects.exists()
