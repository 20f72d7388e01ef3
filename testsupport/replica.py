"""pytest plugin: with DATABASE_REPLICA_URL set, every database test may read the
replica alias too.

In tests the replica mirrors the primary's test database (`TEST: {"MIRROR": "default"}`,
lpse_support/settings.py), but Django refuses queries to an alias a test did not list in
its databases. The router sends the opt-in pages' reads there outside atomic blocks (a
transactional or browser test), so each database test lists the replica as well.
Registered through `pytest_plugins` in the root conftest.
"""

import pytest
from django.conf import settings

_DB_FIXTURES = frozenset(
    {
        "db", "transactional_db", "live_server", "django_db_reset_sequences",
        "django_db_serialized_rollback",
    }
)  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    alias = getattr(settings, "REPLICA_DATABASE", "")
    if not alias:
        return
    for item in items:
        marker = item.get_closest_marker("django_db")
        fixtures = set(getattr(item, "fixturenames", ()))
        if marker is None and not fixtures & _DB_FIXTURES:
            continue
        kwargs = dict(marker.kwargs) if marker is not None else {}
        databases = kwargs.get("databases") or ["default"]
        if databases == "__all__" or alias in databases:
            continue
        kwargs["databases"] = [*databases, alias]
        args = marker.args if marker is not None else ()
        item.add_marker(pytest.mark.django_db(*args, **kwargs), append=False)
