"""The two shards of the suite (testsupport/shards.py) hold every test exactly once."""

from types import SimpleNamespace
from typing import Any

from testsupport.shards import pytest_collection_modifyitems, shard_of

NODE_IDS = [
    "accounts/tests/test_sso.py::test_a",
    "tests/test_backup_restore.py::test_b",
    "tests/test_backup_restore_more.py::test_c",
    "tests/test_pg_replica.py::test_d[x]",
    "tickets/tests/test_console.py::test_e",
]


def select(shard: str | None) -> tuple[list[str], list[str]]:
    """(kept, deselected) node ids of NODE_IDS with `--shard shard`."""
    deselected: list[Any] = []
    config = SimpleNamespace(
        getoption=lambda name: shard,
        hook=SimpleNamespace(pytest_deselected=lambda items: deselected.extend(items)),
    )
    items: list[Any] = [SimpleNamespace(nodeid=nodeid) for nodeid in NODE_IDS]
    pytest_collection_modifyitems(config, items)  # type: ignore[arg-type]
    return [item.nodeid for item in items], [item.nodeid for item in deselected]


def test_each_test_is_in_exactly_one_shard() -> None:
    # Without --shard everything runs
    assert select(None) == (NODE_IDS, [])
    # With it, the two shards split the tests without overlap or loss, by their file
    first, not_first = select("1")
    second, not_second = select("2")
    assert sorted(first + second) == sorted(NODE_IDS)
    assert first == not_second and second == not_first
    assert second == ["tests/test_backup_restore.py::test_b", "tests/test_pg_replica.py::test_d[x]"]


def test_a_new_file_lands_in_shard_1() -> None:
    assert shard_of("newapp/tests/test_y.py::test_z") == "1"
    # (a file whose name merely starts like one of shard 2's is not in it)
    assert shard_of("tests/test_backup_restore_more.py::test_c") == "1"
