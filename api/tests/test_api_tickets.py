"""Tickets through the API: reference data, lists and pages, creating, downloads and the
whole lifecycle of actions, with the web's rules."""

import datetime
import io
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings

from accounts import tokens
from accounts.models import User
from api.tests.test_api_access import (
    API,
    api_form,
    api_get,
    api_post,
    assert_error,
    snapshot,
    ticket_form,
    token_for,
)
from reference.models import Application, Category, Lpse, TicketType
from tickets import services
from tickets.models import Attachment, Rating, Status, Ticket
from tickets.tests import samples
from tickets.tests.factories import make_ticket


@pytest.fixture
def fast_passwords(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def alice_token(alice: User) -> str:
    return token_for(alice)


@pytest.fixture
def agent_token(agent: User, fast_passwords: None) -> str:
    return token_for(agent)


def stored_files(location: str) -> list[str]:
    return [os.path.join(root, name) for root, _, names in os.walk(location) for name in names]


def items(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["number"] for item in response.json()["items"]]


# --- Reference data ---------------------------------------------------------------------


def test_reference_endpoints_answer_the_seeded_data(client: Client, alice_token: str) -> None:
    applications = api_get(client, alice_token, "/applications").json()
    spse = next(a for a in applications if a["code"] == "SPSE")
    assert {v["name"] for v in spse["versions"]} == {"4.5", "4.4", "4.3"}
    assert {a["code"] for a in applications} == set(
        Application.objects.filter(is_active=True).values_list("code", flat=True)
    )

    categories = api_get(client, alice_token, "/categories", {"application": spse["id"]}).json()
    assert categories and all(c["application_id"] == spse["id"] for c in categories)
    upload = next(c for c in categories if c["name"] == "Gagal upload dokumen penawaran")
    assert upload["selectable"] is True
    assert upload["path"].endswith("Gagal upload dokumen penawaran")
    everything = api_get(client, alice_token, "/categories").json()
    assert len(everything) == Category.objects.filter(is_active=True).count() > len(categories)

    lpses = api_get(client, alice_token, "/lpse").json()
    assert {119, 10} <= {lpse["kd_lpse"] for lpse in lpses}
    assert len(lpses) == Lpse.objects.filter(is_active=True).count()

    types = api_get(client, alice_token, "/ticket-types").json()
    assert [t["name"] for t in types] == list(
        TicketType.objects.order_by("pk").values_list("name", flat=True)
    )
    # A bad filter value is a 422 with the field named
    body = assert_error(api_get(client, alice_token, "/categories", {"application": "x"}), 422)
    assert body["fields"] == {"application": ["Harus berupa bilangan bulat."]}


# --- Lists ------------------------------------------------------------------------------


def test_the_reporters_filters_narrow_the_list(
    client: Client, alice: User, agent: User, alice_token: str
) -> None:
    upload = make_ticket(alice, title="Gagal upload dokumen penawaran")
    login = make_ticket(alice, title="Tidak bisa login sama sekali")
    services.ticket_take(ticket=login, actor=agent)
    assert set(items(api_get(client, alice_token, "/tickets"))) == {upload.number, login.number}
    assert items(api_get(client, alice_token, "/tickets", {"nomor": login.number})) == [
        login.number
    ]
    assert items(api_get(client, alice_token, "/tickets", {"status": "in_progress"})) == [
        login.number
    ]
    assert items(api_get(client, alice_token, "/tickets", {"status": "new"})) == [upload.number]
    assert items(api_get(client, alice_token, "/tickets", {"judul": "login sama"})) == [
        login.number
    ]
    assert items(api_get(client, alice_token, "/tickets", {"judul": "tidak ada"})) == []
    body = assert_error(api_get(client, alice_token, "/tickets", {"status": "bogus"}), 422)
    assert "status" in body["fields"]


def test_the_staff_filters_narrow_the_list(
    client: Client, alice: User, carol: User, agent: User, supervisor: User
) -> None:
    # Given tickets that differ by LPSE, application, tier, status, priority and age
    first = make_ticket(alice, title="Gagal upload dokumen penawaran")
    other_lpse = make_ticket(carol, title="Lupa kata sandi")
    sikap = Application.objects.get(code="SIKAP")
    other_app = make_ticket(
        alice,
        title="Data kualifikasi hilang",
        application=sikap,
        version=sikap.versions.get(name="2.0"),
        category=Category.objects.filter(application=sikap, is_leaf=True).first(),
        code="",
    )
    escalated = make_ticket(alice, title="Server lambat")
    services.ticket_take(ticket=escalated, actor=agent)
    services.ticket_escalate(ticket=escalated, actor=agent, note="Perlu LKPP.")
    Ticket.objects.filter(pk=other_lpse.pk).update(priority="emergency")
    Ticket.objects.filter(pk__in=[first.pk, other_app.pk, escalated.pk]).update(priority="minor")
    raw = token_for(supervisor)

    def listed(**params: Any) -> list[str]:
        return items(api_get(client, raw, "/tickets", {"antrian": "semua", **params}))

    everything = [escalated.number, other_app.number, other_lpse.number, first.number]
    assert listed() == everything  # newest first
    assert listed(urut="terlama") == everything[::-1]
    assert listed(urut="prioritas")[0] == other_lpse.number
    assert listed(cari="kata sandi") == [other_lpse.number]
    assert listed(cari=first.number) == [first.number]
    assert listed(status="in_progress") == [escalated.number]
    assert listed(status="terbuka") == everything
    assert listed(prioritas="emergency") == [other_lpse.number]
    assert listed(aplikasi=sikap.pk) == [other_app.number]
    assert listed(lpse=Lpse.objects.get(kd_lpse=10).pk) == [other_lpse.number]
    assert listed(tier=2) == [escalated.number]
    assert listed(tier=1, lpse=Lpse.objects.get(kd_lpse=119).pk) == [
        other_app.number,
        first.number,
    ]
    # the queues of an agent
    agent_raw = token_for(agent)
    assert items(api_get(client, agent_raw, "/tickets", {"antrian": "belum_diambil"})) == [
        other_app.number,
        first.number,
    ]
    assert items(api_get(client, agent_raw, "/tickets")) == []  # "saya": holds nothing
    # A bad value is a 422 naming the field
    for name, value in [("tier", "9"), ("urut", "acak"), ("antrian", "x"), ("dari", "kemarin")]:
        body = assert_error(api_get(client, raw, "/tickets", {name: value}), 422)
        assert name in body["fields"], name


def _walk(client: Client, raw: str, **params: Any) -> list[list[str]]:
    pages: list[list[str]] = []
    cursor = ""
    while True:
        query = {"limit": 2, **params, **({"cursor": cursor} if cursor else {})}
        response = api_get(client, raw, "/tickets", query)
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append([item["number"] for item in body["items"]])
        if body["next_cursor"] is None:
            return pages
        cursor = body["next_cursor"]
        assert len(pages) < 10


@pytest.mark.parametrize(
    ("who", "params"),
    [
        ("alice", {}),
        ("supervisor", {"antrian": "semua"}),
        ("supervisor", {"antrian": "semua", "urut": "terlama"}),
        ("supervisor", {"antrian": "semua", "urut": "prioritas"}),
        ("supervisor", {"antrian": "semua", "urut": "diperbarui"}),
    ],
)
def test_cursor_pages_cover_every_ticket_once(
    client: Client, request: pytest.FixtureRequest, alice: User, who: str, params: dict[str, str]
) -> None:
    request.getfixturevalue("fast_passwords")
    made = [make_ticket(alice, title=f"Tiket nomor {n}").number for n in range(5)]
    raw = token_for(request.getfixturevalue(who))
    pages = _walk(client, raw, **params)
    assert [len(page) for page in pages] == [2, 2, 1]
    assert len(pages) == 3
    seen = [number for page in pages for number in page]
    assert sorted(seen) == sorted(made)  # no duplicates, no gaps
    everything = items(api_get(client, raw, "/tickets", {"limit": 100, **params}))
    assert seen == everything  # the same order as one big page


def test_keyset_pages_are_stable_when_tickets_arrive(client: Client, alice: User) -> None:
    made = [make_ticket(alice, title=f"Tiket {n}").number for n in range(4)]
    raw = token_for(alice)
    first = api_get(client, raw, "/tickets", {"limit": 2}).json()
    make_ticket(alice, title="Tiket baru di antara halaman")
    second = api_get(client, raw, "/tickets", {"limit": 2, "cursor": first["next_cursor"]}).json()
    seen = [i["number"] for i in first["items"] + second["items"]]
    assert seen == made[::-1]
    assert second["next_cursor"] is None


@pytest.mark.parametrize(
    "cursor", ["%%%", "bm90IGpzb24", "WzEsIDJd", "eyJ0IjogIngiLCAiaSI6IDF9", "eyJvIjogLTJ9"]
)
def test_a_bad_cursor_is_422(client: Client, alice: User, supervisor: User, cursor: str) -> None:
    make_ticket(alice)
    for raw, params in [(token_for(alice), {}), (token_for(supervisor), {"urut": "terlama"})]:
        response = api_get(client, raw, "/tickets", {"cursor": cursor, **params})
        body = assert_error(response, 422)
        assert body["fields"] == {"cursor": ["Cursor tidak valid."]}


@pytest.mark.parametrize("cursor", ["%%%", "WzEsIDJd", "eyJvIjogLTJ9", "eyJvIjogIngifQ"])
def test_a_bad_offset_cursor_is_422(
    client: Client, alice: User, supervisor: User, cursor: str
) -> None:
    make_ticket(alice)
    response = api_get(
        client, token_for(supervisor), "/tickets", {"cursor": cursor, "urut": "prioritas"}
    )
    assert assert_error(response, 422)["fields"] == {"cursor": ["Cursor tidak valid."]}


@pytest.mark.parametrize("limit", ["0", "101", "-1", "banyak"])
def test_a_bad_limit_is_422(client: Client, alice: User, limit: str) -> None:
    body = assert_error(api_get(client, token_for(alice), "/tickets", {"limit": limit}), 422)
    assert "limit" in body["fields"]


@pytest.mark.parametrize("who", ["alice", "agent", "supervisor"])
def test_the_list_runs_a_bounded_number_of_queries(
    client: Client,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    alice: User,
    agent: User,
    who: str,
) -> None:
    request.getfixturevalue("fast_passwords")
    for n in range(12):
        ticket = make_ticket(alice, title=f"Tiket {n}")
        if n % 2:
            services.ticket_take(ticket=ticket, actor=agent)
    raw = token_for(request.getfixturevalue(who))
    api_get(client, raw, "/ticket-types")  # the token's first use writes last_used_at
    # and writes it again once it is a minute old: a busy machine may take that long
    # before the counted requests, which then counted one UPDATE more (a CI run: [4, 5]).
    monkeypatch.setattr(tokens, "LAST_USED_PRECISION", datetime.timedelta(days=1))
    # What the process keeps (the reference book, the calendar) is read once
    api_get(client, raw, "/tickets", {"limit": 1, "antrian": "semua"})
    counts = []
    for limit in (2, 20):
        with CaptureQueriesContext(connection) as queries:
            response = api_get(client, raw, "/tickets", {"limit": limit, "antrian": "semua"})
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 8, counts


# --- Creating ---------------------------------------------------------------------------


def test_filing_runs_a_bounded_number_of_statements(
    client: Client, alice: User, agent: User, agent_119_b: User, alice_token: str
) -> None:
    # Given alice's token in use (its first use and a new rate window write more)
    assert api_form(client, alice_token, "/tickets", ticket_form(alice)).status_code == 201
    counts = []
    for files in (0, 3):
        form = ticket_form(alice)
        form["files"] = [samples.upload(f"bukti-{n}.png", samples.PNG) for n in range(files)]
        # When she files a ticket, without files and with three
        with CaptureQueriesContext(connection) as queries:
            response = api_form(client, alice_token, "/tickets", form)
        assert response.status_code == 201, response.content
        counts.append(
            [
                q["sql"]
                for q in queries
                if not q["sql"].startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))
            ]
        )
    # Then the files add one INSERT for all of them, and the whole is bounded (issue 19:
    # the ticket, its event, fact and search entry, the reporter's and both agents'
    # notifications, mails and delivery tasks, one INSERT each)
    assert len(counts[1]) == len(counts[0]) + 1, counts
    # (12 on PostgreSQL; SQLite writes its FTS5 search entry in two)
    assert len(counts[0]) <= 13, counts
    assert sum("notifications_notification" in sql for sql in counts[0]) == 1
    assert sum("notifications_outgoingmail" in sql for sql in counts[0]) == 1
    assert sum("dbtaskresult" in sql for sql in counts[0]) == 1


