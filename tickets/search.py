"""Full-text search over tickets: number, codes, title, description and messages.

One contract on both databases (`lib/textsearch.py` cuts the words): every query word
must occur in the ticket, as a prefix; results come best first — a word in the title
weighs most, then the number and codes, then the description, then the messages — and
newest first among equals.

- PostgreSQL: `Ticket.search_vector`, a stored `tsvector` (configuration `simple`, the
  words already cut) with a GIN index; matched with `@@`, ranked with `ts_rank`.
- SQLite: the FTS5 table `tickets_ticket_search` (rowid = ticket id, one column per
  part); matched with MATCH, ranked with `bm25`.

The domain services keep both current (`search_entries_write` when a ticket is filed,
`search_add_message` when a message is written); `manage.py search_reindex` rebuilds
them all, and the migration that introduced them filled them for existing tickets.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection, connections
from django.db.models import F, FloatField, QuerySet
from django.db.models.expressions import RawSQL

from lib import textsearch
from tickets.models import Message, Ticket

FTS_TABLE = "tickets_ticket_search"
TICKET_TABLE = Ticket._meta.db_table
# How much each part of a ticket counts, best first: title, number and codes,
# description, messages (PostgreSQL takes them in the order D, C, B, A).
PART_WEIGHTS = (1.0, 0.4, 0.2, 0.1)
PG_WEIGHTS = list(reversed(PART_WEIGHTS))
FTS_COLUMNS = ("title", "codes", "description", "messages")
# Ranking reads every match. A search with more matches than this (a common word over a
# million tickets) is shown newest first instead, and the page says so: ranking half a
# million tickets would take seconds, and their order would tell nobody anything.
RELEVANCE_LIMIT = 500


@dataclass(frozen=True)
class SearchEntry:
    """What a ticket is found by."""

    ticket_id: int
    title: str
    codes: str
    description: str
    messages: tuple[str, ...] = ()

    @classmethod
    def of(cls, ticket: Ticket, messages: Iterable[str] = ()) -> "SearchEntry":
        return cls(
            ticket_id=ticket.pk,
            title=ticket.title,
            codes=ticket_codes(ticket.number, ticket.code, ticket.error_code),
            description=ticket.description,
            messages=tuple(messages),
        )

    def tsvector(self) -> str:
        return textsearch.tsvector(
            [
                ("A", self.title),
                ("B", self.codes),
                ("C", self.description),
                *(("D", body) for body in self.messages),
            ]
        )

    def fts_row(self) -> tuple[int, str, str, str, str]:
        return (
            self.ticket_id,
            textsearch.joined(self.title),
            textsearch.joined(self.codes),
            textsearch.joined(self.description),
            " ".join(textsearch.joined(body) for body in self.messages),
        )


def ticket_codes(number: str, code: str, error_code: str) -> str:
    return " ".join(part for part in (number, code, error_code) if part)


def _is_postgres(using: str = "default") -> bool:
    return connections[using].vendor == "postgresql"


# --- Writing -------------------------------------------------------------------------


def search_entries_write(entries: Sequence[SearchEntry], *, using: str = "default") -> None:
    """Store (or replace) the entries of these tickets."""
    if not entries:
        return
    with connections[using].cursor() as cursor:
        if _is_postgres(using):
            cursor.executemany(
                f"UPDATE {TICKET_TABLE} SET search_vector = %s::tsvector WHERE id = %s",  # noqa: S608
                [(entry.tsvector(), entry.ticket_id) for entry in entries],
            )
            return
        cursor.executemany(
            f"DELETE FROM {FTS_TABLE} WHERE rowid = %s",  # noqa: S608
            [(entry.ticket_id,) for entry in entries],
        )
        cursor.executemany(
            f"INSERT INTO {FTS_TABLE} (rowid, {', '.join(FTS_COLUMNS)})"  # noqa: S608
            " VALUES (%s, %s, %s, %s, %s)",
            [entry.fts_row() for entry in entries],
        )


def search_entry_insert_value(entry: SearchEntry, *, using: str = "default") -> RawSQL | None:
    """The entry as the value of a new ticket's `search_vector`, so that the ticket's own
    INSERT writes it (PostgreSQL); None on SQLite, whose entries live in the FTS table:
    there `search_entries_write` follows the insert."""
    if not _is_postgres(using):
        return None
    return RawSQL("%s::tsvector", [entry.tsvector()])


def search_add_message(ticket_id: int, body: str) -> None:
    """A message was written on the ticket: its words become searchable at once."""
    with connection.cursor() as cursor:
        if _is_postgres():
            words = textsearch.tsvector([("D", body)])
            if not words:
                return
            cursor.execute(
                f"UPDATE {TICKET_TABLE} SET search_vector ="  # noqa: S608
                " coalesce(search_vector, ''::tsvector) || %s::tsvector WHERE id = %s",
                [words, ticket_id],
            )
            return
        cursor.execute(
            f"UPDATE {FTS_TABLE} SET messages = trim(messages || ' ' || %s)"  # noqa: S608
            " WHERE rowid = %s",
            [textsearch.joined(body), ticket_id],
        )


def search_rebuild(*, batch_size: int = 2000, using: str = "default") -> int:
    """Write every ticket's entry again (after a change of the rules in lib/textsearch)."""
    done = 0
    last = 0
    while True:
        tickets = list(
            Ticket.objects.using(using)
            .filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "number", "title", "code", "error_code", "description")[:batch_size]
        )
        if not tickets:
            return done
        bodies: dict[int, list[str]] = {}
        for ticket_id, body in (
            Message.objects.using(using)
            .filter(ticket_id__in=[t.pk for t in tickets])
            .order_by("ticket_id", "created_at", "id")
            .values_list("ticket_id", "body")
        ):
            bodies.setdefault(ticket_id, []).append(body)
        search_entries_write(
            [SearchEntry.of(t, bodies.get(t.pk, ())) for t in tickets], using=using
        )
        done += len(tickets)
        last = tickets[-1].pk


