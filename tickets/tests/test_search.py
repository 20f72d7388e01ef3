"""Full-text search: one contract on PostgreSQL (tsvector + GIN) and SQLite (FTS5).

The same tests run on both databases (`make test` runs the suite on each).
"""

import pytest
from django.db import connection
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tokens import api_token_create
from tickets import search, services
from tickets.models import Ticket
from tickets.search import search_filter, search_ranked, search_rebuild
from tickets.tests.factories import make_ticket

QUEUE = reverse("console:queue")


def _found(text: str, *, title_only: bool = False, tickets=None) -> list[str]:
    qs = search_filter(tickets or Ticket.objects.all(), text, title_only=title_only)
    return sorted(qs.values_list("number", flat=True))


def _ranked(text: str) -> list[str]:
    found = search_filter(Ticket.objects.all(), text)
    return list(search_ranked(found, text).values_list("number", flat=True))


@pytest.fixture
def corpus(alice, carol, agent):
    """Tickets with a word in each searchable part, oldest first."""
    title = make_ticket(alice, title="Sanggah tidak bisa dikirim", description="Tolong.")
    code = make_ticket(
        alice, title="Galat aplikasi", error_code="SANGGAH-42", description="Muncul galat."
    )
    body = make_ticket(
        carol, title="Masa sanggah", description="Dokumen kualifikasi Müller ditolak."
    )
    described = make_ticket(
        alice, title="Jadwal bergeser", description="Waktu sanggah berakhir lebih awal."
    )
    talked = make_ticket(alice, title="Pertanyaan umum", description="Bagaimana caranya?")
    talked = services.ticket_take(ticket=talked, actor=agent)
    services.ticket_reply(ticket=talked, actor=agent, body="Silakan ajukan sanggah banding.")
    services.ticket_add_note(
        ticket=talked, actor=agent, body="Catatan: vendor rahasiawan menelepon."
    )
    return {
        "title": title,
        "code": code,
        "body": body,
        "described": described,
        "talked": talked,
    }


def test_every_word_must_occur_as_a_prefix_anywhere(corpus):
    n = {key: ticket.number for key, ticket in corpus.items()}
    every = sorted(n.values())
    # Title, codes, description, a reply, an internal note
    assert _found("sanggah") == sorted(
        [n["title"], n["code"], n["body"], n["described"], n["talked"]]
    )
    assert _found("sanggah banding") == [n["talked"]]
    assert _found("rahasiawan") == [n["talked"]]
    assert _found("kualifikasi ditolak") == [n["body"]]
    # Prefixes: a word being typed, Indonesian suffixes
    assert _found("kualif") == [n["body"]]
    assert _found("dikir") == [n["title"]]
    # Case and accents do not matter
    assert _found("MULLER") == [n["body"]] == _found("müller")
    # A word that occurs nowhere excludes everything
    assert _found("sanggah zzzqx") == []
    # Ticket numbers: whole, by part, as a prefix of a part
    number = n["described"]
    assert _found(number) == [number]
    assert _found(number.split("-")[-1]) == [number]
    assert _found(number.lower()) == [number]
    # Codes: the error code, the procurement code typed on the form
    assert _found("SANGGAH-42") == [n["code"]]
    assert n["code"] in _found("9537119")
    assert _found("953711") == every  # every ticket here has the default code
    # Nothing searchable finds nothing
    assert _found("") == _found("  -- !! ") == []


def test_a_one_letter_word_is_not_a_prefix_of_everything(corpus):
    n = {key: ticket.number for key, ticket in corpus.items()}
    assert _found("s") == []
    assert _found("sanggah 4") == []  # "42" is not "4"
    assert _found("sanggah 42") == [n["code"]]


def test_title_only_search_ignores_the_rest(corpus):
    n = {key: ticket.number for key, ticket in corpus.items()}
    assert _found("sanggah", title_only=True) == sorted([n["title"], n["body"]])
    assert _found("rahasiawan", title_only=True) == []
    assert _found("kualifikasi", title_only=True) == []


def test_ranking_puts_title_then_codes_then_description_then_messages(corpus):
    n = {key: ticket.number for key, ticket in corpus.items()}
    ranked = _ranked("sanggah")
    # Both title matches first (their order between them is each database's own
    # scoring: word counts, lengths), then the code, the description, and the message:
    # the reverse of the filing order, so "newest first" would fail here.
    assert set(ranked[:2]) == {n["body"], n["title"]}
    assert ranked[2:] == [n["code"], n["described"], n["talked"]]


