"""The demo (`seed_demo`) publishes articles for the common problems, once."""

import pytest
from django.core.management import call_command

from accounts.models import User
from knowledge.demo import DEMO_ARTICLES, DEMO_CANNED_LINKS
from knowledge.models import Article, ArticleStatus, ArticleVersion, CannedResponseArticle
from tickets.access import may_edit_articles


@pytest.mark.django_db
def test_the_demo_publishes_each_article_with_its_categories_once():
    call_command("seed_demo", "--demo")
    call_command("seed_demo", "--demo")
    articles = Article.objects.prefetch_related("categories", "applications")
    assert {a.slug for a in articles} == {demo.slug for demo in DEMO_ARTICLES}
    for article, demo in zip(
        articles.order_by("slug"), sorted(DEMO_ARTICLES, key=lambda d: d.slug), strict=True
    ):
        assert article.status == ArticleStatus.PUBLISHED
        assert [app.code for app in article.applications.all()] == [demo.application]
        assert sorted(c.name for c in article.categories.all()) == sorted(demo.categories)
    assert ArticleVersion.objects.count() == len(DEMO_ARTICLES)
    assert may_edit_articles(User.objects.get(username="editor1"))
    # Canned responses bring their articles along (once, however often the seed runs)
    links = CannedResponseArticle.objects.values_list(
        "canned_response__title", "article__slug"
    ).order_by("canned_response__title")
    assert list(links) == list(DEMO_CANNED_LINKS)
