"""The rows of one generated ticket: what was filed, its history, its columns."""

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from accounts.models import SignInSource
from lib.filenames import slugify_stem, split_extension
from lib.sla import Pause
from lib.synthetic import (
    ATTACHMENT_NAMES,
    ESCALATION_NOTES,
    FEEDBACK_REQUESTS,
    FEEDBACKS,
    FORCE_REASONS,
    NOTES,
    RATING_CRITICISM,
    RATING_PRAISE,
    REOPENS,
    RESOLUTIONS,
    RETURN_NOTES,
    STAFF_REPLIES,
    TENDER_STAGES,
    WordModel,
    cumulative,
    log_uniform,
    open_probability,
    ticket_text,
    ticket_times,
    weighted_index,
    zipf_weights,
)
from reference.models import CodeKind, Priority
from sla.calendars import CalendarBook
from sla.clocks import ClockInput, ClockState, pauses_to_json, sla_columns, ticket_clocks
from tickets.lifecycle import (
    EVENT_OF_ACTION,
    REPORTER_ACTIONS,
    STAFF_ACTIONS,
    Action,
    check_transition,
)
from tickets.models import CloseReason, EventKind, MessageKind, Status
from tickets.synthetic.incidents import (
    INCIDENT_EMERGENCY_SHARE,
    INCIDENT_STAGE,
    Incident,
    incidents_plan,
)
from tickets.synthetic.walk import CLOSED_MIX, GAP_HOURS, OPEN_MIX, Outcome, Step, story_steps
from tickets.synthetic.world import AppInfo, Context, LeafInfo, reporters_plan
from tickets.ticket_sla import clock_after_action

UTC = datetime.UTC
# Application weights for SPSE-source reporters (SiRUP reporters file SiRUP/Monev).
APP_WEIGHTS = {
    "SPSE": 62,
    "SIKAP": 4,
    "EPURCH": 9,
    "KATALOG": 8,
    "TOKODARING": 2,
    "SIRUP": 8,
    "MONEV": 1,
    "EPROC": 2,
    "INAPROC": 4,
}
TYPE_WEIGHTS = {"permasalahan": 85, "permintaan-layanan": 9, "usulan": 6}
PRIORITY_UP = {
    Priority.MINOR: Priority.MEDIUM,
    Priority.MEDIUM: Priority.MAJOR,
    Priority.MAJOR: Priority.MAJOR,
    Priority.EMERGENCY: Priority.EMERGENCY,
}


@dataclass
class Head:
    """What decides a ticket's number: drawn first, before its story."""

    index: int
    rng: random.Random
    created: float
    reporter: int
    lpse: tuple[int, int, str, str]
    app: AppInfo
    day: datetime.date
    number: str = ""
    incident: Incident | None = None


@dataclass
class Content:
    """What the reporter filed."""

    title: str
    description: str
    leaf: LeafInfo
    type_id: int
    code: str
    priority: str
    priority_reason: str


@dataclass
class TicketRows:
    ticket: dict[str, Any]
    messages: list[dict[str, Any]]
    events: list[dict[str, Any]]
    attachments: list[dict[str, Any]]
    rating: dict[str, Any] | None
    rating_categories: list[int]


# --- The story of one ticket ----------------------------------------------------------


@dataclass(frozen=True)
class PostPlan:
    """The message an action posts, as the service posts it."""

    kind: str
    texts: Sequence[str]
    internal: bool = False
    words: tuple[int, int] | None = None  # a random sentence after the text
    attach: float = 0.0  # chance of an attachment


