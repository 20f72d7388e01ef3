"""The database router: the heavy read-only pages read from the replica, everything else
from the primary.

A read goes to the replica (`settings.REPLICA_DATABASE`, set by DATABASE_REPLICA_URL)
only when `lib.replica.replica_allowed()` says so (an opt-in scope, a person who has
not written recently), outside any `transaction.atomic` block, for a table that is not
one of the primary-only apps (sessions, sign-in, tokens, rate limits, tasks), and while
the replica answers and is not lagging more than REPLICA_MAX_LAG_SECONDS. Otherwise,
and for every write, the primary. A replica that fails to connect is left alone for a
few seconds, then tried again; its lag is measured at most every few seconds per
process.
"""

import contextlib
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

from lib.replica import note_replica_read, note_write, replica_allowed

logger = logging.getLogger(__name__)

PRIMARY = "default"
# Read where they are written, always: sessions and sign-in (a session written a moment
# ago must be found), tokens and rate counters, the task queue, admin and second factor.
PRIMARY_ONLY_APPS = frozenset(
    {
        "accounts", "admin", "api", "auth", "axes", "contenttypes", "django_otp",
        "django_tasks", "django_tasks_db", "otp_static", "otp_totp", "sessions",
    }
)  # fmt: skip
# A replica that could not be reached is not tried again for this long.
RETRY_DOWN_SECONDS = 5.0
# How long a measured lag is trusted before the replica is asked again.
LAG_CHECK_SECONDS = 5.0

# The replica's lag in seconds: 0 when it has replayed everything it received (an idle
# primary sends nothing, so the time since the last replayed transaction would grow
# without any real lag); NULL when it has replayed no transaction yet and is behind.
# A database that is not a standby (the test mirror) has no lag.
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE GREATEST(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
END
"""


@dataclass
class _ReplicaState:
    down_until: float = -math.inf
    lag_checked_at: float = -math.inf
    lagging: bool = False


_state = _ReplicaState()


def replica_alias() -> str:
    """The replica's alias, or "" when none is configured."""
    return str(getattr(settings, "REPLICA_DATABASE", ""))


def replica_lag_seconds(connection: BaseDatabaseWrapper) -> float | None:
    """How far the replica is behind (None: unknown, it has replayed nothing yet)."""
    if connection.vendor != "postgresql":
        connection.ensure_connection()
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute(LAG_SQL)
        row = cursor.fetchone()
    return None if row is None or row[0] is None else float(row[0])


def lag_exceeded(lag: float | None) -> bool:
    return lag is None or lag > settings.REPLICA_MAX_LAG_SECONDS


def replica_usable(alias: str) -> bool:
    """The replica answers (connecting now if needed) and is not lagging too far."""
    now = time.monotonic()
    if now < _state.down_until:
        return False
    connection = connections[alias]
    try:
        # A kept connection the replica dropped is found here, once per request.
        connection.close_if_health_check_failed()
        connection.ensure_connection()
        if now - _state.lag_checked_at >= LAG_CHECK_SECONDS:
            _state.lagging = lag_exceeded(replica_lag_seconds(connection))
            _state.lag_checked_at = now
    except DatabaseError:
        logger.warning("replica %s unreachable; reading from the primary", alias, exc_info=True)
        connection.close()
        _state.down_until = now + RETRY_DOWN_SECONDS
        return False
    return not _state.lagging


def replica_lost(alias: str) -> None:
    """The replica dropped a connection in use (stopped, restarted): leave it alone for
    RETRY_DOWN_SECONDS, as when it cannot be reached."""
    logger.warning("replica %s lost a connection in use; reading from the primary", alias)
    with contextlib.suppress(DatabaseError):  # the connection is gone already
        connections[alias].close()
    _state.down_until = time.monotonic() + RETRY_DOWN_SECONDS


def forget_replica_state() -> None:
    """Ask the replica afresh on the next read (tests; a changed configuration)."""
    global _state
    _state = _ReplicaState()


class ReplicaRouter:
    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        alias = replica_alias()
        if (
            alias
            and model._meta.app_label not in PRIMARY_ONLY_APPS
            and replica_allowed()
            and not connections[PRIMARY].in_atomic_block
            and replica_usable(alias)
        ):
            note_replica_read()
            return alias
        # Said explicitly: otherwise Django would follow a replica-read object's own
        # database for its related rows, even outside the scope.
        return PRIMARY

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        if model._meta.app_label not in PRIMARY_ONLY_APPS:
            note_write()
        return PRIMARY

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        # The replica holds the primary's rows: objects of either relate freely.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db != replica_alias()
