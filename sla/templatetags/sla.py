import datetime
from typing import Protocol

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from reference.templatetags.lpse import waktu_zona_singkat
from sla.clocks import CLOCK_STATE_LABELS, ClockReading, ClockState

register = template.Library()

WORKING_DAY_MINUTES = 8 * 60


@register.filter
def durasi(value: datetime.timedelta | None, around_the_clock: bool = False) -> str:
    """A length of SLA time in words: "3 jam 20 menit kerja", "2 hari 4 jam kerja".

    Working time counts days of 8 working hours; time around the clock days of 24 hours.
    """
    if value is None:
        return ""
    minutes = int(abs(value.total_seconds()) // 60)
    day = 24 * 60 if around_the_clock else WORKING_DAY_MINUTES
    days, rest = divmod(minutes, day)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)d hari") % {"n": days})
    if hours:
        parts.append(_("%(n)d jam") % {"n": hours})
    if mins and not days:
        parts.append(_("%(n)d menit") % {"n": mins})
    text = " ".join(parts) or _("kurang dari 1 menit")
    return text if around_the_clock else _("%(text)s kerja") % {"text": text}


@register.filter
def sla_class(reading: ClockReading) -> str:
    return f"sla--{reading.state}"


@register.filter
def sla_state_label(reading: ClockReading) -> str:
    return str(CLOCK_STATE_LABELS[reading.state])


@register.filter
def terlambat(reading: ClockReading, around_the_clock: bool = False) -> str:
    """How late a breached or missed clock is: "terlambat 4 jam kerja"; right after a
    due time that fell outside working hours no working time has passed yet."""
    if reading.remaining > -datetime.timedelta(minutes=1):
        return _("melewati batas waktu")
    return _("terlambat %(duration)s") % {"duration": durasi(reading.remaining, around_the_clock)}


class ShownClocks(Protocol):
    """What a page shows of a ticket's clocks (`tickets.ticket_sla.SlaView`)."""

    @property
    def current(self) -> ClockReading: ...

    @property
    def current_name(self) -> str: ...

    @property
    def around_the_clock(self) -> bool: ...


@register.filter
def sla_cell(clocks: ShownClocks, tz_name: str) -> SafeString:
    """A console list's SLA cell: the clock that runs now, what is left of it or how late
    it is, and its due time in the ticket's LPSE zone (`tz_name`).

    Drawn in Python: a list has 25 of them, and as a template include each cost about as
    much as the rest of its row.
    """
    reading = clocks.current
    atc = clocks.around_the_clock
    what = _("Respons") if clocks.current_name == "response" else _("Penyelesaian")
    left = _("sisa %(d)s") % {"d": durasi(reading.remaining, atc)}
    if reading.state == ClockState.BREACHED:
        state = format_html("{}", terlambat(reading, atc))
    elif reading.state == ClockState.PAUSED:
        state = format_html('{} <span class="muted">({})</span>', _("berhenti"), left)
    elif reading.is_running and reading.state == ClockState.AT_RISK:
        state = format_html("{} <strong>({})</strong>", left, _("hampir habis"))
    elif reading.is_running:
        state = format_html("{}", left)
    else:
        state = format_html("{}", sla_state_label(reading))
    due = (
        format_html(
            '<br><small class="muted">{} {}</small>',
            _("batas"),
            waktu_zona_singkat(reading.due_at, tz_name),
        )
        if reading.due_at
        else ""
    )
    return format_html(
        '<span class="sla {}"><span class="sla__what">{}:</span> {}{}</span>',
        sla_class(reading),
        what,
        state,
        due,
    )
