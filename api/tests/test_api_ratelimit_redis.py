"""Rate limits with the shared cache on Redis (REDIS_URL): counted in Redis, shared by
every process; counted in the database while Redis cannot be reached, never a 500.

The throttle's clock is pinned (see test_api_ratelimit.py)."""

import os

import pytest
from django.test import Client

from accounts.models import User
from api.models import RateCounter
from api.tests.test_api_access import api_get, assert_error, token_for

# clock, small_limits: the pinned clock and the small budgets (3/m per user, 2/m per
# address) of the tests without Redis, used as fixtures by name.
from api.tests.test_api_ratelimit import PINNED, clock, run_workers, small_limits  # noqa: F401
from testsupport.redis import RedisServer

# The key of user 424242's window at PINNED (minute windows), with the test prefix.
WINDOW_KEY = f"lpse-support-test:1:ratelimit:user:424242:{int(PINNED // 60) * 60}"


@pytest.mark.django_db
@pytest.mark.usefixtures("small_limits", "redis_cache")
def test_requests_are_counted_in_redis_not_in_the_database(client: Client, alice: User) -> None:
    # Given a user with three requests in this minute
    raw = token_for(alice)
    for _ in range(3):
        assert api_get(client, raw, "/lpse").status_code == 200
    # When she makes a fourth
    response = api_get(client, raw, "/lpse")
    # Then it is refused with the seconds left in the window, as without Redis
    assert assert_error(response, 429)["code"] == "rate_limited"
    assert response["Retry-After"] == "50"
    # And the counting happened in Redis: the database holds no counter
    assert not RateCounter.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("small_limits")
def test_a_redis_outage_mid_window_falls_back_to_the_database_counter(
    client: Client, alice: User, redis_cache: RedisServer
) -> None:
    # Given a user who spent two of her three requests, counted in Redis
    raw = token_for(alice)
    for _ in range(2):
        assert api_get(client, raw, "/lpse").status_code == 200
    # When Redis stops in the middle of the window
    redis_cache.stop()
    statuses = [api_get(client, raw, "/lpse").status_code for _ in range(5)]
    # Then her requests are counted in the database: the budget still ends in a 429
    # (the database counts this window from zero), and nothing fails
    assert statuses == [200, 200, 200, 429, 429]
    assert RateCounter.objects.get(key=f"user:{alice.pk}").hits == 5
    # And requests without a token are limited per address the same way
    anonymous = [client.get("/api/v1/lpse").status_code for _ in range(3)]
    assert anonymous == [401, 401, 429]
    # When Redis is back (restarted, empty), counting returns there
    redis_cache.start()
    assert api_get(client, raw, "/lpse").status_code == 200
    assert RateCounter.objects.get(key=f"user:{alice.pk}").hits == 5


@pytest.mark.django_db(transaction=True)
def test_one_users_budget_holds_across_processes_in_redis(redis_server: RedisServer) -> None:
    # Given two separate processes of the app with REDIS_URL set, each trying 5 requests
    # of the same user within one window while the limit is 3 per minute
    env = {
        **os.environ,
        "API_RATE_LIMIT": "3/m",
        "REDIS_URL": redis_server.url,
        "REDIS_KEY_PREFIX": "lpse-support-test",
    }
    allowed = run_workers(env)
    # Then together they were allowed exactly 3, counted in Redis alone
    assert sum(allowed) == 3, allowed
    assert int(redis_server.client().get(WINDOW_KEY) or 0) == 10
    assert not RateCounter.objects.exists()
