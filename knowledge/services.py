"""Every write to the knowledge base: articles (with their versions) and votes.

Editors only write (`tickets.access.may_edit_articles`); anybody else gets `NotFound`,
like the pages' 404. Each save that changes the title or body keeps an
`ArticleVersion`, and every save rewrites the article's search entry.
"""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from knowledge.models import (
    SLUG_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Article,
    ArticleStatus,
    ArticleVersion,
    ArticleVote,
)
from knowledge.search import article_search_write
from lib.errors import NotFound
from reference.models import Application, Category
from tickets.access import articles_readable_q, may_draft_article_from, may_edit_articles
from tickets.models import Ticket


def _require_editor(user: User) -> None:
    if not may_edit_articles(user):
        raise NotFound


def _keep_version(*, article: Article, editor: User, now: datetime.datetime) -> ArticleVersion:
    last = article.versions.aggregate(last=Max("number"))["last"] or 0
    return ArticleVersion.objects.create(
        article=article,
        number=last + 1,
        title=article.title,
        body=article.body,
        editor=editor,
        saved_at=now,
    )


@transaction.atomic
def article_save(
    *,
    editor: User,
    article: Article | None,
    title: str,
    slug: str,
    summary: str,
    body: str,
    applications: Iterable[Application],
    categories: Iterable[Category],
    last_reviewed_on: datetime.date | None,
    publish: bool = False,
    now: datetime.datetime | None = None,
) -> Article:
    """Create (`article=None`) or change an article; publish it too when asked.

    A version is kept when the article is new or its title or body changed.
    """
    _require_editor(editor)
    now = now or timezone.now()
    if article is None:
        article = Article(author=editor)
        changed = True
    else:
        article = Article.objects.select_for_update().get(pk=article.pk)
        changed = (article.title, article.body) != (title, body)
    article.title, article.slug, article.summary, article.body = title, slug, summary, body
    article.last_reviewed_on = last_reviewed_on
    if publish:
        article.status = ArticleStatus.PUBLISHED
        article.published_at = article.published_at or now
    article.save()
    article.applications.set(list(applications))
    article.categories.set(list(categories))
    if changed:
        _keep_version(article=article, editor=editor, now=now)
    article_search_write(article)
    return article


@transaction.atomic
def article_set_status(
    *, editor: User, article: Article, status: str, now: datetime.datetime | None = None
) -> Article:
    """Publish, archive or return an article to draft (no version: the text is as is)."""
    _require_editor(editor)
    article = Article.objects.select_for_update().get(pk=article.pk)
    article.status = ArticleStatus(status)
    if article.status == ArticleStatus.PUBLISHED and article.published_at is None:
        article.published_at = now or timezone.now()
    article.save(update_fields=["status", "published_at", "updated_at"])
    return article


def article_vote(*, user: User, article: Article, helpful: bool) -> ArticleVote:
    """*Apakah artikel ini membantu?*: the person's one answer, changed if given before."""
    if not user.is_authenticated or not user.is_active:
        raise NotFound
    if not Article.objects.filter(articles_readable_q(user), pk=article.pk).exists():
        raise NotFound
    vote, _created = ArticleVote.objects.update_or_create(
        article=article, user=user, defaults={"helpful": helpful}
    )
    return vote


def _free_slug(title: str) -> str:
    """A slug from the title that no article has yet (…-2, …-3 when it is taken)."""
    base = slugify(title)[: SLUG_MAX_LENGTH - 8].strip("-") or "artikel"
    taken = set(Article.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


@transaction.atomic
def article_draft_from_ticket(
    *,
    actor: User,
    ticket: Ticket,
    title: str,
    problem: str,
    resolution: str,
    now: datetime.datetime | None = None,
) -> Article:
    """A draft article from a resolved ticket, as the agent rewrote it: the ticket's
    application and category, a *Masalah* and a *Penyelesaian* section. Editors review
    and publish it; reporters never see a draft."""
    if not may_draft_article_from(actor, ticket):
        raise NotFound
    now = now or timezone.now()
    body = "## {}\n\n{}\n\n## {}\n\n{}\n".format(
        _("Masalah"), problem.strip(), _("Penyelesaian"), resolution.strip()
    )
    article = Article.objects.create(
        title=title.strip()[:TITLE_MAX_LENGTH],
        slug=_free_slug(title),
        body=body,
        status=ArticleStatus.DRAFT,
        author=actor,
    )
    article.applications.set([ticket.application_id])
    article.categories.set([ticket.category_id])
    _keep_version(article=article, editor=actor, now=now)
    article_search_write(article)
    return article