# --- Reading -------------------------------------------------------------------------


def search_filter(
    tickets: QuerySet[Ticket], text: str, *, title_only: bool = False
) -> QuerySet[Ticket]:
    """The tickets of `tickets` in which every word of `text` occurs (as a prefix).

    `title_only`: the words must occur in the title. A text without any word finds
    nothing.
    """
    terms = textsearch.query_words(text)
    if not terms:
        return tickets.none()
    if _is_postgres(tickets.db):
        query = SearchQuery(
            textsearch.tsquery(terms, weights="A" if title_only else ""),
            config="simple",
            search_type="raw",
        )
        return tickets.filter(search_vector=query)
    match = textsearch.fts5_query(terms, column="title" if title_only else "")
    return tickets.filter(
        id__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match])  # noqa: S608, S611
    )


def search_match_count(found: QuerySet[Ticket]) -> int:
    """The number of matches up to RELEVANCE_LIMIT, or RELEVANCE_LIMIT + 1 (bounded).

    Counted newest first: for a common word PostgreSQL then walks the date index and
    stops at the limit (a few hundred rows, the same at any table size) instead of
    building the GIN bitmap of every match; for a rare word it still uses the GIN index.
    """
    return found.order_by("-created_at", "-id").values("pk")[: RELEVANCE_LIMIT + 1].count()


def search_ranked(
    found: QuerySet[Ticket], text: str, *, match_count: int | None = None
) -> QuerySet[Ticket]:
    """Tickets found by `search_filter(…, text)`, best match first, then newest.

    The rank is annotated as `search_rank` (higher is better). Beyond RELEVANCE_LIMIT
    matches the order is newest first. `match_count`: `search_match_count(found)` when
    the caller has it already (a page shows it).
    """
    terms = textsearch.query_words(text)
    if match_count is None:
        match_count = search_match_count(found)
    if not terms or match_count > RELEVANCE_LIMIT:
        return found.order_by("-created_at", "-id")
    rank: SearchRank | RawSQL
    if _is_postgres(found.db):
        query = SearchQuery(textsearch.tsquery(terms), config="simple", search_type="raw")
        rank = SearchRank(F("search_vector"), query, weights=PG_WEIGHTS)
    else:
        weights = ", ".join(str(w) for w in PART_WEIGHTS)
        # The table and weights are constants; the query is a parameter.
        rank = RawSQL(  # noqa: S611
            f"(SELECT -bm25({FTS_TABLE}, {weights}) FROM {FTS_TABLE}"  # noqa: S608
            f" WHERE {FTS_TABLE} MATCH %s AND {FTS_TABLE}.rowid = {TICKET_TABLE}.id)",
            [textsearch.fts5_query(terms)],
            output_field=FloatField(),
        )
    return found.annotate(search_rank=rank).order_by("-search_rank", "-created_at", "-id")


# --- Schema (used by the migration) ------------------------------------------------------


@dataclass(frozen=True)
class FulltextSchema:
    """A full-text index in this module's two shapes: on PostgreSQL a GIN index
    `gin_index` over `table.search_vector`, on SQLite the FTS5 table `fts_table` (rowid =
    the row's id). The knowledge base's articles use one too."""

    table: str
    gin_index: str
    fts_table: str
    columns: tuple[str, ...]

    def create(self, schema_editor: object) -> None:
        connection = schema_editor.connection  # type: ignore[attr-defined]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {self.gin_index} ON {self.table}"
                    " USING gin (search_vector)"
                )
            else:
                cursor.execute(
                    f"CREATE VIRTUAL TABLE IF NOT EXISTS {self.fts_table} USING fts5("
                    f"{', '.join(self.columns)}, tokenize = 'unicode61 remove_diacritics 2',"
                    " prefix = '2 3 4')"
                )

    def drop(self, schema_editor: object) -> None:
        connection = schema_editor.connection  # type: ignore[attr-defined]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP INDEX IF EXISTS {self.gin_index}")
            else:
                cursor.execute(f"DROP TABLE IF EXISTS {self.fts_table}")


SCHEMA = FulltextSchema(TICKET_TABLE, "ticket_search_vector", FTS_TABLE, FTS_COLUMNS)


def search_schema_create(schema_editor: object) -> None:
    SCHEMA.create(schema_editor)


def search_schema_drop(schema_editor: object) -> None:
    SCHEMA.drop(schema_editor)
