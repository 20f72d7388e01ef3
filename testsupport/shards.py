"""pytest plugin: `--shard 1` or `--shard 2` runs one of two halves of the suite.

`make test` runs the PostgreSQL pass as two pytest processes at once, each on its own
throwaway cluster (scripts/run-tests.sh): one process waits on its database server, on
Chromium or on the programs a test starts for about half of its time, which the other
fills. Every test is in exactly one shard, by the path of its file: shard 2 holds the
folders below, shard 1 everything else (a new folder lands in shard 1 by itself).

The split balances the lanes of scripts/run-tests.sh by the measured durations of the
whole pass (2026-12-07, 1,615 s in one process): tests/ (the browser tests and the ones
that start servers, backups, replicas) took about 506 s, api/ (the access matrix and the
fuzz) 294 s, reports/ 111 s and notifications/ 69 s; the rest about 635 s. Shard 1's
lane then runs the bench smoke and the topology (about 390 s), shard 2's runs mypy first.
Registered through `pytest_plugins` in the root conftest.
"""

import pytest

SHARD_2_FOLDERS = ("tests/", "api/", "reports/", "notifications/")
SHARDS = ("1", "2")


def shard_of(nodeid: str) -> str:
    """The shard of a test, by its node id (a path relative to the root, then ::name)."""
    return "2" if nodeid.startswith(SHARD_2_FOLDERS) else "1"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--shard",
        choices=SHARDS,
        default=None,
        help="run only this half of the suite (testsupport/shards.py); default: all of it",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    shard = config.getoption("shard")
    if shard is None:
        return
    kept = [item for item in items if shard_of(item.nodeid) == shard]
    deselected = [item for item in items if shard_of(item.nodeid) != shard]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