def test_creating_a_ticket_answers_201_with_the_detail_and_stores_the_files(
    client: Client, alice: User, alice_token: str
) -> None:
    form = ticket_form(alice)
    form["files"] = [
        samples.upload("bukti.png", samples.PNG),
        samples.upload("surat.pdf", samples.PDF),
    ]
    response = api_form(client, alice_token, "/tickets", form, HTTP_IDEMPOTENCY_KEY="kunci-1")
    assert response.status_code == 201, response.content
    detail = response.json()
    ticket = Ticket.objects.get()
    assert detail["number"] == ticket.number
    assert detail["status"] == Status.NEW
    assert detail["title"] == "Gagal upload dokumen penawaran"
    assert detail["lpse"]["kd_lpse"] == 119
    assert detail["application"] == "SPSE"
    assert detail["reporter"] == alice.display_name
    assert detail["revision"] == ticket.revision
    assert [a["name"] for a in detail["attachments"]] == ["bukti.png", "surat.pdf"]
    # The answer, built from the rows just written, is the ticket's detail read back
    assert detail == ok(api_get(client, alice_token, f"/tickets/{ticket.number}"))
    assert [event["kind"] for event in detail["history"]] == ["created"]
    # Each file comes back through the url in the answer
    for attachment, content in zip(detail["attachments"], [samples.PNG, samples.PDF], strict=True):
        assert attachment["url"].startswith(API + "/tickets/")
        download = client.get(attachment["url"], HTTP_AUTHORIZATION=f"Bearer {alice_token}")
        assert download.status_code == 200
        assert download.getvalue() == content
        assert download["Content-Type"] == attachment["content_type"]
    # The same Idempotency-Key with the same request (files sent again, as a retry does)
    # answers the same ticket, 200, without a second one
    form["files"] = [
        samples.upload("bukti.png", samples.PNG),
        samples.upload("surat.pdf", samples.PDF),
    ]
    again = api_form(client, alice_token, "/tickets", form, HTTP_IDEMPOTENCY_KEY="kunci-1")
    assert again.status_code == 200
    assert again.json() == detail
    assert Ticket.objects.count() == 1
    assert Attachment.objects.count() == 2
    # A different key makes another ticket
    other = api_form(client, alice_token, "/tickets", ticket_form(alice), HTTP_IDEMPOTENCY_KEY="k2")
    assert other.status_code == 201
    assert Ticket.objects.count() == 2


