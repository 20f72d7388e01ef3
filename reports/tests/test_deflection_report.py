"""The deflection report (*Swalayan (Pusat Bantuan)*, issue 18): its numbers equal a
brute-force count over a generated set, its scope, bad input, and the recording of the
forms the suggestions were shown on."""

import csv
import datetime
import io
import random
import threading
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from accounts.services import reporter_upsert, staff_member_upsert
from knowledge import services as knowledge_services
from knowledge.deflection import article_opening_record, suggested_form_record
from knowledge.models import Article, ArticleOpening, ArticleVote, SuggestedForm
from knowledge.tests.factories import write_article
from reference.models import Application, Category, Lpse
from reports.deflection import deflection_report
from reports.filters import ReportFilterForm
from tickets.services import ticket_create
from tickets.tests.factories import make_draft
from tickets.tests.test_report_access import (  # noqa: F401 (fixtures)
    NOT_READERS,
    supervisor_deactivated_account,
    supervisor_deactivated_lpse,
)

pytestmark = pytest.mark.django_db

URL = "/konsol/laporan/swalayan/"
SUGGEST = reverse("portal:ticket_suggestions")
# November and December 2026 as the report's period (October lies outside it).
PERIOD = {"periode": "rentang", "dari": "01/11/2026", "sampai": "31/12/2026"}
FIRST, LAST = datetime.date(2026, 11, 1), datetime.date(2026, 12, 31)
# 16:30 UTC on 30 November: 23:30 in WIB (still November), 00:30 on 1 December in WITA.
EDGE = datetime.datetime(2026, 11, 30, 16, 30, tzinfo=datetime.UTC)
WIB = ZoneInfo("Asia/Jakarta")
COUNTS = ("forms", "opened", "forms_opened", "deflected", "filed", "helpful", "not_helpful")


def _editor(username: str) -> User:
    """Writes the knowledge base (a national editor assignment)."""
    return staff_member_upsert(
        username=username,
        full_name=username.replace("_", " ").title(),
        email=f"{username}@lkpp.example",
        assignments=[("editor", None, None, "")],
        password="demo1234",
    )


def _leaf(app: str, name: str) -> Category:
    return Category.objects.get(application__code=app, name=name, is_leaf=True)


@dataclass
class World:
    reporters: list[User]
    eve: User
    articles: list[Article]
    spse: Application
    katalog: Application


def _moment(rng: random.Random) -> datetime.datetime:
    start = datetime.datetime(2026, 10, 25, tzinfo=datetime.UTC)
    return start + datetime.timedelta(minutes=rng.randrange(0, 70 * 24 * 60))


