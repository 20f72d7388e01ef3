"""Ticket priority, computed by the system from admin-editable rules (DESIGN §5).

The reporter never chooses a priority: it is the category's base priority adjusted by
what an integrated source says about the tender / package. Only source data raises
priority, so the caller passes `tender=None` whenever the code was not validated.

`priority_compute` is pure (no queries, no clock): the caller passes the rules and `now`.
"""

import datetime
import string
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from integrations.types import Stage, Tender
from reference.book import ReferenceBook
from reference.models import (
    TIME_ZONE_ABBREVIATIONS,
    Category,
    Priority,
    PriorityRule,
    PriorityRuleKind,
    TicketType,
)

# Lowest first: raising a priority moves it to the right.
PRIORITY_LEVELS: tuple[Priority, ...] = (
    Priority.MINOR,
    Priority.MEDIUM,
    Priority.MAJOR,
    Priority.EMERGENCY,
)
REASON_MAX_LENGTH = 300  # Ticket.priority_reason

_MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


@dataclass(frozen=True)
class AppliedRule:
    """Which rule set the priority (a snapshot, so the decision outlives edits)."""

    order: int
    name: str
    kind: str


@dataclass(frozen=True)
class PriorityDecision:
    priority: Priority
    rule: AppliedRule | None
    explanation: str


def priority_rules_active() -> list[PriorityRule]:
    """The active rules in evaluation order (kept with the process's reference book)."""
    return list(ReferenceBook.current().priority_rules)


def _level(priority: str) -> int:
    return PRIORITY_LEVELS.index(Priority(priority))


def priority_raise(base: str, *, levels: int, maximum: str) -> Priority:
    """`base` raised by `levels`, never above `maximum` and never below `base`."""
    raised = min(_level(base) + levels, _level(maximum))
    return PRIORITY_LEVELS[max(raised, _level(base))]


def remaining_text(remaining: datetime.timedelta) -> str:
    """A duration in plain Indonesian: "5 jam", "45 menit", "23 jam 59 menit"."""
    minutes = int(remaining.total_seconds() // 60)
    if minutes < 1:
        return "kurang dari 1 menit"
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} jam")
    if minutes:
        parts.append(f"{minutes} menit")
    return " ".join(parts)


def zone_abbreviation(tz_name: str) -> str:
    return TIME_ZONE_ABBREVIATIONS.get(tz_name, tz_name)


def local_time_text(moment: datetime.datetime, tz_name: str) -> str:
    """E.g. "12 Desember 2026 pukul 14:00 WITA", in the LPSE's time zone."""
    local = moment.astimezone(zoneinfo.ZoneInfo(tz_name))
    return (
        f"{local.day} {_MONTHS[local.month - 1]} {local.year} pukul "
        f"{local:%H:%M} {zone_abbreviation(tz_name)}"
    )


def deadline_stage(tender: Tender, *, now: datetime.datetime, window_hours: int) -> Stage | None:
    """The running deadline-bound stage that ends soonest within the window, if any.

    A stage qualifies when 0 < end − now ≤ window (a stage that has ended never does).
    """
    window = datetime.timedelta(hours=window_hours)
    candidates = [
        stage
        for stage in tender.jadwal
        if stage.is_deadline_bound
        and stage.starts_at <= now
        and datetime.timedelta(0) < stage.ends_at - now <= window
    ]
    return min(candidates, key=lambda stage: stage.ends_at) if candidates else None


