"""Rate limits: API_RATE_LIMIT per user (all of their tokens together), API_ANON_RATE_LIMIT
per client address for requests without a valid token; counted in the database so that
every process shares one budget. 429 with Retry-After.

The clock of the throttle is pinned in every test: windows are fixed, and a test that
happened to cross a window boundary would otherwise see its budget renewed."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from pytest_django.fixtures import Settings

from accounts.models import User
from api.models import RateCounter
from api.ratelimit import UserRateThrottle, rate_parse
from api.tests.test_api_access import api_get, assert_error, token_for

# Ten seconds into a minute: a 60-second window has 50 seconds left.
PINNED = 1_800_000_010.0


class Clock:
    def __init__(self) -> None:
        self.now = PINNED

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    pinned = Clock()
    monkeypatch.setattr(UserRateThrottle, "timer", staticmethod(pinned))
    return pinned


@pytest.fixture
def small_limits(settings: Settings, clock: Clock) -> Iterator[None]:
    settings.API_RATE_LIMIT = "3/m"
    settings.API_ANON_RATE_LIMIT = "2/m"
    yield


def test_the_fourth_request_in_a_minute_is_429(
    client: Client, alice: User, small_limits: None
) -> None:
    # Given a user who made three requests in this minute
    raw = token_for(alice)
    for _ in range(3):
        assert api_get(client, raw, "/ticket-types").status_code == 200
    # When she makes a fourth
    response = api_get(client, raw, "/tickets")
    # Then it is refused in the error format, with the seconds left in the window
    body = assert_error(response, 429)
    assert body["code"] == "rate_limited"
    assert "Terlalu banyak permintaan" in body["message"]
    assert response["Retry-After"] == "50"


def test_all_tokens_of_one_user_share_one_budget(
    client: Client, alice: User, bob: User, small_limits: None
) -> None:
    # Given two tokens of alice
    first, second = token_for(alice, "Satu"), token_for(alice, "Dua")
    # When she spends her budget with both
    for raw in (first, second, first):
        assert api_get(client, raw, "/lpse").status_code == 200
    # Then neither token gets more
    assert api_get(client, first, "/lpse").status_code == 429
    assert api_get(client, second, "/lpse").status_code == 429
    # And bob's budget is his own
    other = token_for(bob)
    for _ in range(3):
        assert api_get(client, other, "/lpse").status_code == 200
    assert api_get(client, other, "/lpse").status_code == 429


def test_the_budget_is_renewed_in_the_next_window(
    client: Client, alice: User, clock: Clock, small_limits: None
) -> None:
    # Given a user whose budget is spent
    raw = token_for(alice)
    for _ in range(3):
        api_get(client, raw, "/lpse")
    assert api_get(client, raw, "/lpse").status_code == 429
    # When the next minute begins
    clock.now += 50
    # Then she may go on
    assert api_get(client, raw, "/lpse").status_code == 200


def test_requests_without_a_valid_token_are_limited_per_address(
    client: Client, alice: User, small_limits: None
) -> None:
    # Given two requests from one address with a wrong token and without any
    assert client.get("/api/v1/lpse", HTTP_AUTHORIZATION="Bearer lps_0_salah").status_code == 401
    assert client.get("/api/v1/lpse").status_code == 401
    # When a third comes from there
    response = client.get("/api/v1/lpse", HTTP_AUTHORIZATION="Bearer lps_1_salah")
    # Then it is refused as too many, before the token is even looked at
    body = assert_error(response, 429)
    assert body["code"] == "rate_limited" and response["Retry-After"] == "50"
    # And another address still gets its own answer
    assert client.get("/api/v1/lpse", REMOTE_ADDR="10.1.2.3").status_code == 401
    # And a valid token from the same address is counted against its user, not the address
    assert api_get(client, token_for(alice), "/lpse").status_code == 200


@pytest.mark.parametrize(
    ("rate", "parsed"), [("120/m", (120, 60)), ("5/s", (5, 1)), ("1000/d", (1000, 86400))]
)
def test_rates_are_read_in_the_settings_syntax(rate: str, parsed: tuple[int, int]) -> None:
    assert rate_parse(rate) == parsed


@pytest.mark.parametrize("rate", ["", "banyak", "10/minggu", "x/m", "10"])
def test_a_malformed_rate_is_refused_by_name(rate: str) -> None:
    with pytest.raises(ValueError, match="Invalid rate"):
        rate_parse(rate)


# One process of the app: counts `attempts` requests of one user at a pinned time
# through the throttle the API uses, against the test database, and prints how many
# were allowed.
WORKER = """
import os, sys
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "lpse_support.settings"
django.setup()
from django.db import connection
connection.settings_dict["NAME"] = sys.argv[1]
from django.http import HttpRequest
from accounts.models import User
from api.ratelimit import UserRateThrottle
throttle = UserRateThrottle()
throttle.timer = lambda: float(sys.argv[3])
request = HttpRequest()
request.auth = object()
request.user = User(pk=int(sys.argv[2]))
print(sum(throttle.allow_request(request) for _ in range(int(sys.argv[4]))))
"""


def run_workers(env: dict[str, str], *, processes: int = 2) -> list[int]:
    """Run `processes` WORKERs at once (5 requests of user 424242 each, at PINNED) on the
    test database; how many requests each was allowed."""
    database = str(connection.settings_dict["NAME"])
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, database, "424242", str(PINNED), "5"],
            cwd=Path(__file__).resolve().parents[2],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    allowed = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        allowed.append(int(out.strip()))
    return allowed


@pytest.mark.django_db(transaction=True)
def test_one_users_budget_holds_across_processes() -> None:
    # Given two separate processes of the app, each trying 5 requests of the same user
    # within one window while the limit is 3 per minute
    allowed = run_workers({**os.environ, "API_RATE_LIMIT": "3/m"})
    # Then together they were allowed exactly 3, however their requests interleaved
    assert sum(allowed) == 3, allowed
    assert RateCounter.objects.get(key="user:424242").hits == 10
