"""Personal API tokens: the page Akun › Token API, revoking, and tokens as credentials."""

import re
from typing import Any

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from accounts.models import ApiToken, User
from accounts.tokens import (
    MAX_ACTIVE_TOKENS,
    TokenLimitReached,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)
from lib.errors import NotFound

TOKENS_URL = "/akun/token/"
PING = "/api/v1/ticket-types"  # any authenticated read


def _revoke_url(token: ApiToken) -> str:
    return f"/akun/token/{token.pk}/cabut/"


def _shown_token(html: str) -> str:
    found = re.search(r'<code class="token-once" id="token-baru">([^<]+)</code>', html)
    assert found, "the new token is shown once"
    return found.group(1)


def _api_status(client: Client, raw: str) -> int:
    return client.get(PING, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code


def _row_texts(token: ApiToken) -> list[str]:
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    return [str(value) for value in row.values()]


@pytest.fixture
def fast_passwords(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _person(request: pytest.FixtureRequest, name: str) -> User:
    request.getfixturevalue("fast_passwords")
    user: User = request.getfixturevalue(name)
    return user


@pytest.mark.parametrize("persona", ["alice", "agent"])
def test_the_page_shows_a_new_token_once_and_stores_only_its_hash(
    client: Client, request: pytest.FixtureRequest, persona: str
) -> None:
    # Given a signed-in reporter or staff member
    user = _person(request, persona)
    client.force_login(user)
    assert client.get(TOKENS_URL).status_code == 200
    # When they create a token
    response = client.post(TOKENS_URL, {"name": "Skrip rekap"})
    # Then the full token is shown once
    assert response.status_code == 200
    raw = _shown_token(response.content.decode())
    token = ApiToken.objects.get(user=user)
    assert token.name == "Skrip rekap"
    assert raw.startswith(f"lps_{token.prefix}_")
    secret = raw.split("_", 2)[2]
    assert len(secret) >= 32
    # and it works
    assert _api_status(client, raw) == 200
    # The list afterwards shows only the prefix
    html = client.get(TOKENS_URL).content.decode()
    assert f"lps_{token.prefix}_" in html
    assert secret not in html and raw not in html
    assert "token-baru" not in html
    # and the database keeps a hash, never the secret
    for value in _row_texts(token):
        assert secret not in value and raw not in value
    assert len(token.key_hash) == 64 and token.key_hash != secret


def test_a_token_name_is_required(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.post(TOKENS_URL, {"name": ""})
    assert response.status_code == 400
    assert "token-baru" not in response.content.decode()
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("persona", ["alice", "agent"])
def test_revoking_makes_the_token_answer_401(
    client: Client, request: pytest.FixtureRequest, persona: str
) -> None:
    user = _person(request, persona)
    token, raw = api_token_create(user=user, name="CI")
    _other, other_raw = api_token_create(user=user, name="Lain")
    client.force_login(user)
    assert _api_status(client, raw) == 200
    # When the owner revokes it on the page
    response = client.post(_revoke_url(token))
    assert response.status_code == 302
    assert response["Location"] == TOKENS_URL
    # Then it answers 401, is marked revoked, and the other token still works
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _api_status(client, raw) == 401
    assert _api_status(client, other_raw) == 200
    page = client.get(TOKENS_URL).content.decode()
    assert "Dicabut" in page
    # Revoking twice is harmless
    assert client.post(_revoke_url(token)).status_code == 302
    assert _api_status(client, raw) == 401


def test_revoking_needs_post(client: Client, alice: User) -> None:
    token, _raw = api_token_create(user=alice, name="CI")
    client.force_login(alice)
    assert client.get(_revoke_url(token)).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_another_users_token_does_not_exist(client: Client, alice: User, carol: User) -> None:
    # Given carol's token
    token, raw = api_token_create(user=carol, name="Milik carol")
    # When alice tries to revoke it
    client.force_login(alice)
    response = client.post(_revoke_url(token))
    missing = client.post("/akun/token/999999/cabut/")
    # Then it is a 404 like a token that does not exist, and it keeps working
    assert response.status_code == missing.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert _api_status(client, raw) == 200
    # and alice's page does not list it
    assert token.prefix not in client.get(TOKENS_URL).content.decode()
    with pytest.raises(NotFound):
        api_token_revoke(user=alice, token_id=token.pk)


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, alice: User) -> None:
    token, _ = api_token_create(user=alice, name="CI")
    for response in (
        client.get(TOKENS_URL),
        client.post(TOKENS_URL, {"name": "x"}),
        client.post(_revoke_url(token)),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/?next=")
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiToken.objects.count() == 1


@pytest.mark.parametrize(
    "header",
    [
        None,  # no header
        "Bearer",
        "Bearer ",
        "Basic YWxpY2U6ZGVtbw==",
        "Bearer lps_deadbeef",  # malformed: no secret
        "Bearer xyz_deadbeef_secret",  # not our marker
        "Bearer lps_deadbeef_notthesecretofanytoken",  # unknown prefix
        "Bearer lps__",
        "Bearer " + "a" * 5000,
    ],
)
def test_bad_credentials_are_401_in_the_error_format(
    client: Client, alice: User, header: str | None
) -> None:
    api_token_create(user=alice, name="CI")
    extra: dict[str, Any] = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    response = client.get(PING, **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == "unauthorized"
    assert body["fields"] == {}
    assert "token" in body["message"].lower()


def test_a_known_prefix_with_a_wrong_secret_is_401(client: Client, alice: User) -> None:
    token, raw = api_token_create(user=alice, name="CI")
    wrong = f"lps_{token.prefix}_{'x' * 43}"
    assert _api_status(client, wrong) == 401
    assert _api_status(client, raw + "x") == 401
    assert _api_status(client, raw) == 200


def test_a_revoked_token_is_401_with_the_error_format(client: Client, alice: User) -> None:
    token, raw = api_token_create(user=alice, name="CI")
    api_token_revoke(user=alice, token_id=token.pk)
    response = client.get(PING, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["code"] == "unauthorized"
    assert api_token_authenticate(raw) is None


def test_a_deactivated_users_token_is_401(client: Client, alice: User) -> None:
    _, raw = api_token_create(user=alice, name="CI")
    assert _api_status(client, raw) == 200
    User.objects.filter(pk=alice.pk).update(is_active=False)
    response = client.get(PING, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert set(response.json()) == {"code", "message", "fields"}


def test_using_a_token_records_when(client: Client, alice: User) -> None:
    token, raw = api_token_create(user=alice, name="CI")
    assert token.last_used_at is None
    assert _api_status(client, raw) == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_eleventh_active_token_is_refused_with_a_clear_message(
    client: Client, alice: User
) -> None:
    # Given ten active tokens
    for n in range(MAX_ACTIVE_TOKENS):
        api_token_create(user=alice, name=f"Token {n}")
    client.force_login(alice)
    # When alice asks for an eleventh on the page
    response = client.post(TOKENS_URL, {"name": "Kesebelas"})
    # Then she is told, in Indonesian, why and what to do
    html = response.content.decode()
    assert response.status_code == 400
    assert "Paling banyak 10 token aktif" in html
    assert "Cabut token yang tidak dipakai lagi" in html
    assert "token-baru" not in html
    assert ApiToken.objects.filter(user=alice).count() == MAX_ACTIVE_TOKENS
    with pytest.raises(TokenLimitReached):
        api_token_create(user=alice, name="Lewat service")
    # A revoked token frees a place
    first = ApiToken.objects.filter(user=alice).first()
    assert first is not None
    api_token_revoke(user=alice, token_id=first.pk)
    response = client.post(TOKENS_URL, {"name": "Kesebelas"})
    assert response.status_code == 200
    assert _shown_token(response.content.decode()).startswith("lps_")


def test_the_limit_counts_each_user_apart(alice: User, bob: User) -> None:
    for n in range(MAX_ACTIVE_TOKENS):
        api_token_create(user=alice, name=f"Token {n}")
    _token, raw = api_token_create(user=bob, name="Bob")
    assert api_token_authenticate(raw) == bob
