"""The default reference data for tests, seeded once per run and copied after that.

`reference_seed()` and `sla_seed()` go row by row (`update_or_create`, several hundred
queries) and most tests need their result, inside their own transaction that is rolled
back afterwards: seeding afresh for each test was the largest single cost of the suite.

The first seed into empty tables is recorded (every row it added, in every table, with
its primary key); each later test whose tables are empty again gets the same rows back
in one `bulk_create` per table, then `calendar_changed()` as the seed itself calls it.
Where any of those tables already holds rows (a test made its own), the real seed runs,
as before. The rows are the seed's own output, so a change to the seed data or code is
picked up by the next run.
"""

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction

from reference.services import reference_seed
from sla.calendars import calendar_changed
from sla.seed import sla_seed


@dataclass(frozen=True)
class _Table:
    model: type[models.Model]
    rows: list[dict[str, Any]]


# Per test database (one per run): what the first seed into empty tables added.
_recorded: dict[str, list[_Table]] = {}


def _models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def _pks(model: type[models.Model]) -> set[Any]:
    return set(model._base_manager.values_list("pk", flat=True))


def _record() -> list[_Table] | None:
    """Seed for real; return the added rows if every table they went to was empty."""
    before = {model: _pks(model) for model in _models()}
    reference_seed()
    sla_seed()
    tables = []
    for model, pks in before.items():
        added = model._base_manager.exclude(pk__in=pks).order_by("pk")
        attnames = [field.attname for field in model._meta.concrete_fields]
        rows = list(added.values(*attnames))
        if not rows:
            continue
        if pks or model._meta.parents:
            return None  # not a copy that can be replayed into empty tables
        tables.append(_Table(model, rows))
    return tables


def default_reference_data() -> None:
    """Make the default reference data exist, as `reference_seed(); sla_seed()` would
    in a database that lacks it."""
    key = connection.settings_dict["NAME"]
    tables = _recorded.get(key)
    if tables is None:
        recorded = _record()
        if recorded is not None:
            _recorded[key] = recorded
        return
    if any(table.model._base_manager.exists() for table in tables):
        reference_seed()
        sla_seed()
        return
    # One transaction: foreign keys (deferred) are checked once every table is back,
    # also in transactional tests, which run in autocommit.
    with transaction.atomic():
        for table in tables:
            table.model._base_manager.bulk_create(table.model(**row) for row in table.rows)
    calendar_changed()
