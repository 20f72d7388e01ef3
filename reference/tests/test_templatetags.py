"""The time and number filters of every page: the fast paths give Django's own text."""

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.dateformat import format as date_format

from reference.templatetags.lpse import nomor_terpecah, waktu, waktu_zona_singkat


def moments():
    """Every month and weekday, single- and double-digit days and hours, over 2 years."""
    start = datetime.datetime(2026, 1, 1, 0, 7, tzinfo=datetime.UTC)
    return [start + datetime.timedelta(hours=37 * i) for i in range(480)]


def test_the_short_forms_are_what_django_formats():
    for zone in ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"):
        abbreviation = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
        with timezone.override(ZoneInfo(zone)):
            for moment in moments():
                local = timezone.localtime(moment, ZoneInfo(zone))
                assert waktu(moment) == f"{date_format(local, 'j M Y H:i')} {abbreviation[zone]}"
                assert (
                    waktu_zona_singkat(moment, zone)
                    == f"{date_format(local, 'D j M H:i')} {abbreviation[zone]}"
                )
    # For instance (Indonesian month and day names)
    moment = datetime.datetime(2026, 5, 4, 2, 5, tzinfo=datetime.UTC)
    assert waktu_zona_singkat(moment, "Asia/Makassar") == "Sen 4 Mei 10:05 WITA"
    assert waktu(None) == "" and waktu_zona_singkat(None, "Asia/Jakarta") == ""


def test_a_number_may_wrap_after_its_hyphens_and_is_escaped():
    assert nomor_terpecah("SPSE-20261128-00042") == "SPSE-<wbr>20261128-<wbr>00042"
    assert nomor_terpecah("<b>-x") == "&lt;b&gt;-<wbr>x"