@pytest.fixture
def world(reference, alice, bob, carol, dave, settings) -> World:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # eve is a reporter of LPSE Kota Makassar (WITA): her months turn an hour earlier.
    eve = reporter_upsert(
        source="spse",
        kd_lpse=71,
        user_id="ppk9",
        name="Eve Makassar",
        email="ppk9@example.go.id",
        role="ppk",
        instansi="Instansi Uji",
    )
    editor = _editor("editor_laporan")
    spse = Application.objects.get(code="SPSE")
    katalog = Application.objects.get(code="KATALOG")
    upload = _leaf("SPSE", "Gagal upload dokumen penawaran")
    produk = _leaf("KATALOG", "Produk belum tayang")
    articles = [
        write_article(editor, "Upload penawaran", applications=(spse,), categories=(upload,)),
        write_article(editor, "Katalog umum", applications=(katalog,)),
        # SPSE without an SPSE category (counts under "no category"), and a Katalog leaf.
        write_article(editor, "Dua aplikasi", applications=(spse, katalog), categories=(produk,)),
        write_article(editor, "Tanpa aplikasi"),
    ]
    reporters = [alice, bob, carol, eve]
    rng = random.Random(18)
    leaves = {spse.pk: [upload, _leaf("SPSE", "Lupa password / user ID terblokir")]}
    leaves[katalog.pk] = [produk, _leaf("KATALOG", "Perubahan harga produk")]
    plans: list[tuple[User, datetime.datetime]] = [(eve, EDGE), (alice, EDGE)]
    plans += [(rng.choice(reporters), _moment(rng)) for _ in range(36)]
    for reporter, moment in plans:
        key = uuid.uuid4().hex
        application = rng.choice([spse, katalog, None])
        chosen = rng.choice([None, *leaves[application.pk]]) if application else None
        suggested_form_record(
            reporter=reporter,
            submission_key=key,
            application=application,
            chosen_category=str(chosen.pk) if chosen else rng.choice(["", "abc"]),
            suggested_categories=leaves[application.pk][1:] if application else [],
            now=moment,
        )
        for article in rng.sample(articles, rng.choice([0, 0, 1, 2])):
            article_opening_record(user=reporter, article=article, submission_key=key)
        if rng.random() < 0.35:
            ticket_create(
                reporter=reporter, draft=make_draft(reporter), files=[], submission_key=key
            )
    voters = [alice, bob, carol, dave, eve, editor]
    for voter in voters:
        for article in rng.sample(articles, 3):
            vote = knowledge_services.article_vote(
                user=voter, article=article, helpful=rng.random() < 0.6
            )
            at = EDGE if voter == eve and article == articles[0] else _moment(rng)
            ArticleVote.objects.filter(pk=vote.pk).update(updated_at=at)
    return World(reporters, eve, articles, spse, katalog)


# --- The brute force ----------------------------------------------------------------------

Visible = Callable[[int | None, int | None], bool]


def _zone(user: User) -> ZoneInfo:
    return ZoneInfo(user.lpse.timezone) if user.lpse else WIB


def _brute_force(visible: Visible, keep: Callable[..., bool] = lambda **_: True) -> dict:
    """Every count, row by row, in Python, from the raw records."""
    found: dict[tuple, Counter] = defaultdict(Counter)
    for form in SuggestedForm.objects.select_related("user__lpse"):
        day = form.first_shown_at.astimezone(_zone(form.user)).date()
        assert form.shown_on == day
        if not FIRST <= day <= LAST or not visible(form.lpse_id, form.application_id):
            continue
        if not keep(lpse=form.lpse_id, application=form.application_id, category=form.category_id):
            continue
        key = (day.replace(day=1), form.application_id, form.category_id)
        opened = ArticleOpening.objects.filter(
            user=form.user, submission_key=form.submission_key
        ).count()
        filed = form.user.tickets.filter(submission_key=form.submission_key).exists()
        found[key]["forms"] += 1
        found[key]["opened"] += opened
        found[key]["forms_opened"] += opened > 0
        found[key]["deflected"] += opened > 0 and not filed
        found[key]["filed"] += filed
    for vote in ArticleVote.objects.select_related("user__lpse", "article"):
        day = vote.updated_at.astimezone(_zone(vote.user)).date()
        if not FIRST <= day <= LAST:
            continue
        categories = list(vote.article.categories.all())
        pairs: set[tuple[int, int | None]] = {(c.application_id, c.pk) for c in categories}
        pairs |= {
            (a.pk, None)
            for a in vote.article.applications.all()
            if all(c.application_id != a.pk for c in categories)
        }
        for application, category in pairs:
            if not visible(vote.user.lpse_id, application):
                continue
            if not keep(lpse=vote.user.lpse_id, application=application, category=category):
                continue
            key = (day.replace(day=1), application, category)
            found[key]["helpful" if vote.helpful else "not_helpful"] += 1
    return {key: tuple(counts[name] for name in COUNTS) for key, counts in found.items()}


def _reported(user: User, query: dict[str, str]) -> dict:
    form = ReportFilterForm(query, user=user, today=LAST)
    assert not form.errors, form.errors
    report = deflection_report(user, form.filters())
    return {
        (row.month, row.application_id, row.category_id): tuple(getattr(row, n) for n in COUNTS)
        for row in report.rows
    }


