"""`train_category_model`, the stored model and `suggest_categories` (issue 18)."""

import io
import json
import pickle
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from knowledge.categories import current_model, model_freshness, suggest_categories
from knowledge.models import CategoryModel
from knowledge.tests.suggestsupport import (
    PASSWORD,
    SIKAP_DATA,
    TEXTS,
    UPLOAD,
    category,
    path,
    resolved_ticket,
    tiny_model,
)
from lib.category_model import Model
from reference.models import Application
from tickets import services
from tickets.models import Status, Ticket
from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def train_command(*args: str) -> str:
    out = io.StringIO()
    call_command("train_category_model", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def resolved(alice: User, agent: User) -> list[Ticket]:
    """Three resolved tickets in each of two SPSE categories."""
    return [
        resolved_ticket(alice, agent, label, text)
        for label in (PASSWORD, UPLOAD)
        for text in TEXTS[label][:3]
    ]


def test_it_trains_on_resolved_tickets_and_stores_the_next_version(
    resolved: list[Ticket], alice: User, agent: User
) -> None:
    # Given six resolved tickets, one open ticket and one merged duplicate elsewhere
    make_ticket(alice, title="Data kualifikasi penyedia hilang", category=category(SIKAP_DATA),
                application=Application.objects.get(code="SIKAP"),
                version=Application.objects.get(code="SIKAP").versions.first())  # fmt: skip
    duplicate = resolved_ticket(alice, agent, SIKAP_DATA, TEXTS[SIKAP_DATA][0])
    duplicate = services.ticket_reopen(ticket=duplicate, actor=alice, body="Belum bisa.")
    services.ticket_merge(ticket=duplicate, actor=agent, into=resolved[0])
    # When the command trains
    out = train_command("--min-examples", "5")
    # Then it learned from the six resolved tickets only, by category path
    assert "6 resolved tickets read" in out and "2 categories of 1 applications" in out
    assert "stored as version 1" in out
    stored = CategoryModel.objects.get()
    assert (stored.version, stored.examples, stored.categories) == (1, 6, 2)
    model = Model.from_json(stored.payload)
    assert model.allowed == {"SPSE": sorted([path(PASSWORD), path(UPLOAD)])}
    # And a second run stores version 2, which is the one in use
    assert "stored as version 2" in train_command("--min-examples", "5")
    assert current_model() is not None
    assert CategoryModel.objects.first().version == 2  # type: ignore[union-attr]


def test_a_dry_run_trains_and_stores_nothing(resolved: list[Ticket]) -> None:
    out = train_command("--min-examples", "5", "--dry-run", "--classifier", "centroid")
    assert "6 resolved tickets read" in out and "dry run: nothing stored" in out
    assert not CategoryModel.objects.exists()


def test_limit_takes_the_newest_resolved_tickets(resolved: list[Ticket]) -> None:
    # The three newest were resolved last, all in one category: not enough to learn.
    with pytest.raises(CommandError, match=r"3 example\(s\) in 1 category;"):
        train_command("--limit", "3", "--min-examples", "2")
    out = train_command("--limit", "4", "--min-examples", "2", "--dry-run")
    assert "4 resolved tickets read" in out and "2 categories" in out


def test_too_few_examples_are_refused_and_nothing_is_stored(alice: User, agent: User) -> None:
    resolved_ticket(alice, agent, PASSWORD, TEXTS[PASSWORD][0])
    resolved_ticket(alice, agent, UPLOAD, TEXTS[UPLOAD][0])
    with pytest.raises(CommandError, match="Too few examples to train on: 2 example"):
        train_command()
    # One category is never enough, whatever the minimum.
    with pytest.raises(CommandError, match="in 1 category;"):
        train_command("--limit", "1", "--min-examples", "1")
    assert not CategoryModel.objects.exists()


def test_a_limit_below_one_is_refused(reference: None) -> None:
    with pytest.raises(CommandError, match="--limit must be at least 1"):
        train_command("--limit", "0")


def test_it_trains_on_generated_tickets(reference: None) -> None:
    # Given the synthetic data set (tickets walked through the real lifecycle)
    call_command(
        "generate_tickets", tickets=200, seed=4, batch=100, end="2026-01-15", stdout=io.StringIO()
    )
    resolved = Ticket.objects.filter(
        status__in=[Status.AWAITING_CONFIRMATION, Status.CLOSED], resolved_at__isnull=False
    ).exclude(close_reason="merged")
    assert resolved.count() >= 20
    # When the command trains on them (the fast classifier: this is about the plumbing)
    out = train_command("--classifier", "centroid", "--min-examples", "20")
    # Then every resolved ticket of an active leaf became an example
    stored = CategoryModel.objects.get()
    assert stored.examples == resolved.count()
    assert f"{stored.examples} resolved tickets read" in out
    assert stored.classifier == "centroid"


def test_the_stored_model_is_json_and_reads_back_the_same(reference: None) -> None:
    stored = tiny_model()
    document = json.loads(stored.payload)
    assert document["format"] == "lpse-support/category-model"
    again = Model.from_json(stored.payload)
    text = "lupa password akun terblokir"
    assert again.top(text, "SPSE") == Model.from_json(stored.payload).top(text, "SPSE")
    assert again.top(text, "SPSE")[0][0] == path(PASSWORD)


def test_a_pickle_is_never_loaded(reference: None, caplog: pytest.LogCaptureFixture) -> None:
    # Given a row whose payload is a pickle (protocol 0 is text)
    CategoryModel.objects.create(
        version=1, trained_at="2026-12-06T00:00:00Z", examples=1, categories=1,
        classifier="logreg", seconds=0, payload=pickle.dumps({"a": 1}, protocol=0).decode(),
    )  # fmt: skip
    spse = Application.objects.get(code="SPSE")
    # Then there is no model and no suggestion, and no error for the reporter
    assert current_model() is None
    assert suggest_categories(spse, "lupa password akun terblokir") == []
    assert "cannot be read" in caplog.text
    # And a newer, proper model is used at once
    tiny_model()
    assert suggest_categories(spse, "lupa password akun terblokir")[0] == category(PASSWORD)


def test_suggestions_are_categories_of_the_chosen_application_only(reference: None) -> None:
    tiny_model()
    spse = Application.objects.get(code="SPSE")
    sikap = Application.objects.get(code="SIKAP")
    # A SIKaP text asked for SPSE still gets SPSE categories only, and the reverse.
    for_spse = suggest_categories(spse, "data kualifikasi penyedia tidak tersimpan")
    assert for_spse and {c.application_id for c in for_spse} == {spse.pk}
    for_sikap = suggest_categories(sikap, "gagal upload dokumen penawaran")
    assert for_sikap == [category(SIKAP_DATA)]
    assert suggest_categories(spse, "dokumen penawaran gagal diunggah")[0] == category(UPLOAD)
    # An application the model never saw, or no words at all: nothing.
    assert suggest_categories(Application.objects.get(code="SIRUP"), "gagal upload") == []
    assert suggest_categories(spse, "   ") == []


def test_a_deactivated_category_is_not_suggested(reference: None) -> None:
    tiny_model()
    upload = category(UPLOAD)
    upload.is_active = False
    upload.save(update_fields=["is_active"])
    found = suggest_categories(upload.application, "gagal upload dokumen penawaran")
    assert upload not in found and category(PASSWORD) in found


def test_no_model_no_suggestion(reference: None) -> None:
    assert suggest_categories(Application.objects.get(code="SPSE"), "lupa password") == []


def test_the_model_is_parsed_once_and_a_newer_one_is_picked_up(reference: None, settings) -> None:
    # With nothing kept between calls (the settings at 0)
    settings.SUGGESTIONS_CACHE_SECONDS = settings.REFERENCE_CACHE_SECONDS = 0
    tiny_model((PASSWORD, UPLOAD))
    spse = Application.objects.get(code="SPSE")
    sikap = Application.objects.get(code="SIKAP")
    assert suggest_categories(sikap, "data kualifikasi penyedia") == []
    # A second suggestion asks only which row is newest (and, with nothing kept, the
    # book's categories and applications); the payload is not read again.
    with CaptureQueriesContext(connection) as queries:
        suggest_categories(spse, "lupa password")
    assert not any("payload" in query["sql"] for query in queries.captured_queries)
    assert len(queries.captured_queries) == 3
    # When a newer model is stored (by another process, say), it is used at once.
    tiny_model()
    assert suggest_categories(sikap, "data kualifikasi penyedia") == [category(SIKAP_DATA)]


def test_a_kept_model_asks_nothing_until_a_model_is_stored(
    reference: None, kept: None, django_assert_num_queries
) -> None:
    tiny_model((PASSWORD, UPLOAD))
    spse = Application.objects.get(code="SPSE")
    sikap = Application.objects.get(code="SIKAP")
    password, sikap_data = category(PASSWORD), category(SIKAP_DATA)
    assert suggest_categories(spse, "lupa password")[0] == password
    # Kept as in production: the next suggestions ask the database nothing
    with django_assert_num_queries(0):
        assert suggest_categories(spse, "lupa password")[0] == password
        assert suggest_categories(sikap, "data kualifikasi penyedia") == []
    # A model stored by this process is used at once
    tiny_model()
    assert suggest_categories(sikap, "data kualifikasi penyedia") == [sikap_data]
    # One stored by another process (no signal here) is not asked for while the shared
    # version stays...
    CategoryModel.objects.filter(version__gt=1).update(version=F("version") + 10)
    CategoryModel.objects.filter(version=1).update(version=100)  # the SPSE-only one again
    with django_assert_num_queries(0):
        assert suggest_categories(sikap, "data kualifikasi penyedia") == [sikap_data]
    # ...and is used once that process's commit moves the version
    cache.set(model_freshness.version_key, "moved by another process")
    assert suggest_categories(sikap, "data kualifikasi penyedia") == []
    assert suggest_categories(spse, "lupa password")[0] == password


def test_it_trains_on_a_file_of_labelled_texts(reference: None, tmp_path) -> None:
    lines = [
        json.dumps({"application": app, "category": [feature, leaf], "title": text})
        for (app, feature, leaf), texts in TEXTS.items()
        for text in texts
    ]
    source = tmp_path / "set.jsonl"
    source.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    out = train_command("--from-file", str(source), "--min-examples", "10")
    assert f"12 texts read from {source}" in out and "3 categories of 2 applications" in out
    spse = Application.objects.get(code="SPSE")
    assert suggest_categories(spse, "lupa password akun terblokir")[0] == category(PASSWORD)


def test_if_missing_trains_only_the_first_time(reference: None, tmp_path) -> None:
    """The demo's start: the evaluation texts give a first model, later starts keep it."""
    source = Path(__file__).resolve().parents[1] / "eval" / "category_eval.jsonl"
    args = ("--if-missing", "--classifier", "centroid", "--from-file", str(source))
    assert "texts read from" in train_command(*args)
    assert "nothing to do" in train_command(*args)
    assert CategoryModel.objects.count() == 1
    spse = Application.objects.get(code="SPSE")
    assert suggest_categories(spse, "lupa password akun terblokir")


def test_an_unreadable_file_is_refused_by_line(reference: None, tmp_path) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_text('{"application": "SPSE"}\n', encoding="utf-8")
    with pytest.raises(CommandError, match="line 1"):
        train_command("--from-file", str(source))
    with pytest.raises(CommandError, match="Cannot read the examples"):
        train_command("--from-file", str(tmp_path / "missing.jsonl"))
    assert not CategoryModel.objects.exists()
