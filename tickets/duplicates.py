"""Kemungkinan duplikat (issue 18): open tickets that may be about the same problem.

Candidates are the open tickets the staff member sees (`tickets_visible_to`, the one
rule) of the same reporter, or in the same LPSE about the same category or the same
code; the newest `CANDIDATE_LIMIT` of them are compared with the ticket by the words
their titles and descriptions share (`lib.similar`). Shown: those at least
`MIN_SIMILARITY` alike (a shared code counts as `CODE_BONUS` more), most alike first.
One statement for the candidates whatever the size of the table (an index on the
reporter, and on the LPSE with the status, narrows them; the limit bounds the rest).

*Insiden terbuka yang cocok*: the open, unresolved incidents (tickets others are linked
to) of the ticket's application that the staff member sees, in any LPSE (SPSE down is
everybody's problem), alike by text, code or category; so a new ticket about a known
incident is linked at once. One statement over a partial index of the few incidents.
"""

from dataclasses import dataclass

from django.db.models import Q

from accounts.models import User
from lib.similar import score, word_keys
from tickets.access import tickets_visible_to
from tickets.lifecycle import UNANSWERED_STATUSES
from tickets.models import OPEN_STATUSES, Ticket

CANDIDATE_LIMIT = 200
SHOWN = 5
MIN_SIMILARITY = 0.3
CODE_BONUS = 0.25
CATEGORY_BONUS = 0.15
# Open incidents compared with a ticket (there are a handful at any time).
INCIDENT_LIMIT = 50
INCIDENTS_SHOWN = 3


@dataclass(frozen=True)
class PossibleDuplicate:
    ticket: Ticket
    # How alike the two texts are (`lib.similar.score`, 0–1), without the code bonus.
    similarity: float
    same_reporter: bool
    same_code: bool
    same_category: bool

    @property
    def score(self) -> float:
        return self.similarity + (CODE_BONUS if self.same_code else 0.0)

    @property
    def percent(self) -> int:
        return round(100 * self.similarity)


def _text(ticket: Ticket) -> str:
    return f"{ticket.title} {ticket.description}"


def possible_duplicates(
    user: User, ticket: Ticket, *, limit: int = SHOWN
) -> list[PossibleDuplicate]:
    """The open tickets `user` sees that look like `ticket`, most alike first."""
    related = Q(reporter_id=ticket.reporter_id) | Q(
        lpse_id=ticket.lpse_id, category_id=ticket.category_id
    )
    if ticket.code:
        related |= Q(lpse_id=ticket.lpse_id, code_kind=ticket.code_kind, code=ticket.code)
    candidates = (
        tickets_visible_to(user)
        .filter(related, status__in=OPEN_STATUSES)
        .exclude(pk=ticket.pk)
        .only(
            "pk",
            "number",
            "title",
            "description",
            "status",
            "reporter_id",
            "lpse_id",
            "category_id",
            "code_kind",
            "code",
            "created_at",
            "incident_id",
            "is_incident",
        )
        .order_by("-created_at", "-id")[:CANDIDATE_LIMIT]
    )
    keys = word_keys(_text(ticket))
    found = []
    for other in candidates:
        same_code = bool(ticket.code) and (other.code_kind, other.code) == (
            ticket.code_kind,
            ticket.code,
        )
        similar = PossibleDuplicate(
            ticket=other,
            similarity=score(keys, word_keys(_text(other))),
            same_reporter=other.reporter_id == ticket.reporter_id,
            same_code=same_code and other.lpse_id == ticket.lpse_id,
            same_category=other.category_id == ticket.category_id,
        )
        if similar.score >= MIN_SIMILARITY:
            found.append(similar)
    found.sort(key=lambda d: (-d.score, -d.ticket.created_at.timestamp(), -d.ticket.pk))
    return found[:limit]


@dataclass(frozen=True)
class MatchingIncident:
    ticket: Ticket
    similarity: float
    same_code: bool
    same_category: bool

    @property
    def score(self) -> float:
        return (
            self.similarity
            + (CODE_BONUS if self.same_code else 0.0)
            + (CATEGORY_BONUS if self.same_category else 0.0)
        )

    @property
    def percent(self) -> int:
        return round(100 * self.similarity)


def matching_incidents(
    user: User, ticket: Ticket, *, limit: int = INCIDENTS_SHOWN
) -> list[MatchingIncident]:
    """The open incidents `user` sees that `ticket` may belong to, most alike first
    (none for a ticket that is an incident or is linked to one already)."""
    if ticket.is_incident or ticket.incident_id is not None:
        return []
    incidents = (
        tickets_visible_to(user)
        .filter(
            is_incident=True,
            application_id=ticket.application_id,
            status__in=UNANSWERED_STATUSES,
        )
        .exclude(pk=ticket.pk)
        .only("pk", "number", "title", "description", "status", "category_id", "code_kind", "code")
        .order_by("-created_at", "-id")[:INCIDENT_LIMIT]
    )
    keys = word_keys(_text(ticket))
    found = []
    for incident in incidents:
        match = MatchingIncident(
            ticket=incident,
            similarity=score(keys, word_keys(_text(incident))),
            same_code=bool(ticket.code)
            and (incident.code_kind, incident.code) == (ticket.code_kind, ticket.code),
            same_category=incident.category_id == ticket.category_id,
        )
        if match.score >= MIN_SIMILARITY:
            found.append(match)
    found.sort(key=lambda m: (-m.score, m.ticket.number))
    return found[:limit]
