"""Writing generated tickets in batches (COPY on PostgreSQL), and a whole run."""

import datetime
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction

from accounts.models import ROLES_BY_SOURCE, User
from reference.models import Application
from reference.services import reference_seed
from sla.calendars import CalendarBook
from sla.models import SlaPolicy
from sla.seed import sla_seed
from tickets.facts import fact_values
from tickets.models import (
    Attachment,
    Message,
    Rating,
    Ticket,
    TicketEvent,
    TicketFact,
    TicketSequence,
)
from tickets.search import SearchEntry, search_entries_write, ticket_codes
from tickets.synthetic.story import Generator, Head, TicketRows
from tickets.synthetic.world import Context, ReporterPlan, staff_ensure


class BulkWriter:
    """Rows into tables without the ORM's per-object work: COPY on PostgreSQL."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.next_id: dict[type[models.Model], int] = {}
        self.counts: dict[str, int] = defaultdict(int)

    def reserve(self, model: type[models.Model], count: int) -> int:
        """The first of `count` fresh ids of the model's table."""
        if count == 0:
            return 0
        table = model._meta.db_table
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'),"
                    " nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
                    [table, table, count],
                )
                last = cursor.fetchone()[0]
            return int(last) - count + 1
        if model not in self.next_id:
            top = model._default_manager.aggregate(m=models.Max("id"))["m"] or 0
            self.next_id[model] = top + 1
        first = self.next_id[model]
        self.next_id[model] += count
        return first

    def write(self, model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        fields = [by_attname[name] for name in rows[0]]
        given = {f.attname for f in fields}
        # Fields not given take their default; an auto primary key is left to the table.
        rest = [
            f for f in model._meta.concrete_fields if f.attname not in given and not f.primary_key
        ]
        columns = [f.column for f in fields] + [f.column for f in rest]
        tail = [f.get_default() for f in rest]
        table = connection.ops.quote_name(model._meta.db_table)
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        self.counts[model._meta.label] += len(rows)
        if self.postgres:
            self._copy(table, quoted, fields, rows, rest, tail)
            return
        all_fields = fields + rest
        params = [
            [
                f.get_db_prep_save(v, connection)
                for f, v in zip(all_fields, [*row.values(), *tail], strict=True)
            ]
            for row in rows
        ]
        placeholders = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            # Table and column names come from the models, values are parameters.
            sql = f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})"  # noqa: S608
            cursor.executemany(sql, params)

    def _copy(
        self,
        table: str,
        quoted: str,
        fields: list[Any],
        rows: Sequence[dict[str, Any]],
        rest: list[Any],
        tail: list[Any],
    ) -> None:
        json_at = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
        tail = [
            json.dumps(v) if isinstance(f, models.JSONField) else v
            for f, v in zip(rest, tail, strict=True)
        ]
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy,
        ):
            for row in rows:
                values = list(row.values())
                for i in json_at:
                    values[i] = json.dumps(values[i], ensure_ascii=False)
                copy.write_row(values + tail)


def numbers_assign(heads: list[Head]) -> None:
    """Take the numbers of a batch from the daily sequences (rows locked till commit)."""
    keys = {(h.app.code, h.day) for h in heads}
    TicketSequence.objects.bulk_create(
        [TicketSequence(application_code=a, day=d) for a, d in keys], ignore_conflicts=True
    )
    days = {d for _, d in keys}
    sequences = {
        (s.application_code, s.day): s
        for s in TicketSequence.objects.select_for_update().filter(
            application_code__in={a for a, _ in keys}, day__in=days
        )
    }
    for h in heads:
        sequence = sequences[(h.app.code, h.day)]
        sequence.last_value += 1
        h.number = f"{h.app.code}-{h.day:%Y%m%d}-{sequence.last_value:05d}"
    TicketSequence.objects.bulk_update(
        [sequences[k] for k in keys], ["last_value"], batch_size=1000
    )


def _reporter_row(plan: ReporterPlan, pk: int, when: datetime.datetime) -> dict[str, Any]:
    assert plan.role in ROLES_BY_SOURCE[plan.source]
    return {
        "id": pk,
        "password": "!synthetic",
        "username": f"{plan.source}-{plan.kd_lpse}-{plan.user_id}",
        "email": plan.email,
        "date_joined": when,
        "full_name": plan.name,
        "instansi": plan.instansi,
        "role": plan.role,
        "source": plan.source,
        "source_lpse": plan.kd_lpse,
        "source_user_id": plan.user_id,
        "lpse_id": plan.lpse_id,
    }


def reporters_write(generator: Generator, writer: BulkWriter, when: datetime.datetime) -> None:
    """Create the reporters that do not exist yet; remember every reporter's id."""
    plans = generator.reporters
    prefix = f"syn{generator.seed}-"
    existing = dict(
        User.objects.filter(source_user_id__startswith=prefix).values_list("source_user_id", "id")
    )
    missing = [p for p in plans if p.user_id not in existing]
    for start in range(0, len(missing), 20_000):
        chunk = missing[start : start + 20_000]
        first = writer.reserve(User, len(chunk))
        rows = []
        for offset, plan in enumerate(chunk):
            existing[plan.user_id] = first + offset
            rows.append(_reporter_row(plan, first + offset, when))
        with transaction.atomic():
            writer.write(User, rows)
    generator.reporter_ids = [existing[p.user_id] for p in plans]


