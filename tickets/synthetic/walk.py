"""A ticket's story as a random walk through the lifecycle (`TRANSITIONS`)."""

import functools
import random
from dataclasses import dataclass

from lib.synthetic import cumulative, weighted_index
from tickets.lifecycle import STAFF_ACTIONS, TRANSITIONS, Action, check_transition, target_status
from tickets.models import OPEN_STATUSES, Status

# The actions that close a ticket (derived from the lifecycle, not restated).
ENDINGS = frozenset(
    action
    for action, (_sources, target) in TRANSITIONS.items()
    if target is not None and target not in OPEN_STATUSES
)
# Where a story goes, drawn first: a ticket still open is cut at one of these statuses...
OPEN_MIX: tuple[tuple[str, float], ...] = (
    (Status.NEW, 20),
    (Status.IN_PROGRESS, 45),
    (Status.AWAITING_FEEDBACK, 17),
    (Status.AWAITING_CONFIRMATION, 18),
)
# ...and every story ends with one of the actions that close a ticket.
CLOSED_MIX: tuple[tuple[str, float], ...] = (
    (Action.CONFIRM, 58),
    (Action.AUTO_CLOSE, 22),
    (Action.FORCE_CLOSE, 16),
    (Action.MERGE, 4),
)
# How often people take each action when the lifecycle and the access rules leave it
# to them (relative weights). Actions missing here are not generated; the rating is
# drawn once the story has ended.
HABITS: dict[str, float] = {
    Action.TAKE: 8.0,
    Action.ASSIGN: 2.0,
    Action.REPLY: 1.8,
    Action.NOTE: 0.28,
    Action.REQUEST_FEEDBACK: 0.85,
    Action.RESOLVE: 1.0,
    Action.ESCALATE: 0.28,  # at tier 1; see TIER_HABITS
    Action.RETURN: 0.12,
    Action.GIVE_FEEDBACK: 10.0,
    Action.REOPEN: 0.4,
    Action.CONFIRM: 10.0,
    Action.AUTO_CLOSE: 10.0,
    Action.FORCE_CLOSE: 0.7,
    Action.MERGE: 8.0,
}
# Where the weight depends on the tier: tier 2 sends on a quarter of what it holds to the
# technical team (about 20 % of tickets reach tier 2, 5 % tier 3).
TIER_HABITS: dict[tuple[str, int], float] = {(Action.ESCALATE, 2): 0.45}
# A ticket still open was last touched by an internal note (staff coordinating while
# it waits) this often.
OPEN_NOTE_CHANCE = 0.3
# Hours between an action and the one before it: log-uniform between the two.
GAP_HOURS: dict[str, tuple[float, float]] = {
    Action.TAKE: (0.05, 6),
    Action.ASSIGN: (0.05, 6),
    Action.REPLY: (0.2, 20),
    Action.NOTE: (0.1, 8),
    Action.REQUEST_FEEDBACK: (0.2, 12),
    Action.GIVE_FEEDBACK: (0.5, 48),
    Action.ESCALATE: (0.5, 24),
    Action.RETURN: (1, 24),
    Action.RESOLVE: (0.5, 48),
    Action.REOPEN: (1, 48),
    Action.CONFIRM: (0.5, 48),
    Action.AUTO_CLOSE: (72, 120),
    Action.FORCE_CLOSE: (1, 96),
    Action.MERGE: (0.1, 12),
}


@dataclass(frozen=True)
class Outcome:
    """Where a story goes: the action that closes the ticket, and for a ticket still open
    at the end of the period, the status its story is cut at."""

    ending: str
    stop_at: str = ""


@dataclass(frozen=True)
class Step:
    """One action of a story, with where it led."""

    action: str
    before: str  # the status it was taken from
    after: str  # target_status(action, before)
    tier: int  # the ticket's tier afterwards
    held: bool  # whether somebody holds the ticket afterwards


def _position_allows(action: str, *, held: bool, tier: int) -> bool:
    """The access rules the generated staff keep (tickets/access.py): a ticket nobody
    holds is taken or assigned first, otherwise its holder acts; tier 3 is the top."""
    if action in (Action.TAKE, Action.ASSIGN):
        return not held
    if action in STAFF_ACTIONS and action not in (Action.NOTE, Action.MERGE):
        if action == Action.RETURN:
            return held and tier > 1
        return held and (action != Action.ESCALATE or tier < 3)
    return True


def _position_after(action: str, *, held: bool, tier: int) -> tuple[bool, int]:
    """Who holds the ticket and at which tier after the action (as the services set it;
    a reopened ticket goes back to whoever resolved it, who is still its holder here)."""
    if action in (Action.TAKE, Action.ASSIGN):
        return True, tier
    if action == Action.ESCALATE:
        return False, tier + 1
    if action == Action.RETURN:
        return False, tier - 1
    return held, tier


@functools.cache
def _choices(
    status: str, held: bool, tier: int, ending: str
) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """The actions open from this position (the lifecycle's and the access rules' say),
    closing actions other than `ending` left out; with their cumulative weights."""
    actions = tuple(
        action
        for action in HABITS
        if status in TRANSITIONS[action][0]
        and (action not in ENDINGS or action == ending)
        and _position_allows(action, held=held, tier=tier)
    )
    return actions, tuple(cumulative(TIER_HABITS.get((a, tier), HABITS[a]) for a in actions))


def story_walk(rng: random.Random, ending: str) -> list[Step]:
    """A random path through the lifecycle from `new` to the closing action `ending`."""
    status: str = Status.NEW
    held, tier = False, 1
    steps: list[Step] = []
    while True:
        actions, cum = _choices(status, held, tier, ending)
        if not actions:
            return steps  # closed: nothing is left but the rating
        action = actions[weighted_index(rng, cum)]
        check_transition(action, status)
        after = target_status(action, status)
        held, tier = _position_after(action, held=held, tier=tier)
        steps.append(Step(action, status, after, tier, held))
        status = after


def _with_note(steps: list[Step]) -> list[Step]:
    """The steps and an internal note left after them."""
    last = steps[-1] if steps else None
    status = last.after if last else Status.NEW
    tier, held = (last.tier, last.held) if last else (1, False)
    check_transition(Action.NOTE, status)
    return [*steps, Step(Action.NOTE, status, target_status(Action.NOTE, status), tier, held)]


def story_steps(rng: random.Random, outcome: Outcome) -> list[Step]:
    """The story's steps; for a ticket still open, the beginning of a story, cut where
    the ticket is at `outcome.stop_at` (at any open point if a few stories never are)."""
    steps = story_walk(rng, outcome.ending)
    if not outcome.stop_at:
        return steps
    for _attempt in range(5):
        statuses = [Status.NEW, *(step.after for step in steps[:-1])]
        cuts = [n for n, status in enumerate(statuses) if status == outcome.stop_at]
        if cuts:
            break
        steps = story_walk(rng, outcome.ending)
    else:
        cuts = list(range(len(steps)))
    steps = steps[: rng.choice(cuts)]
    return _with_note(steps) if rng.random() < OPEN_NOTE_CHANCE else steps
