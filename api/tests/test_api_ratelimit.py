"""Requests per token are limited (settings.API_RATE_LIMIT): 429 with Retry-After."""

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import User
from api.api import api
from api.tests.test_api_access import api_get, assert_error, token_for


@pytest.fixture
def three_per_minute(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The throttle reads its rate once, at import: set a small one on the instance."""
    throttles = api.throttle
    assert isinstance(throttles, list) and len(throttles) == 1
    throttle = throttles[0]
    monkeypatch.setattr(throttle, "rate", "3/m")
    monkeypatch.setattr(throttle, "num_requests", 3)
    monkeypatch.setattr(throttle, "duration", 60)
    cache.clear()
    yield
    cache.clear()


def test_the_fourth_request_in_a_minute_is_429(
    client: Client, alice: User, three_per_minute: None
) -> None:
    raw = token_for(alice)
    for _ in range(3):
        assert api_get(client, raw, "/ticket-types").status_code == 200
    response = api_get(client, raw, "/tickets")
    body = assert_error(response, 429)
    assert body["code"] == "rate_limited"
    assert "Terlalu banyak permintaan" in body["message"]
    retry = int(response["Retry-After"])
    assert 1 <= retry <= 61


def test_each_token_has_its_own_budget(
    client: Client, alice: User, bob: User, three_per_minute: None
) -> None:
    first, second = token_for(alice, "Satu"), token_for(alice, "Dua")
    for _ in range(3):
        assert api_get(client, first, "/lpse").status_code == 200
    assert api_get(client, first, "/lpse").status_code == 429
    # A second token of the same user, and another user's token, still pass
    for raw in (second, token_for(bob)):
        for _ in range(3):
            assert api_get(client, raw, "/lpse").status_code == 200
        assert api_get(client, raw, "/lpse").status_code == 429


def test_bad_tokens_are_401_not_429(client: Client, alice: User, three_per_minute: None) -> None:
    for _ in range(6):
        response = client.get("/api/v1/lpse", HTTP_AUTHORIZATION="Bearer lps_00000000_salah")
        assert response.status_code == 401
    assert api_get(client, token_for(alice), "/lpse").status_code == 200
