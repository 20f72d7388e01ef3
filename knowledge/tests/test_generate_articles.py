"""`manage.py generate_articles`: the load benchmark's published articles, in bulk."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import User
from knowledge.models import Article, ArticleStatus, ArticleVersion
from knowledge.search import article_search
from knowledge.suggest import suggested_articles
from reference.models import Application

pytestmark = pytest.mark.django_db


def generate(*args: str) -> str:
    out = io.StringIO()
    call_command("generate_articles", *args, stdout=out)
    return out.getvalue()


def test_articles_are_published_linked_versioned_and_searchable(
    reference: None, alice: User, spse: Application
) -> None:
    said = generate("--articles", "80", "--seed", "3")
    assert "80 articles" in said
    articles = list(Article.objects.prefetch_related("applications", "categories"))
    assert len(articles) == 80
    assert {a.status for a in articles} == {ArticleStatus.PUBLISHED}
    assert {a.author.username for a in articles} == {"synthetic-editor"}
    assert all(a.published_at and a.last_reviewed_on for a in articles)
    assert ArticleVersion.objects.filter(number=1).count() == 80
    linked = [a for a in articles if a.applications.all()]
    assert len(linked) >= 60
    for article in linked:
        (application,) = article.applications.all()
        categories = list(article.categories.all())
        assert categories
        assert {c.application_id for c in categories} == {application.pk}
        assert all(c.is_leaf for c in categories)
    # Found by the search as the services' articles are (search entries written).
    sample = linked[0]
    found = article_search(Article.objects.all(), sample.title)
    assert sample in found
    # And suggested on Buat Tiket for a text about SPSE.
    about_spse = [a for a in linked if a.applications.all()[0] == spse]
    assert about_spse
    words = about_spse[0].title
    assert suggested_articles(alice, spse, words)


def test_a_seed_is_generated_once_and_another_seed_adds(reference: None) -> None:
    generate("--articles", "5", "--seed", "1")
    with pytest.raises(CommandError, match="seed 1 exist already"):
        generate("--articles", "5", "--seed", "1")
    assert Article.objects.count() == 5
    generate("--articles", "5", "--seed", "2")
    assert Article.objects.count() == 10


def test_the_same_seed_writes_the_same_texts(reference: None) -> None:
    generate("--articles", "10", "--seed", "7")
    first = list(Article.objects.order_by("id").values_list("title", "body"))
    Article.objects.all().delete()
    ArticleVersion.objects.all().delete()
    generate("--articles", "10", "--seed", "7")
    assert list(Article.objects.order_by("id").values_list("title", "body")) == first


def test_bad_options_write_nothing(reference: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="at least 1"):
        generate("--articles", "0")
    with pytest.raises(CommandError, match="Cannot read the symptoms"):
        generate("--articles", "5", "--symptoms", str(tmp_path / "missing.jsonl"))
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"application": "SPSE"}\n', encoding="utf-8")
    with pytest.raises(CommandError, match="line 1"):
        generate("--articles", "5", "--symptoms", str(broken))
    assert not Article.objects.exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="TOAST storage is PostgreSQL's (SQLite: FTS5)"
)
def test_search_vectors_of_help_sized_articles_stay_in_the_row(reference: None) -> None:
    """Migration 0006: the suggestions read thousands of vectors per call; a vector of a
    help article (over 2 kB) is kept in its row, not moved to the TOAST table."""
    toast = (
        "SELECT pg_relation_size(reltoastrelid), reloptions FROM pg_class"
        " WHERE relname = 'knowledge_article'"
    )
    with connection.cursor() as cursor:
        cursor.execute(toast)
        before, options = cursor.fetchone()
        assert "toast_tuple_target=8160" in options
        generate("--articles", "20", "--seed", "5")
        cursor.execute(toast)
        after, _options = cursor.fetchone()
        cursor.execute("SELECT max(pg_column_size(search_vector)) FROM knowledge_article")
        largest = cursor.fetchone()[0]
    assert largest > 2000  # over the default threshold, so the target matters
    assert after == before  # nothing was written to the TOAST table