def _group_applications(code: str) -> set[int]:
    return set(Application.objects.filter(groups__code=code).values_list("pk", flat=True))


# --- Numbers ------------------------------------------------------------------------------


def test_the_month_of_a_form_is_the_reporters_local_month(world):
    # Given two forms first shown at the same instant, one in WITA and one in WIB
    eve_form = SuggestedForm.objects.get(user=world.eve, first_shown_at=EDGE)
    alice_form = SuggestedForm.objects.get(user__username__contains="ppk1", first_shown_at=EDGE)
    # Then each counts on its reporter's local date
    assert eve_form.shown_on == datetime.date(2026, 12, 1)
    assert alice_form.shown_on == datetime.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("reader", "visible"),
    [
        ("supervisor", lambda lpse, app: True),
        ("supervisor_119", lambda lpse, app: lpse == Lpse.objects.get(kd_lpse=119).pk),
        ("supervisor_spse_group", lambda lpse, app: app in _group_applications("spse")),
    ],
)
def test_the_numbers_equal_a_brute_force_count(world, request, reader, visible):
    user = request.getfixturevalue(reader)
    expected = _brute_force(visible)
    assert expected, "the generated set counts nothing"
    assert _reported(user, PERIOD) == expected
    if reader == "supervisor":
        counted: Counter[str] = Counter()
        for counts in expected.values():
            counted.update(dict(zip(COUNTS, counts, strict=True)))
        # The set is not trivial: every kind of count happens.
        assert all(counted[name] for name in COUNTS), counted


def test_the_filters_narrow_like_a_brute_force_count(world, supervisor):
    lpse_71 = Lpse.objects.get(kd_lpse=71)
    upload = _leaf("SPSE", "Gagal upload dokumen penawaran")
    cases = [
        ({"lpse": str(lpse_71.pk)}, lambda lpse, application, category: lpse == lpse_71.pk),
        (
            {"aplikasi": str(world.katalog.pk)},
            lambda lpse, application, category: application == world.katalog.pk,
        ),
        ({"kategori": str(upload.pk)}, lambda lpse, application, category: category == upload.pk),
    ]
    for query, keep in cases:
        expected = _brute_force(lambda lpse, app: True, keep)
        assert _reported(supervisor, PERIOD | query) == expected, query


def test_the_page_and_its_exports_show_the_same_totals(world, supervisor, client):
    client.force_login(supervisor)
    page = client.get(URL, PERIOD)
    assert page.status_code == 200
    expected: Counter[str] = Counter()
    for counts in _brute_force(lambda lpse, app: True).values():
        expected.update(dict(zip(COUNTS, counts, strict=True)))
    months = page.context["view"].table("bulan")
    total = [cell.value for cell in months.rows[-1]]
    assert total[1:6] == [expected[name] for name in COUNTS[:5]]
    assert total[7:] == [expected["helpful"], expected["not_helpful"]]
    answer = client.get(URL + "ekspor.csv", PERIOD | {"tabel": "rincian"})
    rows = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode("utf-8-sig"))))
    assert sum(int(row[3]) for row in rows[1:]) == expected["forms"]
    assert sum(int(row[9]) for row in rows[1:]) == expected["helpful"]


# --- Scope --------------------------------------------------------------------------------