def test_a_message_is_searchable_as_soon_as_it_is_written(corpus, agent):
    talked = corpus["talked"]
    assert _found("tangkapan") == []
    services.ticket_reply(
        ticket=Ticket.objects.get(pk=talked.pk), actor=agent, body="Kirim tangkapan layar."
    )
    assert _found("tangkapan layar") == [talked.number]


def test_rebuild_writes_the_same_entries(corpus):
    queries = ["sanggah", "rahasiawan", "kualif", "SANGGAH-42", corpus["talked"].number]
    before = {q: (_found(q), _ranked(q)) for q in queries}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("UPDATE tickets_ticket SET search_vector = NULL")
        else:
            cursor.execute(f"DELETE FROM {search.FTS_TABLE}")  # noqa: S608
    assert _found("sanggah") == []
    assert search_rebuild(batch_size=2) == len(corpus)
    assert {q: (_found(q), _ranked(q)) for q in queries} == before


def test_a_broad_search_is_newest_first_and_the_page_says_so(
    client, corpus, supervisor, monkeypatch
):
    n = {key: ticket.number for key, ticket in corpus.items()}
    newest_first = [n["talked"], n["described"], n["body"], n["code"], n["title"]]
    monkeypatch.setattr(search, "RELEVANCE_LIMIT", 4)
    assert _ranked("sanggah") == newest_first
    client.force_login(supervisor)
    response = client.get(QUEUE, {"antrian": "semua", "cari": "sanggah"})
    assert [t.number for t in response.context["page"].object_list] == newest_first
    assert "terlalu banyak untuk diurutkan menurut relevansi" in response.content.decode()
    monkeypatch.setattr(search, "RELEVANCE_LIMIT", 5)
    response = client.get(QUEUE, {"antrian": "semua", "cari": "sanggah"})
    assert response.context["page"].object_list[0].number in (n["body"], n["title"])
    assert "terlalu banyak untuk diurutkan" not in response.content.decode()


def test_pages_and_api_search_only_what_the_person_may_see(
    client, corpus, alice, carol, agent, agent_other
):
    n = {key: ticket.number for key, ticket in corpus.items()}

    def listed(person, url, params, headers=None):
        client.force_login(person)
        response = client.get(url, params, **(headers or {}))
        assert response.status_code == 200
        if url.startswith("/api/"):
            return sorted(t["number"] for t in response.json()["items"])
        return sorted(t.number for t in response.context["page"].object_list)

    portal = reverse("portal:ticket_list")
    # Reporters search the titles of their own tickets
    assert listed(alice, portal, {"judul": "sanggah"}) == [n["title"]]
    assert listed(carol, portal, {"judul": "sanggah"}) == [n["body"]]
    assert listed(alice, portal, {"judul": "rahasiawan"}) == []
    # Staff search everything in their scope (agent: LPSE 119; agent_other: LPSE 10)
    assert listed(agent, QUEUE, {"antrian": "semua", "cari": "sanggah"}) == sorted(
        [n["title"], n["code"], n["described"], n["talked"]]
    )
    assert listed(agent_other, QUEUE, {"antrian": "semua", "cari": "sanggah"}) == [n["body"]]
    # The API answers the same
    _, token = api_token_create(user=agent, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert listed(agent, "/api/v1/tickets", {"antrian": "semua", "cari": "rahasiawan"}, auth) == [
        n["talked"]
    ]
    _, token = api_token_create(user=alice, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert listed(alice, "/api/v1/tickets", {"judul": "sanggah"}, auth) == [n["title"]]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=60))
def test_any_text_is_a_valid_query(corpus, text):
    # Quotes, operators of either database (& | ! : * ( ) AND OR NOT NEAR), NUL... never
    # reach the database as syntax: the results are a subset and nothing raises.
    every = set(Ticket.objects.values_list("number", flat=True))
    assert set(_found(text)) <= every
    assert set(_ranked(text)) <= every
    assert set(_found(text, title_only=True)) <= every


@pytest.mark.parametrize(
    "text", ['"sanggah', "sanggah AND OR", "NEAR(sanggah)", "sanggah:*", "title : x", "a & !b"]
)
def test_query_syntax_of_either_database_is_just_words(corpus, text):
    _found(text)
    _ranked(text)