POSTS: dict[str, PostPlan] = {
    Action.REPLY: PostPlan(MessageKind.REPLY, STAFF_REPLIES, words=(4, 10)),
    Action.NOTE: PostPlan(MessageKind.NOTE, NOTES, internal=True),
    Action.REQUEST_FEEDBACK: PostPlan(MessageKind.FEEDBACK_REQUEST, FEEDBACK_REQUESTS),
    Action.GIVE_FEEDBACK: PostPlan(MessageKind.FEEDBACK, FEEDBACKS, words=(4, 12), attach=0.3),
    Action.RESOLVE: PostPlan(MessageKind.RESOLUTION, RESOLUTIONS, attach=0.1),
    Action.REOPEN: PostPlan(MessageKind.REOPEN, REOPENS),
    # The escalation note is written by the tier it goes to (ESCALATION_NOTES).
    Action.ESCALATE: PostPlan(MessageKind.NOTE, (), internal=True),
    Action.RETURN: PostPlan(MessageKind.NOTE, RETURN_NOTES, internal=True),
}
# How each closing action sets the close reason (the services' `changes`).
CLOSE_REASONS: dict[str, str] = {
    Action.CONFIRM: CloseReason.CONFIRMED,
    Action.AUTO_CLOSE: CloseReason.AUTO_CLOSED,
    Action.FORCE_CLOSE: CloseReason.FORCE_CLOSED,
    Action.MERGE: CloseReason.MERGED,
}
# Chance of a rating by close reason (the access rules allow none on the others).
RATE_CHANCE: dict[str, float] = {CloseReason.CONFIRMED: 0.6, CloseReason.FORCE_CLOSED: 0.45}
# Stars drawn from these (equally likely entries): mostly 4-5 when the SLA was kept, a
# tail of 1-2 stars when a clock was missed.
STARS_KEPT = (5,) * 10 + (4,) * 6 + (3, 3, 2, 1)
STARS_MISSED = (5, 5, 4, 4, 4, 3, 3, 3, 2, 2, 2, 1, 1, 1)
COMMENT_CHANCE = 0.33
# The share of tickets that wait, and how many times slower their staff's steps come
# (log-uniform between the two), by priority: resolution targets are then met for about
# 80 % of Medium and Minor tickets and fewer of the shorter Major and Emergency targets.
SLOW_SHARE = 0.3
SLOW_PACE: dict[str, tuple[float, float]] = {
    Priority.EMERGENCY: (1.5, 4),
    Priority.MAJOR: (2, 6),
    Priority.MEDIUM: (3, 10),
    Priority.MINOR: (5, 20),
}
# Staff drop everything for an Emergency: its steps come this many times sooner.
URGENT_PACE: dict[str, float] = {Priority.EMERGENCY: 0.15}


