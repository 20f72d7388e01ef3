"""What Buat Tiket suggests while the reporter types (issue 18).

From the title and description typed so far, and the application chosen:

- up to 3 categories of that application, from the trained model (`categories.py`);
- up to 3 published articles of that application or of none, whose title or summary
  holds any of the text's content words, best match first (ranked in this process by
  `lib/wordindex.py`, rebuilt when an article changes);
- up to 3 of the reporter's **own** open tickets whose words look like the same problem
  (`lib/similar.py`): never anybody else's, whatever the text.

A bounded number of queries, whatever was typed: the text is cut, the categories come
from the process's reference book, the articles are ranked in memory (one query for the
three shown; whether they changed is asked at most every SUGGESTIONS_CACHE_SECONDS and
whenever one is saved: `articles_freshness`), and the own tickets are the reporter's
newest open ones (an index on reporter and status), compared in Python.
"""

import threading
from dataclasses import dataclass, field

from django.db import connections, router
from django.db.models.functions import Substr

from accounts.models import User
from knowledge.categories import TEXT_CHARS, model_text, suggest_categories
from knowledge.models import Article, ArticleStatus
from lib.similar import content_words, looks_alike, score, word_keys
from lib.textsearch import normalize, query_words
from lib.wordindex import PrefixIndex
from reference.freshness import Freshness
from reference.models import Application, Category
from tickets.access import articles_readable_q, tickets_visible_to
from tickets.models import OPEN_STATUSES, Ticket

# The most read of what the page sends (the page itself sends only the start of the
# description, so that the address stays short): the model reads no more anyway.
TITLE_CHARS = 200
DESCRIPTION_CHARS = TEXT_CHARS
# Nothing is suggested before the text holds this many content words.
MIN_WORDS = 3
SHOWN = 3
# The reporter's newest open tickets compared with the text (a reporter rarely has more).
OWN_OPEN_COMPARED = 200


@dataclass(frozen=True)
class Suggestions:
    categories: list[Category] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    similar: list[Ticket] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.categories or self.articles or self.similar)


def suggestions_for(
    reporter: User, *, application: Application | None, title: str, description: str
) -> Suggestions:
    """The suggestions for what the reporter has typed so far (empty below MIN_WORDS)."""
    text = model_text(title[:TITLE_CHARS], description[:DESCRIPTION_CHARS])
    if len(content_words(text)) < MIN_WORDS:
        return Suggestions()
    return Suggestions(
        categories=suggest_categories(application, text, k=SHOWN) if application else [],
        articles=suggested_articles(reporter, application, text),
        similar=similar_open_tickets(reporter, text),
    )


# Title and summary (the article's own statement of the problem); the body is left to
# the Pusat Bantuan search, which reads it from the database.
INDEX_WEIGHTS = (1.0, 0.4)
_ARTICLES = Article._meta.db_table
# Constant SQL (the table's name from the model): two index-only reads in one statement.
CHANGE_KEY_SQL = (
    f"SELECT (SELECT COUNT(*) FROM {_ARTICLES}), (SELECT MAX(updated_at) FROM {_ARTICLES})"  # noqa: S608
)
# Ranked before the readers' rule is asked of them (it may drop one or two).
RANKED = SHOWN + 5


@dataclass(frozen=True)
class _Index:
    """The published articles' index as read at one moment (replaced whole, never
    changed: requests of other threads may be reading it)."""

    key: tuple[object, ...] | None = None
    index: PrefixIndex = field(default_factory=lambda: PrefixIndex((), INDEX_WEIGHTS))
    # Each article's applications (none: an article about no application in particular).
    applications: dict[int, frozenset[int]] = field(default_factory=dict)


class _Published:
    """This process's index of the published articles, rebuilt when they change."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.current = _Index()


_published = _Published()
# Whether the articles changed is asked at most every SUGGESTIONS_CACHE_SECONDS, and at
# once after an article is saved, deleted or linked (signals: knowledge.apps).
articles_freshness = Freshness("knowledge:articles:version", "SUGGESTIONS_CACHE_SECONDS")


def _published_index() -> _Index:
    """The index of the published articles as they are now.

    One small statement tells whether anything changed (see `articles_freshness` for
    how often): the number of articles (one added or deleted) and the newest
    `updated_at` (publishing, archiving, editing and linking all save the article), each
    read from an index alone. The index is built again only then, from one query for
    the texts and one for the applications.
    """
    stamp = articles_freshness.stale()
    if stamp is None:
        return _published.current
    # From the database the articles' rows will be read from (a replica only where the
    # view allows it), so that the key and the rows agree.
    with connections[router.db_for_read(Article)].cursor() as cursor:
        cursor.execute(CHANGE_KEY_SQL)
        key = tuple(cursor.fetchone() or ())
    with _published.lock:
        if _published.current.key != key:
            rows = Article.objects.filter(status=ArticleStatus.PUBLISHED).values_list(
                "pk", "title", "summary"
            )
            index = PrefixIndex(
                ((pk, normalize(title), (title, summary)) for pk, title, summary in rows),
                INDEX_WEIGHTS,
            )
            links: dict[int, set[int]] = {}
            for article_id, application_id in Article.applications.through.objects.filter(
                article__status=ArticleStatus.PUBLISHED
            ).values_list("article_id", "application_id"):
                links.setdefault(article_id, set()).add(application_id)
            _published.current = _Index(
                key, index, {pk: frozenset(ids) for pk, ids in links.items()}
            )
        articles_freshness.checked(stamp)
        return _published.current


def suggested_articles(
    user: User, application: Application | None, text: str, *, k: int = SHOWN
) -> list[Article]:
    """Published articles about `application` (or about no application in particular)
    whose title or summary holds any content word of `text`, best match first."""
    terms = query_words(" ".join(content_words(text)))
    if not terms:
        return []
    published = _published_index()
    about = None
    if application is not None:
        linked_of = published.applications.get
        application_id = application.pk

        def about(pk: int) -> bool:
            linked = linked_of(pk)
            return not linked or application_id in linked

    ranked = published.index.rank(terms, k=RANKED, allowed=about)
    if not ranked:
        return []
    found = {
        article.pk: article
        for article in Article.objects.filter(
            articles_readable_q(user), status=ArticleStatus.PUBLISHED, pk__in=ranked
        ).only("pk", "title", "slug", "summary")
    }
    return [found[pk] for pk in ranked if pk in found][:k]


def similar_open_tickets(reporter: User, text: str, *, k: int = SHOWN) -> list[Ticket]:
    """The reporter's own open tickets that look like the same problem, most alike first."""
    keys = word_keys(text)
    if not keys:
        return []
    candidates = (
        tickets_visible_to(reporter)
        .filter(reporter=reporter, status__in=sorted(OPEN_STATUSES))
        .order_by("-created_at", "-id")
        .only("pk", "number", "title", "status", "created_at")
        .annotate(head=Substr("description", 1, TEXT_CHARS))[:OWN_OPEN_COMPARED]
    )
    scored = []
    for position, ticket in enumerate(candidates):
        theirs = word_keys(model_text(ticket.title, ticket.head))
        if looks_alike(keys, theirs):
            scored.append((-score(keys, theirs), position, ticket))
    scored.sort(key=lambda item: item[:2])
    return [ticket for _score, _position, ticket in scored[:k]]
