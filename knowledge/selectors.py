"""Reads of the knowledge base for its pages, in a bounded number of queries."""

from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.models import User
from knowledge.models import Article, ArticleStatus, ArticleVote
from lib.errors import NotFound
from lib.similar import score, word_keys
from reference.models import Application, Category
from tickets.access import articles_readable_q

_CATEGORIES = Category.objects.select_related("application", "parent").order_by(
    "application__order", "application__code", "order", "name"
)


def with_labels(articles: QuerySet[Article]) -> QuerySet[Article]:
    """Articles with their applications and categories for a list (two queries more)."""
    return articles.prefetch_related(
        Prefetch("applications", queryset=Application.objects.order_by("order", "code")),
        Prefetch("categories", queryset=_CATEGORIES),
    )


def published_articles(user: User) -> QuerySet[Article]:
    """The articles the readers' list shows this user: published and readable."""
    return Article.objects.filter(articles_readable_q(user), status=ArticleStatus.PUBLISHED)


def filter_articles(
    articles: QuerySet[Article], *, application: Application | None, category: Category | None
) -> QuerySet[Article]:
    if application is not None:
        articles = articles.filter(applications=application)
    if category is not None:
        # A category of the tree covers the articles of its sub-categories.
        within = Category.objects.filter(Q(pk=category.pk) | Q(parent_id=category.pk))
        articles = articles.filter(
            pk__in=Article.categories.through.objects.filter(category__in=within).values(
                "article_id"
            )
        )
    return articles


def application_counts(articles: QuerySet[Article]) -> list[tuple[Application, int]]:
    """Each active application with its number of articles among `articles` (one query)."""
    rows = (
        Application.objects.filter(is_active=True)
        .annotate(total=Count("articles", filter=Q(articles__in=articles.values("pk"))))
        .order_by("order", "code")
    )
    return [(app, app.total) for app in rows]


def category_counts(
    articles: QuerySet[Article], application: Application
) -> list[tuple[Category, int]]:
    """The categories of one application that hold any of `articles`, with counts."""
    rows = (
        Category.objects.filter(application=application, is_active=True)
        .select_related("parent")
        .annotate(total=Count("articles", filter=Q(articles__in=articles.values("pk"))))
        .filter(total__gt=0)
        .order_by("parent__order", "parent__name", "order", "name")
    )
    return [(category, category.total) for category in rows]


def get_article_for_user(user: User, slug: str) -> Article:
    """The article if this user may read it; NotFound exactly as for an unknown slug."""
    found = with_labels(Article.objects.filter(articles_readable_q(user), slug=slug))[:1]
    for article in found:
        return article
    raise NotFound


def vote_of(user: User, article: Article) -> bool | None:
    """The person's answer to *Apakah artikel ini membantu?*, or None."""
    if not user.is_authenticated:
        return None
    return (
        ArticleVote.objects.filter(article=article, user=user)
        .values_list("helpful", flat=True)
        .first()
    )


# Jawaban yang mungkin (issue 18): articles for a ticket on the staff page.
ARTICLE_CANDIDATES = 200
SAME_CATEGORY_BONUS = 0.5


def articles_for_ticket(
    user: User, *, application: Application, category: Category, text: str, limit: int = 3
) -> list[Article]:
    """Published articles this user reads about the ticket's application: those of its
    category (or the category's parent) first, then by the words they share with `text`
    (`lib.similar`); articles sharing neither are left out. Two statements."""
    candidates = list(
        filter_articles(published_articles(user), application=application, category=None)
        .only("pk", "title", "slug", "summary")
        .order_by("-published_at", "-id")[:ARTICLE_CANDIDATES]
    )
    if not candidates:
        return []
    near = {category.pk, *([category.parent_id] if category.parent_id else [])}
    about = {
        article_id
        for article_id, category_id in Article.categories.through.objects.filter(
            article_id__in=[article.pk for article in candidates]
        ).values_list("article_id", "category_id")
        if category_id in near
    }
    keys = word_keys(text)
    scored = []
    for article in candidates:
        alike = score(keys, word_keys(f"{article.title} {article.summary}"))
        if article.pk in about:
            alike += SAME_CATEGORY_BONUS
        if alike > 0:
            scored.append((alike, article))
    scored.sort(key=lambda pair: (-pair[0], pair[1].title, pair[1].pk))
    return [article for _score, article in scored[:limit]]