@dataclass
class BatchRows:
    """The rows of a batch of tickets, with their database ids in place."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    ratings: list[dict[str, Any]] = field(default_factory=list)
    rating_categories: list[dict[str, Any]] = field(default_factory=list)

    def add(self, made: TicketRows, first_message: int, rating_id: int) -> None:
        ticket_id = made.ticket["id"]
        ids = list(range(first_message, first_message + len(made.messages)))
        for pk, row in zip(ids, made.messages, strict=True):
            self.messages.append({"id": pk, "ticket_id": ticket_id, **row})
        for row in made.events:
            data = row["data"]
            if "message" in data:
                data["message"] = ids[data["message"]]
            self.events.append({"ticket_id": row.pop("ticket_id", ticket_id), **row})
        for row in made.attachments:
            local = row.pop("message")
            message_id = None if local is None else ids[local]
            self.attachments.append({"ticket_id": ticket_id, "message_id": message_id, **row})
        if made.rating is not None:
            self.ratings.append({"id": rating_id, "ticket_id": ticket_id, **made.rating})
            self.rating_categories += [
                {"rating_id": rating_id, "ratingcategory_id": cid} for cid in made.rating_categories
            ]


def fact_row(generator: Generator, head: Head, made: TicketRows) -> dict[str, Any]:
    """The report fact of a generated ticket, from its rows in memory (tickets/facts.py),
    as the clocks stand at the period's end: what a rebuild at that moment writes."""
    # Its own events (not the other side of a merge), in the order the database gives.
    events = sorted((e for e in made.events if "ticket_id" not in e), key=lambda e: e["created_at"])
    return fact_values(
        made.ticket,
        events,
        made.rating,
        tz_name=head.lpse[3],
        book=generator.book,
        now=generator.end_at,
    )


def batch_write(generator: Generator, writer: BulkWriter, start: int, stop: int) -> None:
    heads = [generator.head(i) for i in range(start, stop)]
    with transaction.atomic():
        numbers_assign(heads)
        first_ticket = writer.reserve(Ticket, len(heads))
        made = [generator.rows(h, first_ticket + n) for n, h in enumerate(heads)]
        facts = [fact_row(generator, h, m) for h, m in zip(heads, made, strict=True)]
        message_id = writer.reserve(Message, sum(len(m.messages) for m in made))
        rating_id = writer.reserve(Rating, sum(m.rating is not None for m in made))
        rows = BatchRows()
        for m in made:
            rows.add(m, message_id, rating_id)
            message_id += len(m.messages)
            rating_id += m.rating is not None
        # What the tickets are found by (tickets/search.py), written with them.
        entries = [
            SearchEntry(
                ticket_id=m.ticket["id"],
                title=m.ticket["title"],
                codes=ticket_codes(m.ticket["number"], m.ticket["code"], m.ticket["error_code"]),
                description=m.ticket["description"],
                messages=tuple(row["body"] for row in m.messages),
            )
            for m in made
        ]
        tickets = [m.ticket for m in made]
        if writer.postgres:
            for t, entry in zip(tickets, entries, strict=True):
                t["search_vector"] = entry.tsvector()
        writer.write(Ticket, tickets)
        if not writer.postgres:
            search_entries_write(entries)
        writer.write(Message, rows.messages)
        writer.write(TicketEvent, rows.events)
        writer.write(Attachment, rows.attachments)
        writer.write(Rating, rows.ratings)
        writer.write(Rating.categories.through, rows.rating_categories)
        writer.write(TicketFact, facts)


# --- A run ----------------------------------------------------------------------------


class SyntheticError(Exception):
    """The data set cannot be generated as asked."""


class SyntheticRun:
    """One generation: reference data, staff and reporters first, then batches of tickets."""

    def __init__(
        self,
        *,
        tickets: int,
        seed: int,
        end: datetime.datetime,
        days: int = 730,
        batch: int = 5000,
        open_only: Sequence[tuple[str, float]] = (),
    ) -> None:
        """Prepare (seeding the reference data and SLA policies if the database has none)
        and write the reporters; `open_only` keeps every ticket open (see `Generator`)."""
        if not Application.objects.exists():
            reference_seed()
        if not SlaPolicy.objects.exists():
            sla_seed()
        if Ticket.objects.filter(reporter__source_user_id__startswith=f"syn{seed}-").exists():
            raise SyntheticError(
                f"tickets of seed {seed} exist already; choose another --seed to add more"
            )
        context = Context.load()
        if not context.apps or not context.lpses:
            raise SyntheticError("no applications or LPSE instances to spread tickets over")
        staff_ensure(context)
        self.total, self.batch = tickets, max(1, batch)
        self.generator = Generator(
            seed=seed,
            total=tickets,
            context=context,
            end=end,
            days=days,
            book=CalendarBook.load(),
            open_only=open_only,
        )
        self.writer = BulkWriter()
        reporters_write(self.generator, self.writer, end - datetime.timedelta(days=days))

    @property
    def reporter_count(self) -> int:
        return len(self.generator.reporters)

    def batches(self) -> Iterator[int]:
        """Write the tickets batch by batch; yields how many are written so far."""
        for start in range(0, self.total, self.batch):
            stop = min(self.total, start + self.batch)
            batch_write(self.generator, self.writer, start, stop)
            yield stop

    def finish(self) -> dict[str, int]:
        """Statistics for the planner; the number of rows written per model."""
        if self.writer.postgres:
            with connection.cursor() as cursor:
                for model in (Ticket, Message, TicketEvent, Attachment, Rating, TicketFact, User):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        return dict(self.writer.counts)