def test_an_idempotency_key_belongs_to_its_reporter(
    client: Client, alice: User, bob: User, alice_token: str
) -> None:
    first = api_form(client, alice_token, "/tickets", ticket_form(alice), HTTP_IDEMPOTENCY_KEY="k")
    bobs = api_form(client, token_for(bob), "/tickets", ticket_form(bob), HTTP_IDEMPOTENCY_KEY="k")
    assert first.status_code == bobs.status_code == 201
    assert first.json()["number"] != bobs.json()["number"]
    body = assert_error(
        api_form(
            client, alice_token, "/tickets", ticket_form(alice), HTTP_IDEMPOTENCY_KEY="x" * 65
        ),
        422,
    )
    assert "Idempotency-Key" in body["fields"]


@pytest.mark.parametrize(
    ("change", "files"),
    [
        ({"title": "Judul lain"}, [("bukti.png", samples.PNG)]),
        ({"code": ""}, [("bukti.png", samples.PNG)]),
        ({}, [("bukti.png", samples.PNG + b"x")]),  # same name, other content
        ({}, [("foto.png", samples.PNG)]),  # same content, other name
        ({}, []),
    ],
)
def test_an_idempotency_key_reused_for_a_different_request_is_422(
    client: Client,
    alice: User,
    alice_token: str,
    media_storage: str,
    change: dict[str, Any],
    files: list[tuple[str, bytes]],
) -> None:
    # Given a ticket filed with a key
    form = {**ticket_form(alice), "files": [samples.upload("bukti.png", samples.PNG)]}
    first = api_form(client, alice_token, "/tickets", form, HTTP_IDEMPOTENCY_KEY="kunci-9")
    assert first.status_code == 201
    number = first.json()["number"]
    stored = sorted(str(p) for p in Path(media_storage).rglob("*") if p.is_file())
    # When the same key comes with other fields or files
    other = {**ticket_form(alice), **change, "files": [samples.upload(*f) for f in files]}
    response = api_form(client, alice_token, "/tickets", other, HTTP_IDEMPOTENCY_KEY="kunci-9")
    # Then it is refused with a clear message naming the first ticket
    body = assert_error(response, 422)
    assert body["code"] == "idempotency_key_reused"
    assert "Idempotency-Key ini sudah dipakai" in body["message"] and number in body["message"]
    assert body["fields"] == {}
    # And nothing was created or stored
    assert Ticket.objects.count() == 1 and Attachment.objects.count() == 1
    assert sorted(str(p) for p in Path(media_storage).rglob("*") if p.is_file()) == stored


