"""Category suggestion (issue 18): training on resolved tickets, storage, suggestions.

The model itself is `lib/category_model.py` (TF-IDF + softmax regression in NumPy,
docs/category-model.md). Here it meets the database:

- **Labels** are category paths (``Penawaran › Gagal upload dokumen penawaran``) of an
  application code (``SPSE``), never ids, so a model survives renumbered or re-imported
  reference data; a path that no longer names an active leaf is simply not suggested.
- **Training** reads the newest resolved tickets (awaiting confirmation or closed after a
  resolution; merged and force-closed ones are not labels anybody checked) with their
  current category, which staff may have corrected.
- **Storage**: a `CategoryModel` row holding `Model.to_json()`; the highest version is
  in use. Each process parses it once and re-reads only when a newer row appears (one
  indexed query tells, at most every SUGGESTIONS_CACHE_SECONDS and whenever a model is
  stored: `model_freshness`).
"""

import datetime
import json
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Max
from django.db.models.functions import Substr

from knowledge.models import CategoryModel
from lib.category_model import Example, Model, ModelFormatError, Options, train
from reference.book import ReferenceBook
from reference.freshness import Freshness
from reference.models import Application, Category
from tickets.models import CloseReason, Status, Ticket

logger = logging.getLogger(__name__)

# Title and description are cut to this many characters, in training and in suggestion
# alike: the problem is named at the start, and long pasted logs would only cost memory.
TEXT_CHARS = 1000
# The newest this many resolved tickets: logreg costs about 170 CPU-seconds and 300 MB
# per 1,000 on the 2-core machine (docs/category-model.md), so the default trains in
# minutes; a larger window wants --classifier centroid (about 7 s per 1,000).
DEFAULT_LIMIT = 2_000
MIN_EXAMPLES = 50
# Between a category's parent and its name, as in `Category.path_label`.
PATH_SEPARATOR = " › "
# Every category of an application is ranked for the staff hint (a tree has dozens).
MAX_RANKED = 500
# Resolved tickets whose category is a label worth learning.
TRAINING_STATUSES = (Status.AWAITING_CONFIRMATION, Status.CLOSED)


class TooFewExamples(Exception):
    """Not enough examples (resolved tickets) to learn from; nothing was stored."""

    def __init__(self, examples: int, categories: int, minimum: int) -> None:
        self.examples = examples
        self.categories = categories
        self.minimum = minimum
        super().__init__(
            f"Too few examples to train on: {examples} example(s) in {categories} "
            f"categor{'y' if categories == 1 else 'ies'}; at least {minimum} examples in "
            "2 categories are needed. No model was stored."
        )


@dataclass(frozen=True)
class Training:
    """What `category_model_train` did."""

    examples: int
    categories: int
    applications: int
    read_seconds: float
    seconds: float  # training alone
    stored: CategoryModel | None  # None: a dry run


def model_text(title: str, description: str) -> str:
    """The text the model reads of a ticket (or of what a reporter typed)."""
    return f"{title}\n{description}"[:TEXT_CHARS]


def category_paths(categories: list[Category]) -> dict[int, str]:
    """Each category's path label (`Category.path_label`; parents must be selected)."""
    return {category.pk: category.path_label for category in categories}


def training_examples(*, limit: int) -> Iterator[Example]:
    """The newest `limit` resolved tickets of active leaf categories, as examples."""
    leaves = list(
        Category.objects.filter(is_leaf=True, is_active=True, application__is_active=True)
        .select_related("parent", "application")
        .order_by()
    )
    paths = category_paths(leaves)
    applications = {category.pk: category.application.code for category in leaves}
    rows = (
        Ticket.objects.filter(
            status__in=TRAINING_STATUSES,
            resolved_at__isnull=False,
            category_id__in=list(paths),
        )
        .exclude(close_reason=CloseReason.MERGED)
        .order_by("-resolved_at", "-id")
        .values_list("category_id", "title", Substr("description", 1, TEXT_CHARS))[:limit]
    )
    for category_id, title, description in rows.iterator(chunk_size=2000):
        yield Example(applications[category_id], paths[category_id], model_text(title, description))


def file_examples(path: Path) -> list[Example]:
    """Labelled texts from a JSON Lines file shaped like knowledge/eval/category_eval.jsonl
    (``application``, ``category`` as the path's names, ``title``, ``description``).

    Raises ValueError naming the line that cannot be read.
    """
    examples = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                names = [str(name) for name in row["category"]]
                text = model_text(str(row["title"]), str(row.get("description", "")))
                examples.append(Example(str(row["application"]), PATH_SEPARATOR.join(names), text))
            except (ValueError, KeyError, TypeError) as error:
                raise ValueError(f"{path}, line {number}: {error!r}") from error
    return examples


