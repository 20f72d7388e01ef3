"""The reference data a ticket is filed with, read once and kept per process.

Filing a ticket checks its LPSE, application, version, type and category and computes
its priority with the active rules: before the book, eight queries per ticket (issue
19). A `ReferenceBook` holds every row of those small tables (six queries) and answers
from memory; a table is read only when it is first needed.

Each process keeps its book for REFERENCE_CACHE_SECONDS together with the reference
version it read from the cache, as `sla.calendars.CalendarBook` does. Every save or
delete of one of these rows (the admin, the console, the seed commands: all through the
models) writes a new version once committed (`reference_changed`, connected in
`reference.apps`): with the shared cache (Redis) every process reads its book afresh at
its next use; with the per-process memory cache, this process does and the others
within the cache time. Tests keep it too, never from one test to the next (`kept`).

The objects are shared by every request of the process: read them, never change them.
"""

import time
import uuid
from collections.abc import Callable, Hashable, Mapping
from functools import cached_property
from types import MappingProxyType
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from reference.models import (
    Application,
    ApplicationVersion,
    Category,
    CodeKind,
    Lpse,
    PriorityRule,
    TicketType,
)

VERSION_KEY = "reference:version"
T = TypeVar("T")

_current: "tuple[float, str | None, ReferenceBook] | None" = None

# The models whose rows are in the book: a change to any of them ends every book.
BOOK_MODELS = (Lpse, Application, ApplicationVersion, Category, TicketType, PriorityRule)


def reference_changed(**_signal: Any) -> None:
    """A row of the book changed: every process reads the book afresh once the change is
    committed (a signal receiver: `reference.apps`)."""
    global _current
    _current = None
    transaction.on_commit(lambda: cache.set(VERSION_KEY, uuid.uuid4().hex, None))


class ReferenceBook:
    """Every LPSE, application, version, category and ticket type by id, and the active
    priority rules; each table is read at its first use (one query), then kept."""

    def __init__(self) -> None:
        self._memo: dict[Hashable, Any] = {}

    def memo(self, key: Hashable, build: "Callable[[], T]") -> "T":
        """A value derived from the book's rows (choices of a filter, a category tree),
        built at its first use and kept as long as this book is (two threads may both
        build it once: the same value)."""
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = build()
            return value

    @classmethod
    def current(cls) -> "ReferenceBook":
        """The book of this process: a new one at most every REFERENCE_CACHE_SECONDS,
        and once the reference version changed (`reference_changed`)."""
        global _current
        ttl = settings.REFERENCE_CACHE_SECONDS
        if ttl <= 0:
            return cls()
        now = time.monotonic()
        # Read before the book, so that a change committed meanwhile is seen next time.
        version = cache.get(VERSION_KEY)
        held = _current
        if held is not None and now - held[0] < ttl and held[1] == version:
            return held[2]
        book = cls()
        _current = (now, version, book)
        return book

    @cached_property
    def lpses(self) -> Mapping[int, Lpse]:
        return MappingProxyType({lpse.pk: lpse for lpse in Lpse.objects.order_by("pk")})

    @cached_property
    def applications(self) -> Mapping[int, Application]:
        return MappingProxyType({a.pk: a for a in Application.objects.order_by("pk")})

    @cached_property
    def versions(self) -> Mapping[int, ApplicationVersion]:
        """Each with its application attached (no query to read it)."""
        versions = {v.pk: v for v in ApplicationVersion.objects.order_by("pk")}
        for version in versions.values():
            version.application = self.applications[version.application_id]
        return MappingProxyType(versions)

    @cached_property
    def categories(self) -> Mapping[int, Category]:
        """Each with its application and its parent attached (no query to read them)."""
        categories = {c.pk: c for c in Category.objects.order_by("pk")}
        for category in categories.values():
            category.application = self.applications[category.application_id]
            category.parent = categories.get(category.parent_id) if category.parent_id else None
        return MappingProxyType(categories)

    @cached_property
    def ticket_types(self) -> Mapping[int, TicketType]:
        return MappingProxyType({t.pk: t for t in TicketType.objects.order_by("pk")})

    @cached_property
    def priority_rules(self) -> tuple[PriorityRule, ...]:
        """The active priority rules in evaluation order (`tickets.priority`)."""
        return tuple(PriorityRule.objects.filter(is_active=True).order_by("order"))

    def attach(self, row: Any) -> None:
        """Give a row (a ticket) its LPSE, application, version, category (with its
        parent) and ticket type from the book: no join and no query for them. A
        reference the book does not hold yet (a row newer than the book) is left to
        Django, which reads it when it is used."""
        for name, table in (
            ("lpse", self.lpses),
            ("application", self.applications),
            ("version", self.versions),
            ("category", self.categories),
            ("ticket_type", self.ticket_types),
        ):
            pk = getattr(row, f"{name}_id", None)
            if pk is not None and (found := table.get(pk)) is not None:
                setattr(row, name, found)

    # --- What Buat Tiket may be filed with (the choices of tickets.forms) -------------

    def active_lpse(self, pk: int) -> Lpse | None:
        lpse = self.lpses.get(pk)
        return lpse if lpse is not None and lpse.is_active else None

    def active_application(self, pk: int) -> Application | None:
        application = self.applications.get(pk)
        return application if application is not None and application.is_active else None

    def version_of(self, application: Application | None, pk: int) -> ApplicationVersion | None:
        """An active version of `application` (None without an application)."""
        version = self.versions.get(pk)
        if application is None or version is None:
            return None
        ok = version.is_active and version.application_id == application.pk
        return version if ok else None

    def leaf_of(self, application: Application | None, pk: int) -> Category | None:
        """An active leaf category of `application` (None without an application)."""
        category = self.categories.get(pk)
        if application is None or category is None:
            return None
        ok = category.is_active and category.is_leaf and category.application_id == application.pk
        return category if ok else None

    @cached_property
    def _leaves_by_path(self) -> dict[int, Mapping[str, Category]]:
        leaves: dict[int, dict[str, Category]] = {}
        for category in self.categories.values():
            if category.is_leaf and category.is_active:
                leaves.setdefault(category.application_id, {})[category.path_label] = category
        return {pk: MappingProxyType(by_path) for pk, by_path in leaves.items()}

    def leaves_by_path(self, application: Application) -> Mapping[str, Category]:
        """The active leaf categories of `application` by their path ("Parent › Leaf"),
        as the category model names them (`knowledge.categories`)."""
        return self._leaves_by_path.get(application.pk, MappingProxyType({}))

    def code_kinds_of(self, application: Application) -> list[str]:
        """The kinds of code the application's active leaf categories take, in CodeKind
        order."""
        present = {
            c.code_kind
            for c in self.categories.values()
            if c.application_id == application.pk and c.is_leaf and c.is_active
        }
        return [kind for kind in CodeKind.values if kind != CodeKind.NONE and kind in present]
