"""`manage.py generate_tickets`: a realistic, deterministic synthetic data set (issue 8)."""

import io
import re
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.urls import reverse

from accounts.models import User
from lib.synthetic import VOCABULARY
from tickets.lifecycle import TRANSITIONS
from tickets.models import (
    Attachment,
    EventKind,
    Message,
    Rating,
    Status,
    Ticket,
    TicketEvent,
    TicketSequence,
)

N = 300
END = "2026-01-15"
NUMBER = re.compile(r"^[A-Z]+-\d{8}-\d{5}$")


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def generate(seed: int = 4, tickets: int = N) -> str:
    out = io.StringIO()
    call_command("generate_tickets", tickets=tickets, seed=seed, batch=70, end=END, stdout=out)
    return out.getvalue()


def fingerprint() -> list[tuple]:
    return list(
        Ticket.objects.order_by("number")
        .annotate(m=Count("messages", distinct=True), e=Count("events", distinct=True))
        .values_list(
            "number", "title", "status", "priority", "reporter__username", "created_at", "m", "e"
        )
    )


@pytest.fixture
def generated(db, reference):
    generate()


def test_it_writes_tickets_with_their_history(generated):
    assert Ticket.objects.count() == N
    assert all(NUMBER.match(n) for n in Ticket.objects.values_list("number", flat=True))
    average = Message.objects.count() / N
    assert 3.5 < average < 6.5
    assert Attachment.objects.exists() and Rating.objects.exists()
    statuses = Counter(Ticket.objects.values_list("status", flat=True))
    assert statuses[Status.CLOSED] > N / 2
    assert set(statuses) >= {Status.CLOSED, Status.FORCE_CLOSED, Status.IN_PROGRESS}
    assert Ticket.objects.values("application").distinct().count() >= 4
    assert Ticket.objects.values("lpse").distinct().count() >= 5
    closed = Ticket.objects.filter(status__in=[Status.CLOSED, Status.FORCE_CLOSED])
    assert 0.3 < Rating.objects.count() / closed.count() < 0.7
    # Attachment rows name files following the storage pattern (no files written).
    attachment = Attachment.objects.select_related("ticket").first()
    assert attachment is not None
    assert attachment.file.name.startswith("lampiran/")
    assert f"{attachment.ticket.number}_{attachment.sequence:02d}_" in attachment.file.name
    # The daily sequences moved past the numbers given: the app continues after them.
    for number in Ticket.objects.values_list("number", flat=True)[:20]:
        app, day, value = number.split("-")
        sequence = TicketSequence.objects.get(
            application_code=app, day=f"{day[:4]}-{day[4:6]}-{day[6:]}"
        )
        assert sequence.last_value >= int(value)


def test_every_ticket_follows_a_legal_status_path(generated):
    allowed = {
        (source, target)
        for sources, target in TRANSITIONS.values()
        if target is not None
        for source in sources
        if source != target
    }
    events = TicketEvent.objects.order_by("ticket_id", "created_at", "id").values_list(
        "ticket_id", "kind", "from_status", "to_status", "created_at"
    )
    by_ticket: dict[int, list] = {}
    for ticket_id, *rest in events:
        by_ticket.setdefault(ticket_id, []).append(rest)
    tickets = dict(Ticket.objects.values_list("id", "status"))
    assert set(by_ticket) == set(tickets)
    for ticket_id, rows in by_ticket.items():
        kind, source, target, _at = rows[0]
        assert (kind, source, target) == (EventKind.CREATED, "", Status.NEW)
        status = Status.NEW
        for kind, source, target, _at in rows[1:]:
            if target:
                assert source == status, (ticket_id, kind)
                assert (source, target) in allowed, (ticket_id, kind, source, target)
                status = target
        assert status == tickets[ticket_id]


def test_internal_notes_do_not_move_the_reporters_stamp(generated):
    # As in the services: a ticket whose last change was an internal note shows the
    # reporter the time of the change before it
    rows = list(Ticket.objects.values_list("id", "public_updated_at", "updated_at"))
    assert all(public <= updated for _id, public, updated in rows)
    hidden = {ticket_id: updated for ticket_id, public, updated in rows if public < updated}
    assert hidden and len(hidden) < len(rows)
    for ticket_id, updated in hidden.items():
        last = TicketEvent.objects.get(ticket_id=ticket_id, created_at=updated)
        assert last.is_internal, ticket_id


def test_sla_columns_match_the_status(generated):
    running = Ticket.objects.filter(status__in=[Status.NEW, Status.IN_PROGRESS])
    assert running.exists()
    assert not running.filter(resolution_due_at__isnull=True).exists()
    assert (
        not Ticket.objects.exclude(status__in=[Status.NEW, Status.IN_PROGRESS])
        .filter(next_due_at__isnull=False)
        .exists()
    )
    answered = Ticket.objects.exclude(status=Status.NEW)
    assert answered.filter(first_response_at__isnull=False).exists()
    paused = Ticket.objects.filter(status=Status.AWAITING_FEEDBACK).first()
    if paused is not None:
        assert paused.sla_pauses[-1][1] is None


def test_reporters_are_capped_and_mostly_occasional(generated):
    counts = list(
        User.objects.filter(source_user_id__startswith="syn4-")
        .annotate(n=Count("tickets"))
        .values_list("n", flat=True)
    )
    assert max(counts) <= 2000
    assert sum(1 for c in counts if c <= 5) / len(counts) > 0.6


def test_words_have_a_skewed_frequency(generated):
    documents = [
        set(re.findall(r"[a-z]+", f"{title} {description}".lower()))
        for title, description in Ticket.objects.values_list("title", "description")
    ]
    containing = Counter(word for document in documents for word in document)
    top = containing.most_common(1)[0]
    assert top[1] / N > 0.8
    rare = sum(1 for word in VOCABULARY if containing[word] < 0.01 * N)
    assert rare / len(VOCABULARY) > 0.5


def test_same_seed_gives_the_same_data(generated):
    first = fingerprint()
    # Remove the generated tickets (and their numbers), then generate again.
    Ticket.objects.all().delete()
    TicketSequence.objects.all().delete()
    generate()
    assert fingerprint() == first


def test_a_seed_is_not_generated_twice_but_another_seed_adds(generated):
    with pytest.raises(CommandError):
        generate()
    generate(seed=5, tickets=50)
    assert Ticket.objects.count() == N + 50
    numbers = list(Ticket.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))


def test_the_console_reads_the_generated_data(generated, client, supervisor):
    client.force_login(supervisor)
    response = client.get(reverse("console:queue"))
    assert response.status_code == 200
    ticket = Ticket.objects.filter(status=Status.CLOSED).first()
    assert ticket is not None
    detail = client.get(reverse("console:ticket_detail", args=[ticket.number]))
    assert detail.status_code == 200