def test_a_ticket_filed_before_fingerprints_is_still_found_by_its_key(
    client: Client, alice: User, alice_token: str
) -> None:
    # Given a ticket filed under a key before requests were fingerprinted
    first = api_form(client, alice_token, "/tickets", ticket_form(alice), HTTP_IDEMPOTENCY_KEY="k")
    Ticket.objects.update(submission_fingerprint="")
    # When it is retried
    again = api_form(client, alice_token, "/tickets", ticket_form(alice), HTTP_IDEMPOTENCY_KEY="k")
    # Then the first ticket answers, as before
    assert again.status_code == 200 and again.json()["number"] == first.json()["number"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": ""}, "title", "Bidang ini tidak boleh kosong."),
        ({"notification_email": "bukan-email"}, "notification_email", None),
        ({"lpse": 999999}, "lpse", None),
        ({"version": 999999}, "version", "Pilih versi yang tersedia untuk aplikasi ini."),
        ({"application": 999999}, "application", "Aplikasi tidak dikenal."),
        ({"code": "abc"}, "code", None),
        ({"description": ""}, "description", "Bidang ini tidak boleh kosong."),
        ({"lpse": "satu"}, "lpse", "Harus berupa bilangan bulat."),
        # Beyond any database integer: answered from the reference book, never a 500
        ({"lpse": 10**20}, "lpse", None),
        ({"category": 10**20}, "category", "Nilai terlalu besar."),
    ],
)
def test_bad_input_is_422_in_indonesian_and_writes_nothing(
    client: Client,
    alice: User,
    alice_token: str,
    media_storage: str,
    change: dict[str, Any],
    field: str,
    message: str | None,
) -> None:
    form = {**ticket_form(alice), **change, "files": [samples.upload("bukti.png", samples.PNG)]}
    response = api_form(client, alice_token, "/tickets", form, HTTP_IDEMPOTENCY_KEY="k")
    body = assert_error(response, 422)
    assert body["code"] == "validation_error"
    assert body["message"] == "Periksa isian yang ditandai."
    assert field in body["fields"], body
    if message is not None:
        assert body["fields"][field] == [message]
    for texts in body["fields"].values():
        for text in texts:
            assert "required" not in text.lower() and "valid integer" not in text.lower()
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files(media_storage) == []
    # and the key was not spent: the corrected form creates the ticket
    good = api_form(client, alice_token, "/tickets", ticket_form(alice), HTTP_IDEMPOTENCY_KEY="k")
    assert good.status_code == 201


