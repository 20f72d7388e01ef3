"""`manage.py train_category_model`: learn category suggestions from resolved tickets."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from knowledge.categories import (
    DEFAULT_LIMIT,
    MIN_EXAMPLES,
    TooFewExamples,
    category_model_train,
    file_examples,
)
from knowledge.models import CategoryModel
from lib.category_model import CLASSIFIERS, Options


class Command(BaseCommand):
    help = (
        "Train the category-suggestion model on the newest resolved tickets (their final "
        "category) and store it as the next version, used by Buat Tiket from then on."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit",
            type=int,
            default=DEFAULT_LIMIT,
            help=f"the newest N resolved tickets (default {DEFAULT_LIMIT:,})",
        )
        parser.add_argument(
            "--min-examples",
            type=int,
            default=MIN_EXAMPLES,
            help=f"refuse with fewer tickets than this (default {MIN_EXAMPLES})",
        )
        parser.add_argument(
            "--classifier",
            choices=CLASSIFIERS,
            default=Options().classifier,
            help="logreg (default, docs/category-model.md) or the faster centroid / cnb",
        )
        parser.add_argument(
            "--from-file",
            type=Path,
            help="train on a JSON Lines file of labelled texts instead of resolved tickets "
            "(the shape of knowledge/eval/category_eval.jsonl)",
        )
        parser.add_argument("--note", default="", help="a note stored with the model")
        parser.add_argument(
            "--dry-run", action="store_true", help="train and report, store nothing"
        )
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="do nothing when a model is stored already (the demo's first start)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["limit"] < 1:
            raise CommandError("--limit must be at least 1.")
        if options["if_missing"] and CategoryModel.objects.exists():
            self.stdout.write("a category model is stored already: nothing to do")
            return
        source = options["from_file"]
        try:
            examples = file_examples(source) if source is not None else None
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read the examples: {error}") from error
        try:
            done = category_model_train(
                examples=examples,
                limit=options["limit"],
                options=Options(classifier=options["classifier"]),
                minimum=options["min_examples"],
                dry_run=options["dry_run"],
                note=options["note"],
            )
        except TooFewExamples as refused:
            raise CommandError(str(refused)) from refused
        what = f"texts read from {source}" if source else "resolved tickets read"
        self.stdout.write(
            f"{done.examples} {what} in {done.read_seconds:.1f} s "
            f"({done.categories} categories of {done.applications} applications)"
        )
        self.stdout.write(f"trained ({options['classifier']}) in {done.seconds:.1f} s")
        if done.stored is None:
            self.stdout.write("dry run: nothing stored")
        else:
            self.stdout.write(
                f"stored as version {done.stored.version} "
                f"({len(done.stored.payload) / 1e6:.1f} MB of JSON)"
            )