def _moment(value: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(value, UTC)


class Story:
    """The rows of one ticket as its steps are applied at their moments, with the
    columns the services would have set."""

    def __init__(self, head: Head, *, reporter: int, words: WordModel, context: Context) -> None:
        self.rng, self.words, self.head, self.context = head.rng, words, head, context
        self.reporter = reporter
        self.lpse_id, self.group = head.lpse[0], head.app.group_code
        self.messages: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.attachments: list[dict[str, Any]] = []
        self.status: str = Status.NEW
        self.pauses: tuple[Pause, ...] = ()
        self.first_response_at: datetime.datetime | None = None
        self.holder: int | None = None
        self.tier = self.max_tier = 1
        self.revision = self.reopen_count = 0
        self.resolved_by: int | None = None
        self.resolved_at: datetime.datetime | None = None
        self.close_reason = ""
        self.closed_at: datetime.datetime | None = None
        self.merged_into: tuple[int, str] | None = None

    def attach(self, at: datetime.datetime, message: int | None, uploader: int) -> None:
        original, content_type = self.rng.choice(ATTACHMENT_NAMES)
        sequence = len(self.attachments) + 1
        stem, ext = split_extension(original)
        self.attachments.append(
            {
                "message": message,  # local index, replaced by the id
                "sequence": sequence,
                "original_name": original,
                "file": f"lampiran/{at:%Y}/{at:%m}/"
                f"{self.head.number}_{sequence:02d}_{slugify_stem(stem)}.{ext}",
                "size": int(self.rng.lognormvariate(12, 1.3)) + 100,
                "content_type": content_type,
                "uploaded_by_id": uploader,
                "created_at": at,
            }
        )

    def event(
        self,
        at: datetime.datetime,
        kind: str,
        actor: int | None,
        *,
        before: str = "",
        after: str = "",
        reason: str = "",
        internal: bool = False,
        data: dict[str, Any] | None = None,
    ) -> None:
        self.events.append(
            {
                "actor_id": actor,
                "kind": kind,
                "from_status": before,
                "to_status": after,
                "reason": reason,
                "is_internal": internal,
                "data": data or {},
                "created_at": at,
            }
        )

    def actor(self, action: str) -> int | None:
        if action == Action.AUTO_CLOSE:
            return None
        if action in REPORTER_ACTIONS:
            return self.reporter
        if self.holder is not None:
            return self.holder
        return self.rng.choice(self.context.staff_pool(self.lpse_id, self.group, self.tier))

    def post(self, step: Step, at: datetime.datetime, author: int) -> tuple[int, PostPlan] | None:
        """The message the step posts (its local index), with its attachment."""
        plan = POSTS.get(step.action)
        if plan is None:
            return None
        if step.action == Action.ESCALATE:
            body = ESCALATION_NOTES[step.tier]
        else:
            body = self.rng.choice(plan.texts)
        if plan.words is not None:
            body = f"{body} {self.words.sentence(self.rng, *plan.words)}"
        self.messages.append(
            {
                "author_id": author,
                "kind": plan.kind,
                "body": body,
                "is_internal": plan.internal,
                "created_at": at,
            }
        )
        index = len(self.messages) - 1
        if plan.attach and self.rng.random() < plan.attach:
            self.attach(at, index, author)
        return index, plan

    def apply(self, step: Step, at: datetime.datetime, merge_into: tuple[int, str] | None) -> None:
        """One step of the walk, recorded as `tickets.services._perform` records it."""
        actor = self.actor(step.action)
        posted = self.post(step, at, actor or self.reporter)
        self.pauses, self.first_response_at = clock_after_action(
            pauses=self.pauses,
            first_response_at=self.first_response_at,
            from_status=step.before,
            to_status=step.after,
            at=at,
            response_message_kind=(
                posted[1].kind if posted is not None and not posted[1].internal else None
            ),
        )
        reason, data = self.change(step, actor, at, merge_into)
        # A note changes nothing a colleague may be acting on (ticket_add_note).
        self.revision += step.action != Action.NOTE
        data["revision"] = self.revision
        if posted is not None:
            data["message"] = posted[0]  # local index, replaced by the id
        changed = step.after != step.before
        self.event(
            at,
            EVENT_OF_ACTION[step.action],
            actor,
            before=step.before if changed else "",
            after=step.after if changed else "",
            reason=reason,
            internal=step.action == Action.NOTE,
            data=data,
        )
        self.status = step.after

    def change(
        self,
        step: Step,
        actor: int | None,
        at: datetime.datetime,
        merge_into: tuple[int, str] | None,
    ) -> tuple[str, dict[str, Any]]:
        """The ticket columns the step's service changes; the event's reason and data."""
        action, reason = step.action, ""
        data: dict[str, Any] = {}
        if step.held and self.holder is None:
            self.holder = data["holder"] = actor
        elif not step.held:
            self.holder = None
        if step.tier != self.tier:
            data.update(from_tier=self.tier, to_tier=step.tier)
        self.tier, self.max_tier = step.tier, max(self.max_tier, step.tier)
        if action == Action.RESOLVE:
            self.resolved_by, self.resolved_at = actor, at
        elif action == Action.REOPEN:
            self.reopen_count, self.resolved_at = self.reopen_count + 1, None
        elif action == Action.FORCE_CLOSE:
            reason = self.rng.choice(FORCE_REASONS)
        elif action == Action.MERGE:
            assert merge_into is not None  # only a reporter with an earlier ticket merges
            self.merged_into = merge_into
            reason, data["into"] = f"Digabung ke tiket {merge_into[1]}.", merge_into[1]
        if action in CLOSE_REASONS:
            self.close_reason, self.closed_at = CLOSE_REASONS[action], at
        return reason, data


def _gap_hours(rng: random.Random, action: str) -> float:
    low, high = GAP_HOURS[action]
    return log_uniform(rng, low, high)


def _code(rng: random.Random, kind: str, kd: int) -> str:
    if kind == CodeKind.NONE or rng.random() < 0.1:
        return ""
    if kind in (CodeKind.TENDER, CodeKind.NON_TENDER):
        return f"{rng.randint(1000, 99999)}{kd:03d}"
    if kind == CodeKind.RUP:
        return str(rng.randint(10_000_000, 59_999_999))
    return str(rng.randint(100_000_000, 999_999_999))


class Generator:
    """Turns (seed, ticket index) into the rows of one ticket; pure given the context."""

    def __init__(
        self,
        *,
        seed: int,
        total: int,
        context: Context,
        end: datetime.datetime,
        days: int,
        book: CalendarBook,
        open_only: Sequence[tuple[str, float]] = (),
    ) -> None:
        self.seed, self.total, self.context, self.book = seed, total, context, book
        self.end_at = end
        self.end = end.timestamp()
        self.start = self.end - days * 86400
        self.words = WordModel()
        self.reporters, self.owners = reporters_plan(seed, total, context)
        self.times = ticket_times(
            random.Random(f"times:{seed}"), total, start=self.start, end=self.end
        )
        self.incidents = incidents_plan(seed, self.times, context, self.reporters, self.owners)
        self.lpse_by_id = {lpse[0]: lpse for lpse in context.lpses}
        self.lpse_cum = cumulative(zipf_weights(len(context.lpses), 0.7))
        self.app_codes = [c for c in APP_WEIGHTS if c in context.apps]
        self.app_cum = cumulative(APP_WEIGHTS[c] for c in self.app_codes)
        self.type_cum = cumulative(TYPE_WEIGHTS.get(code, 1) for _, code, _ in context.ticket_types)
        # Every ticket stays open when `open_only` names the open statuses (and weights).
        self.open_only = bool(open_only)
        self.open_mix = tuple(open_only) or OPEN_MIX
        self.open_cum = cumulative(w for _, w in self.open_mix)
        self.closed_cum = cumulative(w for _, w in CLOSED_MIX)
        self.zones = {tz: ZoneInfo(tz) for _, _, _, tz in context.lpses}
        # The last ticket of each reporter (its id and number), for merges.
        self.last_ticket: dict[int, tuple[int, str]] = {}
        # The database ids of the reporters (set when they are written).
        self.reporter_ids: list[int] = []

    def head(self, index: int) -> Head:
        rng = random.Random(self.seed * 1_000_003 + index)
        reporter = self.reporters[self.owners[index]]
        incident = self.incidents.get(index)
        if incident is not None:
            lpse, app = incident.lpse, incident.app
        else:
            if reporter.lpse_id is not None and rng.random() < 0.85:
                lpse = self.lpse_by_id[reporter.lpse_id]
            else:
                lpse = self.context.lpses[weighted_index(rng, self.lpse_cum)]
            if reporter.source == SignInSource.SIRUP:
                code = "SIRUP" if rng.random() < 0.85 else "MONEV"
            else:
                code = self.app_codes[weighted_index(rng, self.app_cum)]
            app = self.context.apps.get(code) or self.context.apps[self.app_codes[0]]
        created = self.times[index]
        day = datetime.datetime.fromtimestamp(created, self.zones[lpse[3]]).date()
        return Head(index, rng, created, self.owners[index], lpse, app, day, incident=incident)

    def content(self, head: Head) -> Content:
        rng, app, incident = head.rng, head.app, head.incident
        if incident is not None:
            leaf = incident.leaf
        else:
            leaf = app.leaves[weighted_index(rng, app.leaf_cum)]
        type_id, type_code, is_suggestion = self.context.ticket_types[
            weighted_index(rng, self.type_cum)
        ]
        if incident is not None and is_suggestion:
            # An incident is a problem, whatever the draw said.
            type_id, type_code, is_suggestion = next(
                (t for t in self.context.ticket_types if not t[2]),
                (type_id, type_code, is_suggestion),
            )
        stage = rng.choice(TENDER_STAGES) if incident is None else INCIDENT_STAGE
        code = incident.code if incident is not None else _code(rng, leaf.code_kind, head.lpse[1])
        title, description = ticket_text(
            rng,
            self.words,
            leaf=leaf.name,
            stage=stage,
            app=app.code,
            code=code,
            unit=self.reporters[head.reporter].instansi,
        )
        priority: str
        reason = f"prioritas dasar kategori «{leaf.name}»"
        if is_suggestion or leaf.is_question:
            priority = Priority.MINOR
        elif incident is not None and rng.random() < INCIDENT_EMERGENCY_SHARE:
            # The priority rules' "blocking category, stage ending soon" (DESIGN §5).
            priority = Priority.EMERGENCY
            reason = f"kategori menghambat dan tahap {INCIDENT_STAGE} segera berakhir"
        else:
            priority = str(leaf.priority)
            if code and leaf.code_kind == CodeKind.TENDER and rng.random() < 0.1:
                priority = PRIORITY_UP[Priority(priority)]
        label = self.context.priority_labels[priority]
        return Content(
            title=title,
            description=description,
            leaf=leaf,
            type_id=type_id,
            code=code,
            priority=priority,
            priority_reason=f"{label}: {reason}",
        )

    def outcome(self, head: Head) -> Outcome:
        rng = head.rng
        ending = CLOSED_MIX[weighted_index(rng, self.closed_cum)][0]
        if ending == Action.MERGE and head.reporter not in self.last_ticket:
            ending = Action.CONFIRM
        age = (self.end - head.created) / 86400
        if not self.open_only and rng.random() >= open_probability(age):
            return Outcome(ending)
        stop = self.open_mix[weighted_index(rng, self.open_cum)][0]
        # Old tickets are not left untouched, nor unconfirmed past the auto-close.
        if age > 7 and stop in (Status.NEW, Status.AWAITING_CONFIRMATION):
            stop = Status.IN_PROGRESS
        return Outcome(ending, stop_at=stop)

    def moments(
        self, rng: random.Random, steps: list[Step], created: float, priority: str
    ) -> list[float]:
        """When each step happens: squeezed to end before the period does, if needed.

        Some tickets wait (a queue that is long this week, a fix that needs a release):
        their staff's steps come `SLOW_PACE` times later, the lower the priority the
        longer, so that SLA targets are missed about as often as a real helpdesk does;
        an Emergency's come sooner (`URGENT_PACE`).
        """
        pace = URGENT_PACE.get(priority, 1.0)
        if rng.random() < SLOW_SHARE:
            pace *= log_uniform(rng, *SLOW_PACE[priority])
        gaps = [
            _gap_hours(rng, step.action) * 3600 * (pace if step.action in STAFF_ACTIONS else 1)
            for step in steps
        ]
        total, limit, scale = sum(gaps), self.end - 60, 1.0
        if total and created + total > limit:
            scale = max(0.0, (limit - created) * 0.95) / total
        moments, at = [], created
        for gap in gaps:
            at += gap * scale
            moments.append(at)
        return moments

    def story(self, head: Head, content: Content) -> Story:
        """The ticket's history: filed, then a walk through the lifecycle."""
        rng = head.rng
        story = Story(
            head,
            reporter=self.reporter_ids[head.reporter],
            words=self.words,
            context=self.context,
        )
        created = _moment(head.created)
        if rng.random() < 0.4:
            for _ in range(1 if rng.random() < 0.75 else 2):
                story.attach(created, None, story.reporter)
        story.event(
            created,
            EventKind.CREATED,
            story.reporter,
            after=Status.NEW,
            data={
                "priority": content.priority,
                "attachments": len(story.attachments),
                "code_validated": bool(content.code),
            },
        )
        steps = story_steps(rng, self.outcome(head))
        merge_into = self.last_ticket.get(head.reporter)
        moments = self.moments(rng, steps, head.created, content.priority)
        for step, at in zip(steps, moments, strict=True):
            story.apply(step, _moment(at), merge_into)
        return story

    def rating(
        self, head: Head, content: Content, story: Story
    ) -> tuple[dict[str, Any] | None, list[int]]:
        """The rating of a closed ticket, sometimes, with its categories."""
        rng = story.rng
        chance = RATE_CHANCE.get(story.close_reason, 0.0)
        if story.closed_at is None or rng.random() >= chance:
            return None, []
        check_transition(Action.RATE, story.status)
        at = _moment(min(story.closed_at.timestamp() + rng.random() * 86400, self.end - 1))
        clocks = ticket_clocks(self.clock_input(head, content, story), self.book, self.end_at)
        missed = ClockState.MISSED in (clocks.response.state, clocks.resolution.state)
        pool = STARS_MISSED if missed else STARS_KEPT
        stars = pool[rng.randrange(len(pool))]
        options = [cid for cid, values in self.context.rating_categories if stars in values]
        categories: list[int] = []
        if options and rng.random() < 0.7:
            categories = rng.sample(options, min(len(options), rng.randint(1, 2)))
        story.revision += 1
        story.event(
            at,
            EVENT_OF_ACTION[Action.RATE],
            story.reporter,
            data={"stars": stars, "revision": story.revision},
        )
        row = {
            "stars": stars,
            "comment": (
                rng.choice(RATING_PRAISE if stars >= 4 else RATING_CRITICISM)
                if rng.random() < COMMENT_CHANCE
                else ""
            ),
            "created_at": at,
        }
        return row, categories

    def clock_input(self, head: Head, content: Content, story: Story) -> ClockInput:
        lpse_id, _kd, _name, tz = head.lpse
        return ClockInput(
            created_at=_moment(head.created),
            lpse_id=lpse_id,
            tz_name=tz,
            priority=content.priority,
            status=story.status,
            close_reason=story.close_reason,
            first_response_at=story.first_response_at,
            closed_at=story.closed_at,
            pauses=story.pauses,
        )

    def ticket_row(self, head: Head, content: Content, story: Story) -> dict[str, Any]:
        """The ticket's columns, its SLA columns from the clocks as of the period's end."""
        rng, leaf, app = head.rng, content.leaf, head.app
        lpse_id = head.lpse[0]
        created = _moment(head.created)
        clock = self.clock_input(head, content, story)
        return {
            "number": head.number,
            "reporter_id": story.reporter,
            "reporter_role": self.reporters[head.reporter].role,
            "notification_email": self.reporters[head.reporter].email,
            "title": content.title,
            "lpse_id": lpse_id,
            "application_id": app.id,
            "version_id": app.versions[
                0 if rng.random() < 0.7 else rng.randrange(len(app.versions))
            ],
            "ticket_type_id": content.type_id,
            "category_id": leaf.id,
            "code_kind": leaf.code_kind if content.code else CodeKind.NONE,
            "code": content.code,
            "code_validated": bool(content.code) and rng.random() < 0.85,
            "code_checked_at": created if content.code else None,
            "error_code": f"E{rng.randrange(16**6):06X}" if leaf.is_error else "",
            "description": content.description,
            "priority": content.priority,
            "priority_reason": content.priority_reason,
            "status": story.status,
            "tier": story.tier,
            "holder_id": story.holder,
            "reopen_count": story.reopen_count,
            "max_tier": story.max_tier,
            "resolved_by_id": story.resolved_by,
            "resolved_at": story.resolved_at,
            "close_reason": story.close_reason,
            "merged_into_id": story.merged_into[0] if story.merged_into else None,
            "revision": story.revision,
            "created_at": created,
            "updated_at": story.events[-1]["created_at"],
            # Internal notes do not move what the reporter sees (tickets/live.py).
            "public_updated_at": next(e for e in reversed(story.events) if not e["is_internal"])[
                "created_at"
            ],
            "closed_at": story.closed_at,
            "first_response_at": story.first_response_at,
            "sla_pauses": pauses_to_json(story.pauses),
            **sla_columns(clock, self.book, swept_at=self.end_at),
        }

    def rows(self, head: Head, ticket_id: int) -> TicketRows:
        content = self.content(head)
        story = self.story(head, content)
        rating, rating_categories = self.rating(head, content, story)
        ticket = {"id": ticket_id, **self.ticket_row(head, content, story)}
        events = story.events
        if story.merged_into is not None:
            # The other side of the merge, in the target ticket's history.
            merge = next(e for e in reversed(events) if e["kind"] == EventKind.MERGED)
            events = [
                *events,
                {
                    "ticket_id": story.merged_into[0],
                    "actor_id": merge["actor_id"],
                    "kind": EventKind.MERGE_TARGET,
                    "from_status": "",
                    "to_status": "",
                    "reason": "",
                    "is_internal": False,
                    "data": {"duplicate": head.number},
                    "created_at": merge["created_at"],
                },
            ]
        self.last_ticket[head.reporter] = (ticket_id, head.number)
        return TicketRows(
            ticket, story.messages, events, story.attachments, rating, rating_categories
        )
