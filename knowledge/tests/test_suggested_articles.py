"""The articles Buat Tiket suggests are ranked in memory (`lib/wordindex.py`); the index
follows every change of the published articles at once, and costs two statements."""

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from knowledge import services
from knowledge.models import Article, ArticleStatus
from knowledge.suggest import articles_freshness, suggested_articles
from knowledge.tests.factories import write_article
from reference.models import Application

TYPED = "dokumen penawaran gagal upload terus"


def _edit(editor: User, article: Article, **changes: object) -> Article:
    values = {
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "body": article.body,
        "applications": list(article.applications.all()),
        "categories": list(article.categories.all()),
        "last_reviewed_on": None,
        **changes,
    }
    return services.article_save(editor=editor, article=article, **values)  # type: ignore[arg-type]


def test_the_suggestions_follow_publishing_archiving_and_editing_at_once(
    alice: User, editor: User, spse: Application
) -> None:
    article = write_article(editor, "Gagal upload dokumen penawaran", publish=False)
    assert suggested_articles(alice, spse, TYPED) == []  # a draft: never
    services.article_set_status(editor=editor, article=article, status=ArticleStatus.PUBLISHED)
    assert suggested_articles(alice, spse, TYPED) == [article]
    # Edited: its new words count, its old ones no longer
    article = _edit(editor, article, title="Jadwal tahapan tidak sesuai")
    assert suggested_articles(alice, spse, TYPED) == []
    assert suggested_articles(alice, spse, "jadwal tahapan kacau") == [article]
    # Linked to another application: not suggested for SPSE any more
    sikap = Application.objects.get(code="SIKAP")
    article = _edit(editor, article, applications=[sikap])
    assert suggested_articles(alice, spse, "jadwal tahapan kacau") == []
    assert suggested_articles(alice, sikap, "jadwal tahapan kacau") == [article]
    # Archived: gone
    services.article_set_status(editor=editor, article=article, status=ArticleStatus.ARCHIVED)
    assert suggested_articles(alice, sikap, "jadwal tahapan kacau") == []


def test_the_summary_counts_less_than_the_title(
    alice: User, editor: User, spse: Application
) -> None:
    in_summary = write_article(editor, "Panduan umum", summary="Upload dokumen penawaran gagal")
    in_title = write_article(editor, "Upload dokumen penawaran gagal")
    assert suggested_articles(alice, spse, TYPED) == [in_title, in_summary]


def test_two_statements_whatever_the_number_of_articles(
    alice: User, editor: User, spse: Application, settings
) -> None:
    # Asking every time whether the articles changed (the setting at 0): one statement
    # for that, one for the articles shown
    settings.SUGGESTIONS_CACHE_SECONDS = 0
    for n in range(3):
        write_article(editor, f"Gagal upload dokumen penawaran bagian {n}")
    suggested_articles(alice, spse, TYPED)  # the index is built

    def statements() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert len(suggested_articles(alice, spse, TYPED)) == 3
        return len(captured)

    few = statements()
    for n in range(3, 30):
        write_article(editor, f"Gagal upload dokumen penawaran bagian {n}")
    suggested_articles(alice, spse, TYPED)  # rebuilt once after the change
    assert statements() == few == 2


def test_a_kept_index_is_not_asked_whether_it_changed_until_an_article_is_saved(
    alice: User, editor: User, spse: Application, kept: None, django_assert_num_queries
) -> None:
    first = write_article(editor, "Gagal upload dokumen penawaran")
    assert suggested_articles(alice, spse, TYPED) == [first]
    # Kept as in production: only the shown articles are read
    with django_assert_num_queries(1):
        assert suggested_articles(alice, spse, TYPED) == [first]
    # An article saved by this process is suggested at once
    second = write_article(editor, "Upload dokumen penawaran gagal terus", publish=False)
    services.article_set_status(editor=editor, article=second, status=ArticleStatus.PUBLISHED)
    assert set(suggested_articles(alice, spse, TYPED)) == {first, second}
    # One published by another process (no signal here) waits for the shared version...
    third = write_article(editor, "Dokumen penawaran gagal diunggah", publish=False)
    assert third not in suggested_articles(alice, spse, TYPED)  # a draft, checked
    Article.objects.filter(pk=third.pk).update(
        status=ArticleStatus.PUBLISHED, updated_at=timezone.now()
    )
    assert third not in suggested_articles(alice, spse, TYPED)
    # ...which that process's commit moves
    cache.set(articles_freshness.version_key, "moved by another process")
    assert set(suggested_articles(alice, spse, TYPED)) == {first, second, third}
