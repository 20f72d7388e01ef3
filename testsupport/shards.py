"""pytest plugin: `--shard 1` or `--shard 2` runs one of two parts of the suite.

`make test` runs the PostgreSQL pass in two pytest processes, each on its own throwaway
cluster (scripts/run-tests.sh): shard 1 in the foreground lane, shard 2 at the end of the
other lane, after the SQLite pass, the bench smoke and the topology. Shard 2 is the
tests that start PostgreSQL clusters of their own (backups and restores, a streaming
replica): they wait on those programs most of the time, and about 160 s of them even
out the lanes, which otherwise ended some 220 s apart with one core idle (measured
2026-12-07: the whole pass 1,615 s, the other lane 1,407 s). Every test is in exactly
one shard, by the path of its file; a new file lands in shard 1 by itself.
Registered through `pytest_plugins` in the root conftest.
"""

import pytest

SHARD_2_FILES = (
    "tests/test_backup_restore.py",
    "tests/test_pg_replica.py",
)
SHARDS = ("1", "2")


def shard_of(nodeid: str) -> str:
    """The shard of a test, by its node id (a path relative to the root, then ::name)."""
    return "2" if nodeid.split("::", 1)[0] in SHARD_2_FILES else "1"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--shard",
        choices=SHARDS,
        default=None,
        help="run only this shard of the suite (testsupport/shards.py); default: all of it",
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