def test_an_lpse_supervisor_never_sees_another_lpses_numbers(world, supervisor_119, client):
    # Given forms and votes of LPSE 119 and others
    lpse_119 = Lpse.objects.get(kd_lpse=119).pk
    mine = _brute_force(lambda lpse, app: lpse == lpse_119)
    everything = _brute_force(lambda lpse, app: True)
    assert mine != everything
    client.force_login(supervisor_119)
    # Then the page, the exports and a filter naming another LPSE show only LPSE 119's
    page = client.get(URL, PERIOD)
    rincian = page.context["view"].table("rincian")
    assert sum(row[3].value for row in rincian.rows) == sum(c[0] for c in mine.values())
    for table in ("bulan", "rincian"):
        answer = client.get(URL + "ekspor.csv", PERIOD | {"tabel": table})
        text = b"".join(answer.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))[1:]
        column = 1 if table == "bulan" else 3
        forms = [int(row[column]) for row in rows if row[0] != "Jumlah"]
        assert sum(forms) == sum(counts[0] for counts in mine.values()), table
    answer = client.get(URL + "ekspor.xlsx", PERIOD | {"tabel": "rincian"})
    assert answer.status_code == 200
    other = Lpse.objects.get(kd_lpse=71).pk
    page = client.get(URL, PERIOD | {"lpse": str(other)})
    assert "lpse" in page.context["form"].errors
    assert sum(row[3].value for row in page.context["view"].table("rincian").rows) == sum(
        c[0] for c in mine.values()
    )


@pytest.mark.parametrize("persona", NOT_READERS)
def test_not_readers_get_the_unknown_address_answer(world, request, persona):
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    unknown = client.get("/konsol/laporan/tidak-ada/")
    assert unknown.status_code in (302, 404)  # a deactivated account is signed out
    for url in (URL, URL + "ekspor.csv?tabel=bulan", URL + "ekspor.xlsx?tabel=rincian"):
        answer = client.get(url)
        assert answer.status_code == unknown.status_code, url
        if unknown.status_code == 404:
            assert answer.content == unknown.content, url


# --- Bad input and cost -------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"periode": "selamanya"},
        {"periode": "rentang", "dari": "31/02/2026", "sampai": "x"},
        {"lpse": "abc", "aplikasi": "-1", "kategori": "99999999", "peran": "x", "per": "abad"},
        {"tier": "9", "prioritas": "<script>", "dari": "00/00/0000"},
    ],
)
def test_garbage_filters_say_why_and_never_fail(world, supervisor, client, query):
    client.force_login(supervisor)
    before = SuggestedForm.objects.count()
    page = client.get(URL, query)
    assert page.status_code == 200
    assert page.context["form"].errors
    assert SuggestedForm.objects.count() == before


def test_a_null_byte_gets_the_sites_bad_request_answer(world, supervisor, client):
    client.force_login(supervisor)
    assert client.get(URL, {"dari": "\x00"}).status_code == 400


def test_the_page_reads_a_bounded_number_of_queries(
    world, supervisor, client, settings, django_assert_max_num_queries
):
    settings.REPORT_CACHE_SECONDS = 0  # counted, not read from the snapshot cache
    client.force_login(supervisor)
    client.get(URL, PERIOD)  # warm the per-process caches
    with django_assert_max_num_queries(16):
        assert client.get(URL, PERIOD).status_code == 200


# --- Recording the forms ------------------------------------------------------------------

TEXT = {"title": "Dokumen penawaran gagal upload", "description": "Sudah dicoba terus, tetap."}


