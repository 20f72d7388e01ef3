import datetime

from django import template
from django.utils.translation import gettext as _

from sla.clocks import CLOCK_STATE_LABELS, ClockReading

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
