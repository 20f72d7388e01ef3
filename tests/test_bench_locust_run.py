"""scripts/bench.py: a scenario run in which no request was answered runs once more."""

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import bench as B

SCENARIO = B.Scenario("api_list", "API list GET /api/v1/tickets", "ApiList")


def run_with(
    monkeypatch: pytest.MonkeyPatch, answers: list[B.Result]
) -> tuple[B.Result, list[int]]:
    """locust_run over scripted runs (locust itself is the bench's to run): the result
    and the seconds of each run made."""
    runs: list[int] = []

    def once(scenario: B.Scenario, *, seconds: int, **_: Any) -> B.Result:
        runs.append(seconds)
        return answers[len(runs) - 1]

    monkeypatch.setattr(B, "_locust_once", once)
    result = B.locust_run(
        SCENARIO, env={}, url="https://127.0.0.1:1", users=8, seconds=4, work=Path("/nonexistent")
    )
    return result, runs


def test_a_run_with_no_request_answered_runs_again_three_times_as_long(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    second = B.Result("api_list", "API list", requests=30)
    result, runs = run_with(monkeypatch, [B.Result("api_list", "API list"), second])
    assert runs == [4, 12]
    assert result is second


def test_a_second_empty_run_stays_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    empty = [B.Result("api_list", "API list"), B.Result("api_list", "API list")]
    result, runs = run_with(monkeypatch, empty)
    assert runs == [4, 12]
    assert result.requests == 0  # and the caller's check fails on it


@pytest.mark.parametrize(
    "first",
    [
        B.Result("api_list", "API list", requests=5),
        B.Result("api_list", "API list", requests=2, failures=2),  # failures stand
    ],
)
def test_a_run_with_answers_or_failures_is_not_repeated(
    monkeypatch: pytest.MonkeyPatch, first: B.Result
) -> None:
    result, runs = run_with(monkeypatch, [first])
    assert runs == [4]
    assert result is first
