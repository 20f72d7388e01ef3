"""What Buat Tiket suggests while the reporter types (issue 18).

From the title and description typed so far, and the application chosen:

- up to 3 categories of that application, from the trained model (`categories.py`);
- up to 3 published articles, found by any of the text's content words (the knowledge
  base's search, best match first), of that application or of none;
- up to 3 of the reporter's **own** open tickets whose words look like the same problem
  (`lib/similar.py`): never anybody else's, whatever the text.

A bounded number of queries, whatever was typed: the text is cut, the article search
is one ranked query over published articles, and the own tickets are the reporter's
newest open ones (an index on reporter and status), compared in Python.
"""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.db.models.functions import Substr

from accounts.models import User
from knowledge.categories import TEXT_CHARS, model_text, suggest_categories
from knowledge.models import Article, ArticleStatus
from knowledge.search import article_search
from lib.similar import content_words, looks_alike, score, word_keys
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


def _of_application(articles: QuerySet[Article], application: Application) -> QuerySet[Article]:
    """The articles about `application`, and those about no application in particular."""
    links = Article.applications.through.objects
    return articles.filter(
        Q(pk__in=links.filter(application=application).values("article_id"))
        | ~Q(pk__in=links.values("article_id"))
    )


def suggested_articles(
    user: User, application: Application | None, text: str, *, k: int = SHOWN
) -> list[Article]:
    """Published articles holding any content word of `text`, best match first."""
    words = content_words(text)
    if not words:
        return []
    articles = Article.objects.filter(articles_readable_q(user), status=ArticleStatus.PUBLISHED)
    if application is not None:
        articles = _of_application(articles, application)
    found = article_search(articles, " ".join(words), any_word=True)
    return list(found.only("pk", "title", "slug", "summary")[:k])


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
