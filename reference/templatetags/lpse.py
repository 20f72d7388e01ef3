import datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format

from reference.models import TIME_ZONE_ABBREVIATIONS

register = template.Library()


@register.filter
def waktu(value: datetime.datetime | None) -> str:
    """A moment in the viewer's LPSE time zone with the zone's name: 28 Nov 2026 14:03 WIB."""
    if value is None:
        return ""
    zone = timezone.get_current_timezone_name()
    local = timezone.localtime(value)
    return f"{date_format(local, 'j M Y H:i')} {TIME_ZONE_ABBREVIATIONS.get(zone, zone)}"
