"""Replaying a ticket's recorded history through the lifecycle (shared by the tests of
real tickets and of generated ones)."""

from collections.abc import Iterable
from typing import Protocol

from tickets.lifecycle import TRANSITIONS, check_transition, target_status
from tickets.models import EventKind
from tickets.services import EVENT_OF_ACTION

# The transitions each action may make, and all of them together (derived, not restated).
LEGAL: dict[str, frozenset[tuple[str, str]]] = {
    action: frozenset((source, target or source) for source in sources)
    for action, (sources, target) in TRANSITIONS.items()
}
LEGAL_ANY = frozenset().union(*LEGAL.values())
# Events that do not change the ticket itself: they do not count as a revision.
NON_REVISION_EVENTS = frozenset({EventKind.CREATED, EventKind.NOTED})
# Which action each event records (the services' map, read backwards).
ACTION_OF_EVENT = {kind: action for action, kind in EVENT_OF_ACTION.items()}


class RecordedEvent(Protocol):
    kind: str
    from_status: str
    to_status: str


def replayed_status(events: Iterable[RecordedEvent]) -> str:
    """The status a history (in the order it is read) leads to, through legal changes only.

    Each recorded change starts where the previous one ended and is one that
    `TRANSITIONS` allows; the event of an action was recorded from a status that allows
    the action, and leads where `target_status` says.
    """
    replayed = ""
    for event in events:
        action = ACTION_OF_EVENT.get(event.kind)
        if action is not None and replayed:
            check_transition(action, replayed)
            assert (event.to_status or replayed) == target_status(action, replayed), event.kind
        if event.to_status:
            if replayed:
                assert event.from_status == replayed
                assert (event.from_status, event.to_status) in LEGAL_ANY
            replayed = event.to_status
    return replayed
