import datetime
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from reference.models import TIME_ZONE_ABBREVIATIONS

register = template.Library()


@register.filter
def waktu(value: datetime.datetime | None) -> str:
    """A moment in the viewer's LPSE time zone with the zone's name: 28 Nov 2026 14:03 WIB."""
    if value is None:
        return ""
    zone = timezone.get_current_timezone_name()
    local = timezone.localtime(value)
    return f"{_short(local, year=True)} {TIME_ZONE_ABBREVIATIONS.get(zone, zone)}"


def _short(local: datetime.datetime, *, year: bool = False, weekday: bool = False) -> str:
    """What `date_format` gives for "j M Y H:i" (`year`) or "D j M H:i" (`weekday`),
    without parsing the pattern on every call: a console list shows about 75 a page."""
    text = f"{local.day} {str(MONTHS_3[local.month]).title()}"
    if year:
        text += f" {local.year:04d}"
    text += f" {local.hour:02d}:{local.minute:02d}"
    return f"{WEEKDAYS_ABBR[local.weekday()]} {text}" if weekday else text


def _in_zone(value: datetime.datetime, tz_name: str, pattern: str) -> str:
    local = timezone.localtime(value, ZoneInfo(tz_name))
    return f"{date_format(local, pattern)} {TIME_ZONE_ABBREVIATIONS.get(tz_name, tz_name)}"


@register.filter
def waktu_zona(value: datetime.datetime | None, tz_name: str) -> str:
    """A moment in the given zone, with the day: Senin, 30 Nov 2026 14:00 WITA."""
    return "" if value is None else _in_zone(value, tz_name, "l, j M Y H:i")


@register.filter
def waktu_zona_singkat(value: datetime.datetime | None, tz_name: str) -> str:
    """The same, short for lists: Sen 30 Nov 14:00 WITA."""
    if value is None:
        return ""
    local = timezone.localtime(value, ZoneInfo(tz_name))
    return f"{_short(local, weekday=True)} {TIME_ZONE_ABBREVIATIONS.get(tz_name, tz_name)}"


@register.filter
def nomor_terpecah(value: str) -> SafeString:
    """A ticket number that may wrap after its hyphens in a narrow column (a hyphen before
    a digit is otherwise no place to break): SPSE-<wbr>20261128-<wbr>00042."""
    return mark_safe("-<wbr>".join(escape(part) for part in str(value).split("-")))  # noqa: S308