def test_a_forbidden_file_type_is_415_and_writes_nothing(
    client: Client, alice: User, alice_token: str, media_storage: str
) -> None:
    for name, content in [("virus.exe", samples.EXE), ("palsu.png", samples.EXE)]:
        form = {**ticket_form(alice), "files": [samples.upload(name, content)]}
        body = assert_error(api_form(client, alice_token, "/tickets", form), 415)
        assert body["code"] == "unsupported_media_type"
        assert "files" in body["fields"]
    assert not Ticket.objects.exists()
    assert stored_files(media_storage) == []


def test_a_file_over_the_limit_is_413_and_writes_nothing(
    client: Client, alice: User, alice_token: str, media_storage: str, settings: Settings
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 100
    form = {**ticket_form(alice), "files": [samples.upload("surat.pdf", samples.PDF * 10)]}
    body = assert_error(api_form(client, alice_token, "/tickets", form), 413)
    assert body["code"] == "too_large"
    assert "melebihi batas" in body["fields"]["files"][0]
    assert not Ticket.objects.exists()
    assert stored_files(media_storage) == []


def test_too_many_files_is_422(
    client: Client, alice: User, alice_token: str, settings: Settings
) -> None:
    settings.ATTACHMENT_MAX_FILES = 1
    files = [samples.upload("a.png", samples.PNG), samples.upload("b.png", samples.PNG)]
    body = assert_error(
        api_form(client, alice_token, "/tickets", {**ticket_form(alice), "files": files}), 422
    )
    assert body["fields"]["files"] == ["Paling banyak 1 berkas per pesan."]
    assert not Ticket.objects.exists()


# --- Downloads --------------------------------------------------------------------------


def test_the_zip_holds_every_visible_file(
    client: Client, alice: User, agent: User, alice_token: str, agent_token: str
) -> None:
    ticket = make_ticket(alice, files={"bukti.png": samples.PNG, "surat.pdf": samples.PDF})
    for raw in (alice_token, agent_token):
        response = api_get(client, raw, f"/tickets/{ticket.number}/attachments.zip")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        contents = sorted(archive.read(name) for name in archive.namelist())
        assert contents == sorted([samples.PNG, samples.PDF])
    # A ticket without files has no zip; a missing attachment number is 404
    bare = make_ticket(alice)
    assert_error(api_get(client, alice_token, f"/tickets/{bare.number}/attachments.zip"), 404)
    assert_error(api_get(client, alice_token, f"/tickets/{ticket.number}/attachments/3"), 404)


# --- Actions ----------------------------------------------------------------------------


def detail(client: Client, raw: str, ticket: Ticket) -> dict[str, Any]:
    response = api_get(client, raw, f"/tickets/{ticket.number}")
    assert response.status_code == 200
    return response.json()


def ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.content
    return response.json()


def test_the_whole_lifecycle_through_the_api(
    client: Client, alice: User, agent: User, alice_token: str, agent_token: str
) -> None:
    ticket = make_ticket(alice)
    n = ticket.number
    rev = detail(client, agent_token, ticket)["revision"]
    # staff take
    got = ok(api_post(client, agent_token, f"/tickets/{n}/take", {"revision": rev}))
    assert got["status"] == Status.IN_PROGRESS and got["holder"] == agent.display_name
    # request feedback with a file
    got = ok(
        api_form(
            client,
            agent_token,
            f"/tickets/{n}/feedback-request",
            {
                "body": "Mohon kirim tangkapan layar.",
                "revision": got["revision"],
                "files": [samples.upload("contoh.png", samples.PNG)],
            },
        )
    )
    assert got["status"] == Status.AWAITING_FEEDBACK
    request_message = got["messages"][-1]
    assert request_message["kind"] == "feedback_request"
    url = request_message["attachments"][0]["url"]
    # the reporter sees the request and downloads its file
    seen = detail(client, alice_token, ticket)
    assert "give_feedback" in seen["allowed_actions"]
    download = client.get(url, HTTP_AUTHORIZATION=f"Bearer {alice_token}")
    assert download.status_code == 200
    assert download.getvalue() == samples.PNG
    # reporter feedback, with a file
    got = ok(
        api_form(
            client,
            alice_token,
            f"/tickets/{n}/feedback",
            {
                "body": "Ini tangkapannya.",
                "revision": seen["revision"],
                "files": [samples.upload("layar.jpg", samples.JPEG)],
            },
        )
    )
    assert got["status"] == Status.IN_PROGRESS
    assert got["messages"][-1]["attachments"][0]["name"] == "layar.jpg"
    # staff resolve
    rev = detail(client, agent_token, ticket)["revision"]
    body = {"body": "Silakan coba lagi.", "revision": rev}
    got = ok(api_form(client, agent_token, f"/tickets/{n}/resolve", body))
    assert got["status"] == Status.AWAITING_CONFIRMATION
    # reporter reopen: back to the agent who resolved it
    body = {"body": "Masih gagal.", "revision": got["revision"]}
    got = ok(api_form(client, alice_token, f"/tickets/{n}/reopen", body))
    assert got["status"] == Status.IN_PROGRESS
    assert got["holder"] == agent.display_name
    assert got["reopen_count"] == 1
    # resolve again, then confirm
    body = {"body": "Sudah diperbaiki di server.", "revision": got["revision"]}
    got = ok(api_form(client, agent_token, f"/tickets/{n}/resolve", body))
    got = ok(api_post(client, alice_token, f"/tickets/{n}/confirm", {"revision": got["revision"]}))
    assert got["status"] == Status.CLOSED
    assert got["closed_at"] is not None
    assert "rate" in got["allowed_actions"]
    # rating, with a category offered for 5 stars
    offered = [c.pk for c in services.rating_categories_for(5)][:2]
    rating = {"stars": 5, "categories": offered, "comment": "Terima kasih."}
    ok(api_post(client, alice_token, f"/tickets/{n}/rating", rating))
    saved = Rating.objects.get(ticket=ticket)
    assert saved.stars == 5 and sorted(c.pk for c in saved.categories.all()) == sorted(offered)
    # only once
    assert_error(api_post(client, alice_token, f"/tickets/{n}/rating", rating), 409)


def test_rating_refuses_bad_stars_and_categories(
    client: Client, alice: User, alice_token: str
) -> None:
    ticket = make_ticket(alice)
    services.ticket_force_close(ticket=ticket, actor=alice, reason="Sudah beres.")
    n = ticket.number
    low = services.rating_categories_for(1)[0].pk
    assert_error(api_post(client, alice_token, f"/tickets/{n}/rating", {"stars": 6}), 400)
    body = {"stars": 5, "categories": [low]}
    assert_error(api_post(client, alice_token, f"/tickets/{n}/rating", body), 400)
    body = {"stars": 5, "categories": [999999]}
    assert (
        "categories"
        in assert_error(api_post(client, alice_token, f"/tickets/{n}/rating", body), 422)["fields"]
    )
    assert_error(api_post(client, alice_token, f"/tickets/{n}/rating", {"stars": "x"}), 422)
    assert not Rating.objects.exists()
    ok(api_post(client, alice_token, f"/tickets/{n}/rating", {"stars": 4}))


def test_force_close_by_the_reporter(client: Client, alice: User, alice_token: str) -> None:
    ticket = make_ticket(alice)
    before = snapshot(ticket)
    n = ticket.number
    assert_error(api_post(client, alice_token, f"/tickets/{n}/close", {"reason": "  "}), 400)
    assert_error(api_post(client, alice_token, f"/tickets/{n}/close", {}), 422)
    assert snapshot(ticket) == before
    got = ok(api_post(client, alice_token, f"/tickets/{n}/close", {"reason": "Sudah beres."}))
    assert got["status"] == Status.FORCE_CLOSED
    assert got["close_reason"] == "force_closed"
    # and a closed ticket refuses it again
    assert_error(api_post(client, alice_token, f"/tickets/{n}/close", {"reason": "Lagi."}), 409)


def test_merge_into_another_open_ticket_of_the_reporter(
    client: Client, alice: User, carol: User, agent: User, agent_token: str
) -> None:
    into = make_ticket(alice, title="Tiket utama")
    duplicate = make_ticket(alice, title="Tiket ganda")
    n = duplicate.number
    body = assert_error(api_post(client, agent_token, f"/tickets/{n}/merge", {"into": n}), 400)
    assert "dirinya sendiri" in body["message"]
    got = ok(api_post(client, agent_token, f"/tickets/{n}/merge", {"into": into.number}))
    assert got["status"] == Status.CLOSED
    assert got["merged_into"] == into.number
    into.refresh_from_db()
    assert into.revision == 1 and into.status == Status.NEW
    # a closed target is refused
    third = make_ticket(alice)
    body = {"into": duplicate.number}
    assert_error(api_post(client, agent_token, f"/tickets/{third.number}/merge", body), 400)


def test_escalate_and_return_through_the_tiers(
    client: Client, alice: User, agent: User, lkpp_spse: User, agent_token: str
) -> None:
    ticket = make_ticket(alice)
    n = ticket.number
    lkpp_token = token_for(lkpp_spse)
    ok(api_post(client, agent_token, f"/tickets/{n}/take", {}))
    assert_error(api_post(client, agent_token, f"/tickets/{n}/escalate", {"note": " "}), 400)
    assert_error(api_post(client, agent_token, f"/tickets/{n}/return", {"note": "x"}), 409)
    got = ok(api_post(client, agent_token, f"/tickets/{n}/escalate", {"note": "Perlu LKPP."}))
    assert got["tier"] == 2 and got["holder"] is None
    # now lkpp_spse sees and acts, agent only reads
    assert_error(api_post(client, agent_token, f"/tickets/{n}/take", {}), 403)
    ok(api_post(client, lkpp_token, f"/tickets/{n}/take", {}))
    got = ok(api_post(client, lkpp_token, f"/tickets/{n}/return", {"note": "Masalah lokal."}))
    assert got["tier"] == 1 and got["holder"] is None
    # lkpp_spse still sees the ticket it once held
    assert detail(client, lkpp_token, ticket)["tier"] == 1


def test_assign_by_username(
    client: Client, alice: User, agent: User, agent_119_b: User, agent_other: User, agent_token: str
) -> None:
    ticket = make_ticket(alice)
    n = ticket.number
    for unknown in ("tidak_ada", agent_other.username):
        body = assert_error(
            api_post(client, agent_token, f"/tickets/{n}/assign", {"assignee": unknown}), 422
        )
        assert body["fields"] == {"assignee": ["Petugas tidak ditemukan di tier tiket ini."]}
    got = ok(
        api_post(client, agent_token, f"/tickets/{n}/assign", {"assignee": agent_119_b.username})
    )
    assert got["holder"] == agent_119_b.display_name
    assert got["status"] == Status.IN_PROGRESS
    # now only the new holder changes it
    assert_error(
        api_post(client, agent_token, f"/tickets/{n}/assign", {"assignee": agent.username}), 403
    )


def test_notes_are_internal(
    client: Client, alice: User, agent: User, agent_token: str, alice_token: str
) -> None:
    ticket = make_ticket(alice)
    n = ticket.number
    before = snapshot(ticket)
    assert_error(api_post(client, agent_token, f"/tickets/{n}/notes", {"body": ""}), 400)
    got = ok(api_post(client, agent_token, f"/tickets/{n}/notes", {"body": "Cek log server."}))
    note = got["messages"][-1]
    assert note["internal"] is True and note["body"] == "Cek log server."
    assert got["revision"] == before[3]  # a note makes no page stale
    # the same note twice is one note
    ok(api_post(client, agent_token, f"/tickets/{n}/notes", {"body": "Cek log server."}))
    assert ticket.messages.filter(is_internal=True).count() == 1
    assert "Cek log server" not in api_get(client, alice_token, f"/tickets/{n}").content.decode()


def test_revalidate_code(client: Client, alice: User, agent: User, agent_token: str) -> None:
    # A ticket without a code cannot be revalidated (400)
    bare = make_ticket(alice, code="")
    ok(api_post(client, agent_token, f"/tickets/{bare.number}/take", {}))
    before = snapshot(bare)
    body = assert_error(
        api_post(client, agent_token, f"/tickets/{bare.number}/revalidate-code", {}), 400
    )
    assert body["code"] == "invalid"
    assert snapshot(bare) == before
    # A ticket with a code is checked again (the sources are down in tests: still unvalidated)
    ticket = make_ticket(alice)
    ok(api_post(client, agent_token, f"/tickets/{ticket.number}/take", {}))
    got = ok(api_post(client, agent_token, f"/tickets/{ticket.number}/revalidate-code", {}))
    assert got["code_validated"] is False
    assert (
        got["history"][-1]["kind"] == "code_revalidated" or got["revision"] == ticket.revision + 2
    )


def test_priority_override_needs_a_reason(
    client: Client, alice: User, agent: User, agent_token: str, alice_token: str
) -> None:
    ticket = make_ticket(alice)
    n = ticket.number
    ok(api_post(client, agent_token, f"/tickets/{n}/take", {}))
    before = snapshot(ticket)
    body = assert_error(
        api_post(client, agent_token, f"/tickets/{n}/priority", {"priority": "major"}), 422
    )
    assert list(body["fields"].values()) == [["Wajib diisi."]]  # named in test_api_errors.py
    assert_error(
        api_post(
            client, agent_token, f"/tickets/{n}/priority", {"priority": "major", "reason": " "}
        ),
        400,
    )
    assert_error(
        api_post(
            client, agent_token, f"/tickets/{n}/priority", {"priority": "super", "reason": "x"}
        ),
        400,
    )
    assert snapshot(ticket) == before
    got = ok(
        api_post(
            client,
            agent_token,
            f"/tickets/{n}/priority",
            {"priority": "emergency", "reason": "Tender ditutup hari ini."},
        )
    )
    assert got["priority"] == "emergency"
    assert "Tender ditutup hari ini." in got["priority_reason"]
    assert detail(client, alice_token, ticket)["priority"] == "emergency"


def test_change_category_needs_a_known_active_category_and_a_reason(
    client: Client, alice: User, agent: User, agent_token: str, alice_token: str
) -> None:
    # Given a Major upload problem held by the agent
    ticket = make_ticket(alice)
    n = ticket.number
    ok(api_post(client, agent_token, f"/tickets/{n}/take", {}))
    password = Category.objects.get(
        application__code="SPSE", name="Lupa password / user ID terblokir"
    )
    katalog = Category.objects.get(application__code="KATALOG", name="Produk belum tayang")
    parent = Category.objects.get(application__code="SPSE", name="Akun & Pendaftaran")
    before = snapshot(ticket)
    # Then a missing, unknown or out-of-range id, another application's category, a
    # category that is not a leaf, the current one, or no reason change nothing
    url = f"/tickets/{n}/category"
    for data, status in (
        ({"reason": "x"}, 422),
        ({"category": "abc", "reason": "x"}, 422),
        ({"category": 0, "reason": "x"}, 422),
        ({"category": 2**70, "reason": "x"}, 422),
        ({"category": 999_999_999, "reason": "x"}, 422),
        ({"category": katalog.pk, "reason": "x"}, 400),
        ({"category": parent.pk, "reason": "x"}, 400),
        ({"category": ticket.category_id, "reason": "x"}, 400),
        ({"category": password.pk, "reason": "  "}, 400),
        ({"category": password.pk}, 422),
    ):
        assert_error(api_post(client, agent_token, url, data), status)
    assert snapshot(ticket) == before
    # And the reporter may not change it, whatever they name
    for data in (
        {"category": password.pk, "reason": "x"},
        {"category": 999_999_999, "reason": "x"},
    ):
        assert assert_error(api_post(client, alice_token, url, data), 403)["code"] == "forbidden"
    assert snapshot(ticket) == before
    # When the agent changes it with a reason
    got = ok(
        api_post(client, agent_token, url, {"category": password.pk, "reason": "Lupa password."})
    )
    # Then the answer has the new category, its priority and the public history entry
    assert got["category"] == password.path_label
    assert got["priority"] == "medium"
    assert got["history"][-1]["kind"] == "category_changed"
    assert got["history"][-1]["reason"] == "Lupa password."
    mine = detail(client, alice_token, ticket)
    assert mine["category"] == password.path_label
    assert mine["history"][-1]["label"] == "Kategori diubah petugas"


def test_a_stale_revision_is_409_and_changes_nothing(
    client: Client, alice: User, agent: User, agent_token: str
) -> None:
    ticket = make_ticket(alice)
    n = ticket.number
    ok(api_post(client, agent_token, f"/tickets/{n}/take", {"revision": 0}))
    before = snapshot(ticket)
    body = {"body": "Balasan dari halaman lama.", "revision": 0}
    answer = assert_error(api_form(client, agent_token, f"/tickets/{n}/reply", body), 409)
    assert "Muat ulang" in answer["message"]
    note = {"note": "x", "revision": 0}
    assert_error(api_post(client, agent_token, f"/tickets/{n}/escalate", note), 409)
    assert snapshot(ticket) == before


def test_a_double_post_with_the_same_revision_returns_quietly(
    client: Client, alice: User, agent: User, agent_token: str, alice_token: str
) -> None:
    ticket = make_ticket(alice)
    n = ticket.number
    first = ok(api_post(client, agent_token, f"/tickets/{n}/take", {"revision": 0}))
    after_first = snapshot(ticket)
    second = ok(api_post(client, agent_token, f"/tickets/{n}/take", {"revision": 0}))
    assert second["revision"] == first["revision"]
    assert snapshot(ticket) == after_first
    # the same for a message action: one reply, not two
    body = {"body": "Sedang kami cek.", "revision": first["revision"]}
    ok(api_form(client, agent_token, f"/tickets/{n}/reply", body))
    after_reply = snapshot(ticket)
    ok(api_form(client, agent_token, f"/tickets/{n}/reply", body))
    assert snapshot(ticket) == after_reply
    # and for the reporter: close twice from the same page
    close = {"reason": "Sudah beres.", "revision": after_reply[3]}
    ok(api_post(client, alice_token, f"/tickets/{n}/close", close))
    closed = snapshot(ticket)
    ok(api_post(client, alice_token, f"/tickets/{n}/close", close))
    assert snapshot(ticket) == closed


def test_message_actions_check_their_files(
    client: Client,
    alice: User,
    agent: User,
    agent_token: str,
    media_storage: str,
    settings: Settings,
) -> None:
    ticket = make_ticket(alice)
    n = ticket.number
    ok(api_post(client, agent_token, f"/tickets/{n}/take", {}))
    before = snapshot(ticket)
    body = {"body": "Lihat lampiran.", "files": [samples.upload("alat.exe", samples.EXE)]}
    assert_error(api_form(client, agent_token, f"/tickets/{n}/reply", body), 415)
    settings.ATTACHMENT_MAX_BYTES = 10
    body = {"body": "Lihat lampiran.", "files": [samples.upload("surat.pdf", samples.PDF)]}
    assert_error(api_form(client, agent_token, f"/tickets/{n}/reply", body), 413)
    assert_error(api_form(client, agent_token, f"/tickets/{n}/reply", {"body": ""}), 400)
    assert_error(api_form(client, agent_token, f"/tickets/{n}/reply", {}), 422)
    assert snapshot(ticket) == before
    assert stored_files(media_storage) == []