@pytest.fixture
def shown(reference, settings):
    """An article the suggestions show for TEXT (a word of it in the title)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    editor = _editor("editor_saran")
    return write_article(editor, "Dokumen penawaran gagal upload")


def test_a_form_is_recorded_once_however_often_it_is_shown(alice, shown, spse, client):
    client.force_login(alice)
    key = uuid.uuid4().hex
    upload = _leaf("SPSE", "Gagal upload dokumen penawaran")
    query = TEXT | {"application": str(spse.pk), "submission_key": key, "category": str(upload.pk)}
    for _ in range(5):
        assert shown.title.encode() in client.get(SUGGEST, query).content
    client.get(SUGGEST, query | {"category": ""})
    form = SuggestedForm.objects.get()
    assert (form.user, form.submission_key, form.application, form.category) == (
        alice,
        key,
        spse,
        upload,
    )
    assert form.lpse == alice.lpse and form.reporter_role == alice.role


def test_a_later_answer_costs_one_read_and_no_write(alice, shown, spse, client):
    client.force_login(alice)
    query = TEXT | {"application": str(spse.pk), "submission_key": uuid.uuid4().hex}
    client.get(SUGGEST, query)
    with CaptureQueriesContext(connection) as captured:
        client.get(SUGGEST, query)
    statements = [q["sql"] for q in captured.captured_queries]
    writes = [sql for sql in statements if sql.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert writes == []
    assert len([sql for sql in statements if "suggestedform" in sql]) == 1
    assert SuggestedForm.objects.count() == 1


def test_nothing_is_recorded_without_suggestions_a_key_or_a_reporter(
    alice, agent, supervisor, shown, spse, client
):
    client.force_login(alice)
    client.get(SUGGEST, {"title": "halo", "submission_key": uuid.uuid4().hex})  # too few words
    client.get(SUGGEST, TEXT | {"submission_key": "../x"})
    client.get(SUGGEST, TEXT)
    for staff in (agent, supervisor):
        client.force_login(staff)
        assert client.get(SUGGEST, TEXT | {"submission_key": uuid.uuid4().hex}).status_code == 404
        suggested_form_record(
            reporter=staff,
            submission_key=uuid.uuid4().hex,
            application=spse,
            chosen_category="",
            suggested_categories=[],
        )
    assert not SuggestedForm.objects.exists()


def test_a_form_without_application_or_lpse_counts_on_the_wib_date(dave, reference):
    key = uuid.uuid4().hex
    suggested_form_record(
        reporter=dave,
        submission_key=key,
        application=None,
        chosen_category="1",
        suggested_categories=[],
        now=EDGE,
    )
    form = SuggestedForm.objects.get()
    assert form.application is None and form.category is None
    assert form.shown_on == datetime.date(2026, 11, 30)


@pytest.mark.django_db(transaction=True)
def test_two_answers_racing_for_one_form_make_one_row_and_no_error(alice, spse):
    """One answer has inserted the form's row but not committed yet; a second answer
    for the same form does not see it, inserts, waits for the first, and gives way."""
    if connection.vendor != "postgresql":
        pytest.skip("needs two connections writing at once (PostgreSQL)")
    key = uuid.uuid4().hex
    inserted, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                SuggestedForm.objects.create(
                    user=alice, submission_key=key, shown_on=datetime.date(2026, 12, 1)
                )
                inserted.set()
                release.wait()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    def second() -> None:
        try:
            suggested_form_record(
                reporter=alice,
                submission_key=key,
                application=spse,
                chosen_category="",
                suggested_categories=[],
            )
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    one = threading.Thread(target=first)
    one.start()
    assert inserted.wait(timeout=60)
    two = threading.Thread(target=second)
    two.start()
    # The second insert waits on the first's uncommitted row (a lock not granted).
    waiting = 0
    with connection.cursor() as cursor:
        for _ in range(100_000):
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            waiting = cursor.fetchone()[0]
            if waiting:
                break
    release.set()
    one.join(timeout=60)
    two.join(timeout=60)
    assert waiting, "the second answer never reached the insert"
    assert errors == []
    assert SuggestedForm.objects.filter(submission_key=key).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_form_s_row_commits_without_waiting_for_the_disk_and_nothing_else_does(alice, spse):
    # Given PostgreSQL with its production setting (the tests' cluster skips the flush)
    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO on")
    key = uuid.uuid4().hex
    # When the suggestions record a form
    with CaptureQueriesContext(connection) as captured:
        suggested_form_record(
            reporter=alice,
            submission_key=key,
            application=spse,
            chosen_category="",
            suggested_categories=[],
        )
    # Then its insert ran in a transaction that does not wait for the flush...
    statements = [query["sql"] for query in captured.captured_queries]
    setting = statements.index("SET LOCAL synchronous_commit TO OFF")
    assert any("INSERT" in sql and "knowledge_suggestedform" in sql for sql in statements[setting:])
    assert SuggestedForm.objects.filter(user=alice, submission_key=key).count() == 1
    # ...and the setting ended with it
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)
        cursor.execute("RESET synchronous_commit")
