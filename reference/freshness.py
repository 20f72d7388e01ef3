"""When a value a process keeps from the database must be read from it again.

Some answers are derived from rows that change rarely and are read on every request:
the category model and the published articles' index of Buat Tiket's suggestions
(`knowledge`). A `Freshness` lets a process use what it keeps for a number of seconds
(a setting; 0: always read again) as long as a shared version key has not
moved. Every change of those rows moves the key once committed (`changed`, a signal
receiver): with the shared cache (Redis) every process reads afresh at its next use;
with the per-process memory cache this process does, the others within the setting's
seconds. `sla.calendars.CalendarBook` and `reference.book.ReferenceBook` follow the
same rule for their own data.
"""

import time
import uuid
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

# A stamp of a read with nothing kept (the setting is 0).
_UNKEPT = (float("-inf"), None)


class Freshness:
    """One kept value's check: `stale()` before using it, `checked(stamp)` after reading
    it afresh, `changed()` when its rows change."""

    def __init__(self, version_key: str, seconds_setting: str) -> None:
        self.version_key = version_key
        self.seconds_setting = seconds_setting
        self._held: tuple[float, Any] | None = None

    def stale(self) -> tuple[float, Any] | None:
        """None when the kept value may be used as it is; else the stamp to hand to
        `checked` once it has been read again (the version is read first, so that a
        change committed during that read is seen next time)."""
        seconds = getattr(settings, self.seconds_setting)
        if seconds <= 0:
            return _UNKEPT
        now = time.monotonic()
        version = cache.get(self.version_key)
        held = self._held
        if held is not None and now - held[0] < seconds and held[1] == version:
            return None
        return (now, version)

    def checked(self, stamp: tuple[float, Any]) -> None:
        if stamp is not _UNKEPT:
            self._held = stamp

    def forget(self) -> None:
        """This process reads the rows again at its next use."""
        self._held = None

    def changed(self, **_signal: Any) -> None:
        """The rows changed: this process reads them at its next use, every process once
        the change is committed (a signal receiver)."""
        self.forget()
        transaction.on_commit(lambda: cache.set(self.version_key, uuid.uuid4().hex, None))
