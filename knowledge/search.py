"""Full-text search over articles, the same contract as the tickets' (`tickets/search.py`).

Words are cut by `lib/textsearch.py`; every query word must occur, as a prefix; a word
in the title weighs most, then the summary, then the body.

- PostgreSQL: `Article.search_vector`, a stored `tsvector` (configuration `simple`) with
  a GIN index, ranked with `ts_rank`.
- SQLite: the FTS5 table `knowledge_article_search` (rowid = article id), ranked with
  `bm25`.

`article_search_write` keeps both current; the services call it on every save.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections
from django.db.models import F, FloatField, QuerySet
from django.db.models.expressions import RawSQL

from knowledge.models import Article
from lib import textsearch
from tickets.search import FulltextSchema

FTS_TABLE = "knowledge_article_search"
ARTICLE_TABLE = Article._meta.db_table
FTS_COLUMNS = ("title", "summary", "body")
# Title, summary, body (PostgreSQL takes the weights in the order D, C, B, A).
PART_WEIGHTS = (1.0, 0.4, 0.2)
PG_WEIGHTS = [0.0, *reversed(PART_WEIGHTS)]


def _is_postgres(using: str) -> bool:
    return connections[using].vendor == "postgresql"


def article_search_write(article: Article, *, using: str = "default") -> None:
    """Store (or replace) the words the article is found by."""
    with connections[using].cursor() as cursor:
        if _is_postgres(using):
            vector = textsearch.tsvector(
                [("A", article.title), ("B", article.summary), ("C", article.body)]
            )
            cursor.execute(
                f"UPDATE {ARTICLE_TABLE} SET search_vector = %s::tsvector WHERE id = %s",  # noqa: S608
                [vector, article.pk],
            )
            return
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [article.pk])  # noqa: S608
        cursor.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, {', '.join(FTS_COLUMNS)})"  # noqa: S608
            " VALUES (%s, %s, %s, %s)",
            [
                article.pk,
                textsearch.joined(article.title),
                textsearch.joined(article.summary),
                textsearch.joined(article.body),
            ],
        )


def article_search(
    articles: QuerySet[Article], text: str, *, any_word: bool = False
) -> QuerySet[Article]:
    """The articles of `articles` holding every word of `text`, best match first.

    `any_word`: holding one of the words is enough (suggestions from a text being typed;
    the more words an article holds, the higher it ranks). A text without any word finds
    nothing. Articles are few (thousands, not millions): every match is ranked.
    """
    terms = textsearch.query_words(text)
    if not terms:
        return articles.none()
    rank: SearchRank | RawSQL
    if _is_postgres(articles.db):
        query = SearchQuery(
            textsearch.tsquery(terms, any_word=any_word), config="simple", search_type="raw"
        )
        found = articles.filter(search_vector=query)
        rank = SearchRank(F("search_vector"), query, weights=PG_WEIGHTS)
    else:
        match = textsearch.fts5_query(terms, any_word=any_word)
        found = articles.filter(
            id__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match])  # noqa: S608, S611
        )
        weights = ", ".join(str(w) for w in PART_WEIGHTS)
        # The table and weights are constants; the query is a parameter.
        rank = RawSQL(  # noqa: S611
            f"(SELECT -bm25({FTS_TABLE}, {weights}) FROM {FTS_TABLE}"  # noqa: S608
            f" WHERE {FTS_TABLE} MATCH %s AND {FTS_TABLE}.rowid = {ARTICLE_TABLE}.id)",
            [match],
            output_field=FloatField(),
        )
    return found.annotate(search_rank=rank).order_by("-search_rank", "title", "id")


# --- Schema (used by the migration) ------------------------------------------------------


SCHEMA = FulltextSchema(ARTICLE_TABLE, "article_search_vector", FTS_TABLE, FTS_COLUMNS)


def search_schema_create(schema_editor: object) -> None:
    SCHEMA.create(schema_editor)


def search_schema_drop(schema_editor: object) -> None:
    SCHEMA.drop(schema_editor)