class _Placeholders(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _render(template: str, values: Mapping[str, str], fallback: str) -> str:
    """Fill an admin-written template; a broken template falls back to `fallback`."""
    try:
        # Only plain names: "{stage.x}" or "{0}" would reach into objects or positions.
        fields = [field for _t, field, _s, _c in string.Formatter().parse(template) if field]
        if any(not field.isidentifier() for field in fields):
            return fallback
        text = template.format_map(_Placeholders(values))
    except (ValueError, IndexError, KeyError, AttributeError):
        return fallback
    return text[:REASON_MAX_LENGTH]


def _label(priority: str) -> str:
    return str(Priority(priority).label)


def _evaluate(
    rule: PriorityRule,
    *,
    category: Category,
    ticket_type: TicketType | None,
    tender: Tender | None,
    lpse_timezone: str,
    now: datetime.datetime,
) -> tuple[Priority, dict[str, str]] | None:
    """The rule's priority and its placeholder values, or None when it does not match."""
    base = Priority(category.base_priority)
    kind = rule.kind
    if kind == PriorityRuleKind.SUGGESTION_OR_QUESTION:
        is_suggestion = ticket_type is not None and ticket_type.is_suggestion
        if not (is_suggestion or category.is_question):
            return None
        if is_suggestion:
            reason = f"tiket {ticket_type.name}" if ticket_type else "usulan"
        else:
            reason = "kategori pertanyaan/konsultasi"
        return Priority(rule.result_priority or Priority.MINOR), {"reason": reason}
    if kind == PriorityRuleKind.BLOCKING_DEADLINE:
        if not category.is_blocking or tender is None or not tender.is_active:
            return None
        stage = deadline_stage(tender, now=now, window_hours=rule.window_hours)
        if stage is None:
            return None
        return Priority(rule.result_priority or Priority.EMERGENCY), {
            "stage": stage.nama_tahapan,
            "remaining": remaining_text(stage.ends_at - now),
            "ends_at": local_time_text(stage.ends_at, lpse_timezone),
        }
    if kind == PriorityRuleKind.ACTIVE_TENDER_RAISE:
        if tender is None or not tender.is_active:
            return None
        raised = priority_raise(base, levels=rule.raise_levels, maximum=rule.max_priority)
        if raised == base:
            # Nothing to raise (already at the maximum): a later rule explains it.
            return None
        current = tender.current_stage(now)
        return raised, {"stage": current.nama_tahapan if current else "-"}
    if kind == PriorityRuleKind.BASE:
        return base, {}
    return None  # a kind this code does not know (yet)


def priority_compute(
    *,
    category: Category,
    ticket_type: TicketType | None,
    tender: Tender | None,
    lpse_timezone: str,
    now: datetime.datetime,
    rules: Sequence[PriorityRule],
) -> PriorityDecision:
    """The priority of a new ticket: the first matching active rule wins.

    `tender` is what the source returned for a *validated* code, else None (data the
    reporter typed by hand never raises priority). Rules are evaluated in `order`.
    """
    base = Priority(category.base_priority)
    common: dict[str, Any] = {
        "base": _label(base),
        "category": category.path_label,
        "zone": zone_abbreviation(lpse_timezone),
        "status": tender.status_tender if tender else "-",
        "tender": str(tender.kd_tender) if tender else "-",
        "reason": "-",
        "stage": "-",
        "remaining": "-",
        "ends_at": "-",
    }
    for rule in sorted(rules, key=lambda rule: rule.order):
        if not rule.is_active:
            continue
        outcome = _evaluate(
            rule,
            category=category,
            ticket_type=ticket_type,
            tender=tender,
            lpse_timezone=lpse_timezone,
            now=now,
        )
        if outcome is None:
            continue
        priority, values = outcome
        filled = {**common, **values, "priority": _label(priority)}
        fallback = f"{filled['priority']}: {rule.name}"
        return PriorityDecision(
            priority=priority,
            rule=AppliedRule(order=rule.order, name=rule.name, kind=rule.kind),
            explanation=_render(rule.explanation, filled, fallback),
        )
    return PriorityDecision(
        priority=base,
        rule=None,
        explanation=f"{_label(base)}: prioritas dasar kategori «{category.path_label}»",
    )


def unchecked_code_explanation(explanation: str) -> str:
    """`explanation`, saying that the code could not be checked because its source did not
    answer (so the priority may still change), within the reason's length."""
    note = _(
        "kode belum dapat diperiksa karena sumber data tidak menjawab; prioritas dapat "
        "berubah setelah kode diperiksa"
    )
    room = REASON_MAX_LENGTH - len(note) - 3
    return f"{explanation[:room]} — {note}"


def priority_for_draft(
    *,
    category: Category,
    ticket_type: TicketType | None,
    tender: Tender | None,
    lpse_timezone: str,
    now: datetime.datetime,
    code_unanswered: bool = False,
) -> tuple[str, str]:
    """(priority, priority_reason) for a new ticket, with the active rules from the DB.

    `code_unanswered`: the ticket has a code its source did not answer about; the
    explanation says so."""
    decision = priority_compute(
        category=category,
        ticket_type=ticket_type,
        tender=tender,
        lpse_timezone=lpse_timezone,
        now=now,
        rules=priority_rules_active(),
    )
    explanation = decision.explanation
    if code_unanswered:
        explanation = unchecked_code_explanation(explanation)
    return decision.priority.value, explanation[:REASON_MAX_LENGTH]
