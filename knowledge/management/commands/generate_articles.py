"""`manage.py generate_articles`: published synthetic Pusat Bantuan articles, in bulk.

    manage.py generate_articles --articles 5000 --seed 1

For the load benchmark (scripts/bench.py: Buat Tiket's suggestions search them). The
texts are `lib/synthetic_articles.py`'s, about the active leaf categories of the active
applications (more articles where more tickets were filed), with the symptoms
reporters write taken from the titles of knowledge/eval/category_eval.jsonl. They are
written in bulk as published articles of one editor (`synthetic-editor`, created when
missing): one version each, their applications and categories, and their search entries
(`article_search_write`, as the services keep them). Deterministic per seed; a seed
already generated is refused.
"""

import datetime
import math
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from accounts.services import staff_member_upsert
from knowledge.categories import file_examples
from knowledge.models import Article, ArticleStatus, ArticleVersion
from knowledge.search import article_search_write
from lib.synthetic_articles import SyntheticArticle, Topic, synthetic_articles
from reference.models import Category
from tickets.models import Ticket

EVAL_FILE = Path(settings.BASE_DIR) / "knowledge" / "eval" / "category_eval.jsonl"
SYMPTOMS_PER_TOPIC = 12
EDITOR = "synthetic-editor"
BATCH = 1000


def topics_of_categories(symptom_file: Path | None) -> tuple[list[Topic], dict[str, Any]]:
    """A topic per active leaf of an active application, and the leaves by (code, path)."""
    leaves = list(
        Category.objects.filter(is_leaf=True, is_active=True, application__is_active=True)
        .select_related("parent", "application")
        .order_by("application__code", "id")
    )
    filed = Counter(
        dict(
            Ticket.objects.order_by()
            .values_list("category_id")
            .annotate(n=Count("id"))
            .values_list("category_id", "n")
        )
    )
    symptoms: dict[tuple[str, str], list[str]] = {}
    if symptom_file is not None:
        for example in file_examples(symptom_file):
            title = example.text.split("\n", 1)[0].strip()
            found = symptoms.setdefault((example.application, example.category), [])
            if title and len(found) < SYMPTOMS_PER_TOPIC:
                found.append(title)
    topics = []
    by_path: dict[str, Any] = {}
    for leaf in leaves:
        code = leaf.application.code
        by_path[f"{code}\0{leaf.path_label}"] = leaf
        topics.append(
            Topic(
                application=code,
                application_name=leaf.application.name,
                parent=leaf.parent.name if leaf.parent else "",
                leaf=leaf.name,
                symptoms=tuple(symptoms.get((code, leaf.path_label), ())),
                # More help where more tickets are filed, without starving the quiet ones.
                weight=1.0 + math.sqrt(filed.get(leaf.pk, 0)),
            )
        )
    return topics, by_path


def articles_write(
    written: list[SyntheticArticle],
    *,
    editor: User,
    seed: int,
    by_path: dict[str, Any],
    rng: random.Random,
) -> None:
    """Store the articles as published, with a version, their links and search entries."""
    now = timezone.now()
    rows = []
    for number, item in enumerate(written, start=1):
        published = now - datetime.timedelta(days=rng.randint(1, 900))
        rows.append(
            Article(
                title=item.title,
                slug=f"{slugify(item.title)[:90]}-{seed}-{number}",
                summary=item.summary,
                body=item.body,
                status=ArticleStatus.PUBLISHED,
                author=editor,
                published_at=published,
                last_reviewed_on=(published + datetime.timedelta(days=rng.randint(0, 60))).date(),
            )
        )
    Article.objects.bulk_create(rows, batch_size=BATCH)
    ArticleVersion.objects.bulk_create(
        [
            ArticleVersion(
                article=row,
                number=1,
                title=row.title,
                body=row.body,
                editor=editor,
                saved_at=row.published_at or now,
            )
            for row in rows
        ],
        batch_size=BATCH,
    )
    app_links, category_links = [], []
    apps = Article.applications.through
    cats = Article.categories.through
    for row, item in zip(rows, written, strict=True):
        if item.application is None:
            continue
        leaves = [by_path[f"{item.application}\0{path}"] for path in item.categories]
        app_links.append(apps(article_id=row.pk, application_id=leaves[0].application_id))
        category_links += [cats(article_id=row.pk, category_id=leaf.pk) for leaf in leaves]
    apps.objects.bulk_create(app_links, batch_size=BATCH)
    cats.objects.bulk_create(category_links, batch_size=BATCH)
    for row in rows:
        article_search_write(row)


class Command(BaseCommand):
    help = (
        "Generate N published synthetic help articles (for the load benchmark), with their "
        "search entries; deterministic per seed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--articles", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--symptoms",
            type=Path,
            default=EVAL_FILE,
            help="a JSON Lines file of labelled ticket texts whose titles the articles quote "
            "as symptoms (default: the evaluation set)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        count, seed = options["articles"], options["seed"]
        if count < 1:
            raise CommandError("--articles must be at least 1.")
        if Article.objects.filter(slug__endswith=f"-{seed}-1", author__username=EDITOR).exists():
            raise CommandError(f"Articles of seed {seed} exist already: nothing was written.")
        try:
            topics, by_path = topics_of_categories(options["symptoms"])
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read the symptoms: {error}") from error
        if not topics:
            raise CommandError("No active leaf category: load the reference data first.")
        rng = random.Random(seed)
        written = synthetic_articles(rng, topics, count)
        with transaction.atomic():
            editor = staff_member_upsert(
                username=EDITOR,
                full_name="Editor Artikel Sintetis",
                email="synthetic-editor@lkpp.example",
                assignments=[("editor", None, None, "Editor Pusat Bantuan")],
            )
            articles_write(written, editor=editor, seed=seed, by_path=by_path, rng=rng)
        self.stdout.write(
            f"{count} articles about {len(topics)} categories written in "
            f"{time.perf_counter() - started:.1f} s"
        )
