"""Accuracy of the offline category model (issue 18) on the hand-written evaluation set.

    /work/main/.venv/bin/python scripts/evaluate_category_model.py
    ... --classifier centroid --no-bigrams --char 0 0     (the variants of the docs)

Prints, without a database:

1. stratified 5-fold cross-validation on knowledge/eval/category_eval.jsonl (top-1 and
   top-3, overall and per application), beside two majority-class baselines;
2. transfer: trained on texts of the synthetic-data generator (lib/synthetic.py, the
   texts `make demo` and the benchmarks file), tested on the whole evaluation set;
3. timing of training and of one suggestion (median of many): numbers, no assertions.

docs/category-model.md records the results.
"""

import argparse
import json
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lib.category_model import CLASSIFIERS, Example, Model, Options, train
from lib.synthetic import TENDER_STAGES, WordModel, cumulative, ticket_text, weighted_index
from lib.synthetic import zipf_weights as zipf
from reference.seed_data import CATEGORIES

EVAL_FILE = Path(__file__).resolve().parent.parent / "knowledge" / "eval" / "category_eval.jsonl"
SEPARATOR = " › "
Predict = Callable[[Example], list[str]]


def load_eval() -> list[Example]:
    examples = []
    with EVAL_FILE.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            text = f"{row['title']}\n{row['description']}"
            examples.append(Example(row["application"], SEPARATOR.join(row["category"]), text))
    return examples


def stratified_folds(examples: Sequence[Example], k: int, seed: int) -> list[list[int]]:
    """k folds, each (application, category) dealt round-robin after a seeded shuffle."""
    by_label: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, example in enumerate(examples):
        by_label[(example.application, example.category)].append(i)
    rng = random.Random(seed)
    folds: list[list[int]] = [[] for _ in range(k)]
    offset = 0
    for label in sorted(by_label):
        members = by_label[label]
        rng.shuffle(members)
        for j, i in enumerate(members):
            folds[(offset + j) % k].append(i)
        offset += len(members)  # spread the remainders over the folds
    return folds


