"""The hand-written category evaluation set of issue 18 (`knowledge/eval/category_eval.jsonl`).

The set is read as plain data against `reference/seed_data.py`; no database is needed.
"""

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from reference.seed_data import APPLICATIONS, CATEGORIES

EVAL_FILE = Path(__file__).resolve().parent.parent / "knowledge" / "eval" / "category_eval.jsonl"
STYLES = {"formal", "informal", "typo", "short", "long"}
FIELDS = {"application", "category", "title", "description", "style"}
MIN_PER_LEAF = 10  # the issue asks for 8; the set keeps at least 10


def _leaf_paths() -> set[tuple[str, tuple[str, ...]]]:
    return {
        (application, (feature, leaf[0]))
        for application, trees in CATEGORIES.items()
        for feature, leaves in trees
        for leaf in leaves
    }


def _records() -> list[dict[str, Any]]:
    text = EVAL_FILE.read_bytes().decode("utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_file_is_utf8_without_bom_and_every_line_is_a_json_object() -> None:
    raw = EVAL_FILE.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8").splitlines()
    assert all(line.strip() for line in lines), "no blank lines"
    for number, line in enumerate(lines, start=1):
        record = json.loads(line)
        assert isinstance(record, dict), f"line {number}"
        assert set(record) == FIELDS, f"line {number}: fields {sorted(record)}"
        assert isinstance(record["category"], list), f"line {number}"
        for field in ("application", "title", "description", "style"):
            assert isinstance(record[field], str) and record[field].strip(), f"line {number}"


def test_every_label_is_a_leaf_of_its_application_in_seed_data() -> None:
    applications = {code for code, *_ in APPLICATIONS}
    leaves = _leaf_paths()
    for number, record in enumerate(_records(), start=1):
        assert record["application"] in applications, f"line {number}"
        assert (record["application"], tuple(record["category"])) in leaves, (
            f"line {number}: {record['application']} {record['category']} is not a leaf"
        )


def test_every_leaf_has_enough_texts() -> None:
    counts = Counter((r["application"], tuple(r["category"])) for r in _records())
    short = {leaf: counts[leaf] for leaf in _leaf_paths() if counts[leaf] < MIN_PER_LEAF}
    assert short == {}


def test_no_two_texts_are_identical() -> None:
    keys = Counter(
        (r["title"].strip().casefold(), r["description"].strip().casefold()) for r in _records()
    )
    assert [key for key, n in keys.items() if n > 1] == []


@pytest.mark.parametrize("style", sorted(STYLES))
def test_every_style_occurs(style: str) -> None:
    styles = Counter(r["style"] for r in _records())
    assert set(styles) <= STYLES
    assert styles[style] > 0
