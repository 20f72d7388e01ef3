"""pytest plugin: at the end of a PostgreSQL run, no other session may still be connected
to the test database.

A connection a test leaves open (a thread's, an orphaned one, a child process's) keeps
the test database from being dropped ("being accessed by other users") and hides which
test left it. Just before pytest-django drops the database, this names every other
client session still connected (pid, application, state, last query) in a warning that
the summary shows. Background processes of the server (autovacuum, walsenders) are not
client sessions and are not counted. Registered through `pytest_plugins` in the root
conftest.
"""

import time
import warnings
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.db import connections

# A session whose client has just closed its socket can be listed for a moment longer.
GRACE_SECONDS = 5.0


class LeftoverDatabaseSession(UserWarning):
    """A session on the test database outlived the tests."""


def _others(settings_dict: dict[str, Any]) -> list[tuple[Any, ...]]:
    with psycopg.connect(
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"],
        dbname="postgres",
        autocommit=True,
    ) as admin:
        return admin.execute(
            "SELECT pid, usename, application_name, state, backend_start, left(query, 200)"
            " FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'"
            " AND pid <> pg_backend_pid()",
            [settings_dict["NAME"]],
        ).fetchall()


def _check() -> None:
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return
    settings_dict = dict(connection.settings_dict)
    connections.close_all()
    deadline = time.monotonic() + GRACE_SECONDS
    others = _others(settings_dict)
    while others and time.monotonic() < deadline:
        time.sleep(0.1)
        others = _others(settings_dict)
    if others:
        listed = "\n".join(
            f"  pid {pid} user {user} application {app!r} state {state} since {start}: {query}"
            for pid, user, app, state, start, query in others
        )
        warnings.warn(
            LeftoverDatabaseSession(
                f"{len(others)} other session(s) still connected to the test database "
                f"{settings_dict['NAME']} at the end of the run (a test left a connection "
                f"open):\n{listed}"
            ),
            stacklevel=1,
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[Any]) -> Iterator[None]:
    yield
    if fixturedef.argname == "django_db_setup":
        # Finalizers run last-added first: this one before the database is dropped.
        fixturedef.addfinalizer(_check)
