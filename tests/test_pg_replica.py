"""scripts/pg-replica.sh makes a real streaming replica; a lagging one is reported and
not read from (issue 16). PostgreSQL only: it needs the server binaries."""

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from glob import glob
from typing import Any

import dj_database_url
import psycopg
import pytest
from django.core.signals import request_started
from django.db import connection, connections, router
from django.db.utils import load_backend
from django.test import Client
from pytest_django.fixtures import Settings

from lib.replica import replica_reads
from lpse_support.dbrouter import forget_replica_state
from tests.test_production_start import ROOT
from tickets.models import Ticket

ALIAS = "streaming_replica"
WAIT_SECONDS = 30

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql" or not glob("/usr/lib/postgresql/*/bin/pg_basebackup"),
    reason="needs PostgreSQL and its server binaries",
)


@dataclass
class Pair:
    primary_url: str
    replica_url: str
    replica_port: str


def _script(*args: str) -> str:
    result = subprocess.run(
        [str(ROOT / "scripts" / args[0]), *args[1:]], capture_output=True, text=True,
        check=False, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _env_file(path: str) -> dict[str, str]:
    out = subprocess.run(
        ["bash", "-c", f'. "{path}" && env -0'], capture_output=True, check=True, timeout=30
    ).stdout.decode()
    return dict(line.split("=", 1) for line in out.split("\0") if "=" in line)


@dataclass
class Started:
    primary: str
    replica: str = ""


@contextmanager
def _started_pair() -> Iterator[tuple[Pair, Started]]:
    started = Started(primary=_script("pg-throwaway.sh", "start"))
    try:
        started.replica = _script("pg-replica.sh", "start", started.primary)
        replica_env = _env_file(os.path.join(started.replica, "env"))
        yield (
            Pair(
                primary_url=_env_file(os.path.join(started.primary, "env"))["DATABASE_URL"],
                replica_url=replica_env["DATABASE_REPLICA_URL"],
                replica_port=replica_env["PG_REPLICA_PORT"],
            ),
            started,
        )
    finally:
        if started.replica:
            _script("pg-replica.sh", "stop", started.replica)
        _script("pg-throwaway.sh", "stop", started.primary)


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    with _started_pair() as (started_pair, _dirs):
        yield started_pair


def _wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"still not {what} after {WAIT_SECONDS} s"
        time.sleep(0.05)


def _one(url: str, sql: str, params: list[Any] | None = None) -> Any:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(sql, params).fetchone()
    return row[0] if row else None


def _write(pair: Pair, value: int) -> None:
    with psycopg.connect(pair.primary_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS probe (x int)")
        conn.execute("INSERT INTO probe VALUES (%s)", [value])


def _replica_has(pair: Pair, value: int) -> bool:
    try:
        return bool(_one(pair.replica_url, "SELECT count(*) FROM probe WHERE x = %s", [value]))
    except psycopg.errors.UndefinedTable:
        return False


def _superuser(pair: Pair) -> str:
    return f"postgres://postgres@127.0.0.1:{pair.replica_port}/postgres"


def _received_but_not_replayed(pair: Pair) -> bool:
    return bool(
        _one(_superuser(pair), "SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()")
    )


def test_a_row_written_on_the_primary_appears_on_the_replica(pair: Pair) -> None:
    _write(pair, 1)
    _wait_until(lambda: _replica_has(pair, 1), "replicated")
    assert _one(pair.replica_url, "SELECT pg_is_in_recovery()") is True


def _use_as_replica(replica_url: str, settings: Settings) -> None:
    """The streaming replica as this process's replica alias (created at run time),
    with the production settings' health check of a kept connection."""
    settings_dict = {
        **connection.settings_dict,
        **dj_database_url.parse(replica_url, conn_max_age=60, conn_health_checks=True),
    }
    backend = load_backend(settings_dict["ENGINE"])
    connections[ALIAS] = backend.DatabaseWrapper(settings_dict, ALIAS)
    settings.REPLICA_DATABASE = ALIAS
    forget_replica_state()


def _forget_alias() -> None:
    connections[ALIAS].close()
    del connections[ALIAS]
    forget_replica_state()


@pytest.fixture
def as_replica(pair: Pair, settings: Settings) -> Iterator[None]:
    _use_as_replica(pair.replica_url, settings)
    yield
    _forget_alias()


@pytest.mark.django_db(transaction=True)
def test_a_lagging_replica_is_reported_and_not_read_until_it_catches_up(
    pair: Pair, as_replica: None, settings: Settings
) -> None:
    # Given a streaming replica that has caught up
    settings.REPLICA_MAX_LAG_SECONDS = 0
    _write(pair, 2)
    _wait_until(lambda: _replica_has(pair, 2), "replicated")
    _wait_until(lambda: not _received_but_not_replayed(pair), "replayed")
    assert Client().get("/readyz").json()["checks"]["replica"]["status"] == "ok"
    with replica_reads():
        assert router.db_for_read(Ticket) == ALIAS
    # When it stops replaying while the primary writes on
    _one(_superuser(pair), "SELECT pg_wal_replay_pause()")
    try:
        _write(pair, 3)
        _wait_until(lambda: _received_but_not_replayed(pair), "behind")
        forget_replica_state()
        # Then /readyz reports it lagging (still 200), and reads go to the primary
        response = Client().get("/readyz")
        assert response.status_code == 200
        replica = response.json()["checks"]["replica"]
        assert replica["status"] == "degraded" and replica["lag_seconds"] >= 0
        with replica_reads():
            assert router.db_for_read(Ticket) == "default"
    finally:
        _one(_superuser(pair), "SELECT pg_wal_replay_resume()")
    # And once it has caught up, it is read again
    _wait_until(lambda: _replica_has(pair, 3), "caught up")
    _wait_until(lambda: not _received_but_not_replayed(pair), "replayed")
    forget_replica_state()
    with replica_reads():
        assert router.db_for_read(Ticket) == ALIAS


@pytest.mark.django_db(transaction=True)
def test_a_replica_stopped_under_a_kept_connection_falls_back_to_the_primary(
    settings: Settings,
) -> None:
    with _started_pair() as (own, started):
        _use_as_replica(own.replica_url, settings)
        try:
            # Given an app server that has read from the replica and keeps the connection
            with replica_reads():
                assert router.db_for_read(Ticket) == ALIAS
            assert connections[ALIAS].connection is not None
            # When the replica stops
            _script("pg-replica.sh", "stop", started.replica)
            started.replica = ""
            # Then the next request's reads go to the primary, and /readyz says so (200)
            request_started.send(sender=None)
            connections[ALIAS].close_if_unusable_or_obsolete()  # (not in the signal's list)
            with replica_reads():
                assert router.db_for_read(Ticket) == "default"
            ready = Client().get("/readyz")
            assert ready.status_code == 200
            assert ready.json()["checks"]["replica"]["status"] == "degraded"
        finally:
            _forget_alias()