def category_model_train(
    *,
    examples: Iterable[Example] | None = None,
    limit: int = DEFAULT_LIMIT,
    options: Options | None = None,
    minimum: int = MIN_EXAMPLES,
    dry_run: bool = False,
    note: str = "",
) -> Training:
    """Train on the newest resolved tickets (or on `examples`, e.g. `file_examples`) and
    store the model as the next version.

    Raises TooFewExamples (and stores nothing) below `minimum` examples or with fewer
    than two categories.
    """
    reading = time.monotonic()
    rows = list(examples if examples is not None else training_examples(limit=limit))
    read_seconds = time.monotonic() - reading
    labels = {(row.application, row.category) for row in rows}
    if len(rows) < max(minimum, 1) or len(labels) < 2:
        raise TooFewExamples(len(rows), len(labels), minimum)
    started = time.monotonic()
    model = train(rows, options or Options())
    seconds = time.monotonic() - started
    stored: CategoryModel | None = None
    if not dry_run:
        stored = category_model_store(model, seconds=seconds, note=note)
    return Training(
        examples=len(rows),
        categories=len(labels),
        applications=len({row.application for row in rows}),
        read_seconds=read_seconds,
        seconds=seconds,
        stored=stored,
    )


def category_model_store(model: Model, *, seconds: float = 0.0, note: str = "") -> CategoryModel:
    """Store a trained model as the next version (the one suggestions use from now on)."""
    if model.options.pooled:
        labels = {(app, c) for app, cats in model.allowed.items() for c in cats}
    else:
        labels = {(app, c) for app, part in model.applications.items() for c in part.categories}
    with transaction.atomic():
        latest = CategoryModel.objects.aggregate(top=Max("version"))["top"] or 0
        return CategoryModel.objects.create(
            version=latest + 1,
            trained_at=datetime.datetime.fromisoformat(model.trained_at),
            examples=model.examples,
            categories=len(labels),
            classifier=model.options.classifier,
            seconds=round(seconds, 3),
            note=note[:300],
            payload=model.to_json(),
        )


# --- The model in use, once per process ----------------------------------------------------


class _Loaded:
    """The parsed model of one stored row, kept by this process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.key: tuple[int, datetime.datetime] | None = None
        self.model: Model | None = None


_loaded = _Loaded()
# Stored models are checked for at most every SUGGESTIONS_CACHE_SECONDS, and at once after
# one is stored or deleted (signals: knowledge.apps).
model_freshness = Freshness("knowledge:category-model:version", "SUGGESTIONS_CACHE_SECONDS")


def current_model() -> Model | None:
    """The newest stored model, parsed once per process (None when there is none).

    One small query finds the newest row's key (see `model_freshness` for how often);
    the payload is read and parsed only when that key changes. A row that cannot be read
    gives no suggestions (logged once), never an error on the reporter's page.
    """
    stamp = model_freshness.stale()
    if stamp is None:
        return _loaded.model
    newest = CategoryModel.objects.order_by("-version").values_list("pk", "trained_at").first()
    with _loaded.lock:
        if newest is None:
            _loaded.key, _loaded.model = None, None
        elif _loaded.key != newest:
            payload = CategoryModel.objects.filter(pk=newest[0]).values_list("payload", flat=True)
            model = None
            try:
                model = Model.from_json(payload.get())
            except (ModelFormatError, CategoryModel.DoesNotExist):
                logger.exception("category model %s cannot be read; no suggestions", newest[0])
            _loaded.key, _loaded.model = newest, model
        model_freshness.checked(stamp)
        return _loaded.model


def suggest_categories(application: Application, text: str, *, k: int = 3) -> list[Category]:
    """Up to `k` active leaf categories of `application` the model finds likeliest for
    `text`, best first; none without a model, a word or an application the model knows."""
    if k <= 0 or not text.strip():
        return []
    model = current_model()
    if model is None:
        return []
    # A few more than k: a suggested path may name a category deactivated since.
    ranked = model.top(text[:TEXT_CHARS], application.code, k + 5)
    if not ranked:
        return []
    by_path = ReferenceBook.current().leaves_by_path(application)
    found = [by_path[path] for path, _score in ranked if path in by_path]
    return found[:k]


# Staff are shown the model's suggestion when the reporter's choice "looks wrong" (issue
# 18), not merely second best: the model's likeliest category is another one, and the
# chosen one is less than HINT_RATIO as likely (probabilities of the logistic model); with
# another classifier, whose scores are no probabilities, when it is not in its top 3.
HINT_RATIO = 0.25
HINT_RANK = 3


def category_hint(
    application: Application, category_id: int, text: str, *, k: int = 3
) -> list[Category]:
    """The model's likeliest categories (up to `k`, best first) for a ticket of
    `application` filed under `category_id` when that choice looks wrong; else none
    (also without a model, or for an application or category the model does not know)."""
    model = current_model()
    if model is None or not text.strip():
        return []
    scored = model.top(text[:TEXT_CHARS], application.code, MAX_RANKED)
    leaves = ReferenceBook.current().leaves_by_path(application)
    ranked = [(leaves[path], score) for path, score in scored if path in leaves]
    chosen = [score for category, score in ranked if category.pk == category_id]
    if not ranked or not chosen or ranked[0][0].pk == category_id:
        return []
    if model.options.classifier == "logreg":
        looks_wrong = chosen[0] < HINT_RATIO * ranked[0][1]
    else:
        looks_wrong = category_id not in {category.pk for category, _ in ranked[:HINT_RANK]}
    return [category for category, _ in ranked[:k]] if looks_wrong else []