def majority(training: Sequence[Example], *, per_application: bool) -> Predict:
    """The most frequent categories of the training part (within the application or not)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for example in training:
        counts[example.application if per_application else ""][example.category] += 1

    def predict(example: Example) -> list[str]:
        ranked = counts[example.application if per_application else ""]
        # Ties by name, so the baseline is deterministic.
        return [c for c, _n in sorted(ranked.items(), key=lambda kv: (-kv[1], kv[0]))[:3]]

    return predict


def model_predict(model: Model) -> Predict:
    return lambda example: [c for c, _s in model.top(example.text, example.application, k=3)]


class Tally:
    """Top-1 and top-3 hits, overall and per application."""

    def __init__(self) -> None:
        self.hits: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])

    def add(self, example: Example, ranked: list[str]) -> None:
        for key in ("ALL", example.application):
            row = self.hits[key]
            row[0] += ranked[:1] == [example.category]
            row[1] += example.category in ranked[:3]
            row[2] += 1

    def rate(self, key: str, top: int) -> float:
        row = self.hits[key]
        return 100 * row[0 if top == 1 else 1] / row[2]


def print_table(title: str, columns: dict[str, Tally], examples: Sequence[Example]) -> None:
    leaves: dict[str, set[str]] = defaultdict(set)
    for example in examples:
        leaves[example.application].add(example.category)
        leaves["ALL"].add(f"{example.application}{SEPARATOR}{example.category}")
    apps = ["ALL", *sorted(leaves.keys() - {"ALL"}, key=lambda a: (-len(leaves[a]), a))]
    print(f"\n{title}")
    header = f"| {'application':<11} | texts | leaves |"
    rule = "|---|---:|---:|"
    for name in columns:
        header += f" {name} top-1 | {name} top-3 |"
        rule += "---:|---:|"
    print(header)
    print(rule)
    for app in apps:
        any_tally = next(iter(columns.values()))
        line = f"| {app:<11} | {any_tally.hits[app][2]:>5} | {len(leaves[app]):>6} |"
        for tally in columns.values():
            line += f" {tally.rate(app, 1):5.1f} % | {tally.rate(app, 3):5.1f} % |"
        print(line)


def cross_validate(examples: list[Example], options: Options, k: int, seed: int) -> None:
    columns = {"model": Tally(), "majority in app": Tally(), "majority overall": Tally()}
    train_seconds = []
    for fold in stratified_folds(examples, k, seed):
        held = set(fold)
        training = [e for i, e in enumerate(examples) if i not in held]
        started = time.perf_counter()
        model = train(training, options)
        train_seconds.append(time.perf_counter() - started)
        predictors = {
            "model": model_predict(model),
            "majority in app": majority(training, per_application=True),
            "majority overall": majority(training, per_application=False),
        }
        for i in fold:
            for name, predict in predictors.items():
                columns[name].add(examples[i], predict(examples[i]))
    print_table(
        f"Stratified {k}-fold cross-validation on the evaluation set "
        f"({len(examples)} texts, seed {seed}; train ≈ {len(examples) * (k - 1) // k} per fold)",
        columns,
        examples,
    )
    print(f"\ntrain time per fold: median {statistics.median(train_seconds):.2f} s")


def synthetic_examples(count: int, seed: int) -> list[Example]:
    """Texts of the demo-data generator, labelled with the leaf they were drawn from.

    Applications uniformly, leaves by the generator's Zipf(0.8) weights in seed order.
    """
    rng = random.Random(seed)
    word_model = WordModel()
    leaves = {
        app: [(feature, leaf[0]) for feature, group in trees for leaf in group]
        for app, trees in CATEGORIES.items()
    }
    leaf_cum = {app: cumulative(zipf(len(names), 0.8)) for app, names in leaves.items()}
    apps = sorted(leaves)
    examples = []
    for _ in range(count):
        app = rng.choice(apps)
        feature, leaf = leaves[app][weighted_index(rng, leaf_cum[app])]
        stage = rng.choice(TENDER_STAGES)
        code = str(rng.randint(10_000, 99_999_999)) if rng.random() < 0.6 else ""
        title, description = ticket_text(
            rng, word_model, leaf=leaf, stage=stage, app=app, code=code, unit="Dinas Kesehatan"
        )
        examples.append(Example(app, f"{feature}{SEPARATOR}{leaf}", f"{title}\n{description}"))
    return examples


def transfer(examples: list[Example], options: Options, count: int, seed: int) -> None:
    generated = synthetic_examples(count, seed)
    started = time.perf_counter()
    model = train(generated, options)
    seconds = time.perf_counter() - started
    tally = Tally()
    for example in examples:
        tally.add(example, model_predict(model)(example))
    baseline = Tally()
    predict = majority(generated, per_application=True)
    for example in examples:
        baseline.add(example, predict(example))
    print_table(
        f"Trained on {count} generated texts (seed {seed}), tested on all {len(examples)} "
        "evaluation texts",
        {"model": tally, "majority in app": baseline},
        examples,
    )
    print(f"\ntrain time: {seconds:.2f} s")


def timing(examples: list[Example], options: Options, repeat: int) -> None:
    started = time.perf_counter()
    model = train(examples, options)
    trained = time.perf_counter() - started
    payload = model.to_json()
    started = time.perf_counter()
    Model.from_json(payload)
    loaded = time.perf_counter() - started
    spent = []
    for i in range(repeat):
        example = examples[i % len(examples)]
        started = time.perf_counter()
        model.top(example.text, example.application, k=3)
        spent.append(time.perf_counter() - started)
    spent.sort()
    median, p95 = statistics.median(spent) * 1000, spent[int(0.95 * len(spent))] * 1000
    print(
        f"\nTrained on all {len(examples)} texts: {trained:.2f} s; JSON {len(payload) / 1e6:.1f} MB"
    )
    print(f"read back in {loaded:.2f} s; one suggestion ({repeat} calls): median {median:.2f} ms,")
    print(f"p95 {p95:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--classifier", choices=CLASSIFIERS, default=Options.classifier)
    parser.add_argument("--no-bigrams", action="store_true", help="no word bigrams")
    parser.add_argument(
        "--char", nargs=2, type=int, default=Options.char_ngrams, metavar=("LOW", "HIGH")
    )
    parser.add_argument(
        "--per-application", action="store_true", help="one classifier per application"
    )
    parser.add_argument("--min-df", type=int, default=Options.min_df)
    parser.add_argument("--l2", type=float, default=Options.l2)
    parser.add_argument("--epochs", type=int, default=Options.epochs)
    parser.add_argument("--folds", type=int, default=5, help="0: skip cross-validation")
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--synthetic", type=int, default=6000, help="generated texts (0: skip)")
    parser.add_argument("--repeat", type=int, default=2000, help="timed suggestions")
    args = parser.parse_args()
    options = Options(
        word_bigrams=not args.no_bigrams,
        char_ngrams=(args.char[0], args.char[1]),
        min_df=args.min_df,
        classifier=args.classifier,
        l2=args.l2,
        epochs=args.epochs,
        pooled=not args.per_application,
    )
    print(f"Options: {options}")
    examples = load_eval()
    if args.folds:
        cross_validate(examples, options, args.folds, args.seed)
    if args.synthetic:
        transfer(examples, options, args.synthetic, args.seed)
    if args.repeat:
        timing(examples, options, args.repeat)


if __name__ == "__main__":
    main()
