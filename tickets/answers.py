"""Jawaban yang mungkin (issue 18): how tickets like this one were resolved.

The resolved tickets the staff member sees (`tickets_visible_to`, the one rule) of the
same application and category, the newest `CANDIDATE_LIMIT` by their resolution, are
compared with the ticket by the words their titles and descriptions share
(`lib.similar`); the most alike (from `MIN_SIMILARITY`) come with the text of their
latest public resolution (never an internal note), for the agent to insert into a reply.
Two statements whatever the size of the table.
"""

from dataclasses import dataclass

from accounts.models import User
from lib.similar import score, word_keys
from tickets.access import tickets_visible_to
from tickets.models import Message, MessageKind, Ticket

CANDIDATE_LIMIT = 200
SHOWN = 3
MIN_SIMILARITY = 0.25


@dataclass(frozen=True)
class PastResolution:
    ticket: Ticket
    similarity: float  # how alike the two texts are (`lib.similar.score`, 0–1)
    body: str  # the text of its latest public resolution

    @property
    def percent(self) -> int:
        return round(100 * self.similarity)


def _keys(ticket: Ticket) -> frozenset[str]:
    return word_keys(f"{ticket.title} {ticket.description}")


def past_resolutions(user: User, ticket: Ticket, *, limit: int = SHOWN) -> list[PastResolution]:
    """The resolutions of the resolved tickets most like `ticket` that `user` sees."""
    candidates = (
        tickets_visible_to(user)
        .filter(
            application_id=ticket.application_id,
            category_id=ticket.category_id,
            resolved_at__isnull=False,
        )
        .exclude(pk=ticket.pk)
        .only("pk", "number", "title", "description", "resolved_at")
        .order_by("-resolved_at", "-id")[:CANDIDATE_LIMIT]
    )
    keys = _keys(ticket)
    scored = [(score(keys, _keys(other)), other) for other in candidates]
    best = sorted(
        ((alike, other) for alike, other in scored if alike >= MIN_SIMILARITY),
        key=lambda pair: (-pair[0], -pair[1].pk),
    )[: limit * 2]  # a resolution may have been an internal-only step: spare ones
    if not best:
        return []
    bodies: dict[int, str] = {}
    for ticket_id, body in (
        Message.objects.filter(
            ticket_id__in=[other.pk for _alike, other in best],
            kind=MessageKind.RESOLUTION,
            is_internal=False,
        )
        .order_by("ticket_id", "-created_at", "-id")
        .values_list("ticket_id", "body")
    ):
        bodies.setdefault(ticket_id, body)
    return [
        PastResolution(ticket=other, similarity=alike, body=bodies[other.pk])
        for alike, other in best
        if other.pk in bodies
    ][:limit]
