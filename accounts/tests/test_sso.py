"""The sign-in hand-off from SPSE/SiRUP: token rules, identity rule, key lookup."""

import base64
import hashlib
import hmac
import json
import os
import stat
import threading
import time
from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import SsoKey, UsedSsoToken, User
from accounts.services import reporter_upsert
from accounts.sso import SsoError, verify_handoff_token
from lib.devkeys import generate_dev_keys, load_keys_file, signing_entry
from reference.models import Lpse
from testsupport.simulator import (
    make_handoff_token,
    sign_in_reporter,
    signing_key_entry,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def lpses(db):
    # get_or_create: the reference data may already hold these LPSEs.
    return {
        119: Lpse.objects.get_or_create(
            kd_lpse=119,
            defaults={
                "name": "LPSE Lembaga Kebijakan Pengadaan Barang/Jasa Pemerintah",
                "province": "DKI Jakarta",
                "timezone": "Asia/Jakarta",
            },
        )[0],
        10: Lpse.objects.get_or_create(
            kd_lpse=10,
            defaults={"name": "LPSE Kota Surabaya", "province": "Jawa Timur"},
        )[0],
    }


def signed_in_user(client: Client):
    return get_user(client)  # reads client.session like a request would


def assert_refused(response, code: str) -> None:
    assert response.status_code == 400
    assert response.context["error_code"] == code
    assert "accounts/sso_error.html" in [t.name for t in response.templates]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def hand_made_token(header: dict, payload: dict, hmac_key: bytes | None) -> str:
    """Build a JWT by hand: PyJWT itself refuses to produce these attack tokens."""
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}"
    if hmac_key is None:
        return f"{signing_input}."
    signature = hmac.new(hmac_key, signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def valid_claims(source: str = "spse", **overrides) -> dict:
    now = int(time.time())
    claims = {
        "iss": source,
        "aud": "lpse-support",
        "sub": "ppk1" if source == "spse" else "pakpa1",
        "kd_lpse": 119 if source == "spse" else 0,
        "name": "Budi Santoso",
        "email": "budi.santoso@lkpp.go.id",
        "role": "ppk" if source == "spse" else "pa_kpa",
        "iat": now,
        "exp": now + 120,
        "jti": f"jti-{time.monotonic_ns()}",
    }
    claims.update(overrides)
    return claims


# --- successful sign-in ---------------------------------------------------------------


def test_it_signs_in_a_spse_reporter_with_an_hs256_token(client, lpses):
    # given a valid SPSE token for ppk1 at LPSE 119
    token = make_handoff_token("spse", sub="ppk1", kd_lpse=119, role="ppk")

    # when the browser posts it
    response = sign_in_reporter(client, "spse", token=token)

    # then the reporter exists, is signed in and lands on the dashboard
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    user = User.objects.get(source="spse", source_lpse=119, source_user_id="ppk1")
    assert signed_in_user(client) == user
    assert user.lpse == lpses[119]
    assert user.role == "ppk"
    assert user.full_name == "Budi Santoso"
    assert user.email == "budi.santoso@lkpp.go.id"
    assert user.username == "spse-119-ppk1"
    assert not user.has_usable_password()
    assert user.last_sso_at is not None
    assert UsedSsoToken.objects.filter(source="spse").count() == 1


def test_it_signs_in_a_sirup_reporter_with_an_rs256_token(client):
    # given a valid SiRUP token (RS256) for pakpa1
    token = make_handoff_token("sirup", sub="pakpa1", role="pa_kpa", name="Ir. Bambang Hartono")

    # when it is posted to the SiRUP hand-off
    response = sign_in_reporter(client, "sirup", token=token)

    # then a national reporter (no LPSE) is signed in
    assert response.status_code == 302
    user = User.objects.get(source="sirup", source_user_id="pakpa1")
    assert signed_in_user(client) == user
    assert user.lpse is None
    assert user.source_lpse == 0
    assert user.role == "pa_kpa"
    assert user.username == "sirup-0-pakpa1"


def test_it_accepts_a_sirup_token_without_kd_lpse(client):
    # given a SiRUP token that leaves kd_lpse out (SiRUP is national)
    token = make_handoff_token("sirup", omit=["kd_lpse"])

    # when it is posted
    response = sign_in_reporter(client, "sirup", token=token)

    # then the reporter is signed in with LPSE 0
    assert response.status_code == 302
    assert signed_in_user(client).source_lpse == 0


def test_a_second_sign_in_updates_role_lpse_and_name_but_keeps_edited_fields(client, lpses):
    # given ppk1 signed in once, then edited their e-mail under "Ubah Profil"
    sign_in_reporter(client, sub="ppk1", role="ppk", name="Budi Santoso")
    user = User.objects.get(source_user_id="ppk1")
    user.email = "budi.pribadi@example.com"
    user.profile_edited_fields = ["email"]
    user.lpse = None
    user.save()

    # when they sign in again with a new role, name and e-mail at the source
    response = sign_in_reporter(
        Client(), sub="ppk1", role="pokja", name="Budi Santoso, S.T.", email="budi@lkpp.go.id"
    )

    # then role, LPSE and name follow the source but the edited e-mail is kept
    assert response.status_code == 302
    user.refresh_from_db()
    assert User.objects.filter(source_user_id="ppk1").count() == 1
    assert user.role == "pokja"
    assert user.lpse == lpses[119]
    assert user.full_name == "Budi Santoso, S.T."
    assert user.email == "budi.pribadi@example.com"
    assert user.username == "spse-119-ppk1"


def test_the_same_user_id_at_two_lpses_is_two_people(client):
    # given ppk1 at LPSE 119 and ppk1 at LPSE 10
    sign_in_reporter(client, sub="ppk1", kd_lpse=119, name="Budi Santoso")
    other_client = Client()

    # when the second one signs in
    sign_in_reporter(other_client, sub="ppk1", kd_lpse=10, name="Siti Rahmawati")

    # then there are two users, each signed in as themselves
    at_119 = User.objects.get(source="spse", source_lpse=119, source_user_id="ppk1")
    at_10 = User.objects.get(source="spse", source_lpse=10, source_user_id="ppk1")
    assert at_119.pk != at_10.pk
    assert (at_119.username, at_10.username) == ("spse-119-ppk1", "spse-10-ppk1")
    assert at_10.full_name == "Siti Rahmawati"
    assert signed_in_user(client) == at_119
    assert signed_in_user(other_client) == at_10


def test_it_never_merges_users_by_email(client):
    # given an SPSE user and a SiRUP user who share an e-mail address
    shared = "bersama@instansi.go.id"
    sign_in_reporter(client, "spse", sub="pp1", role="pp", email=shared)

    # when the SiRUP one signs in
    sign_in_reporter(Client(), "sirup", sub="adminppe1", role="admin_ppe", email=shared)

    # then they remain two different people
    users = User.objects.filter(email=shared)
    assert users.count() == 2
    assert {u.source for u in users} == {"spse", "sirup"}


def test_it_makes_safe_unique_usernames(client):
    # given two source user ids that differ only in case and odd characters
    sign_in_reporter(client, sub="Ppk 1/../<x>")
    sign_in_reporter(Client(), sub="ppk 1/../<X>")

    # then each gets its own username that Django's validator accepts
    usernames = sorted(User.objects.filter(source="spse").values_list("username", flat=True))
    assert usernames == ["spse-119-ppk_1_.._x", "spse-119-ppk_1_.._x-2"]
    for username in usernames:
        UnicodeUsernameValidator()(username)


def test_reporter_upsert_uses_the_same_identity_rule_as_sign_in(client):
    # given a demo reporter pre-created by the seed
    seeded = reporter_upsert(
        source="spse",
        kd_lpse=119,
        user_id="ppk1",
        name="Budi Santoso",
        email="budi.santoso@lkpp.go.id",
        role="ppk",
        instansi="LKPP",
        phone="081234567801",
    )

    # when the same person signs in through SPSE
    sign_in_reporter(client, sub="ppk1", kd_lpse=119)

    # then it is the same user, and instansi/phone (not in the token) are kept
    assert signed_in_user(client) == seeded
    seeded.refresh_from_db()
    assert (seeded.instansi, seeded.phone) == ("LKPP", "081234567801")


def test_the_same_person_handed_over_again_stays_signed_in_without_asking(client):
    # given pokja1 signed in in this browser
    sign_in_reporter(client, sub="pokja1", role="pokja")

    # when pokja1 is handed over again
    response = sign_in_reporter(client, sub="pokja1", role="pokja")

    # then they go straight to the dashboard
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert signed_in_user(client).source_user_id == "pokja1"


# --- refused tokens -------------------------------------------------------------------


def test_it_rejects_replayed_token(client):
    # given a token that was already used once
    token = make_handoff_token()
    assert sign_in_reporter(Client(), token=token).status_code == 302

    # when it is posted again
    response = sign_in_reporter(client, token=token)

    # then it is refused in plain words and nobody is signed in
    assert_refused(response, "replayed")
    assert "sudah pernah dipakai" in response.content.decode()
    assert "masuk kembali melalui SPSE atau SiRUP" in response.content.decode()
    assert not signed_in_user(client).is_authenticated
    assert UsedSsoToken.objects.count() == 1


def test_it_rejects_expired_token(client):
    # given a token that expired longer ago than the allowed clock skew
    now = int(time.time())
    token = make_handoff_token(iat=now - 200, exp=now - 60)

    # when it is posted
    response = sign_in_reporter(client, token=token)

    # then it is refused
    assert_refused(response, "expired")
    assert not User.objects.exists()


def test_it_accepts_a_token_expired_within_the_clock_skew(client, settings):
    # given a token expired 10 s ago with 30 s of allowed skew
    settings.SSO_CLOCK_SKEW_SECONDS = 30
    now = int(time.time())

    # when it is posted
    response = sign_in_reporter(client, iat=now - 100, exp=now - 10)

    # then it is accepted
    assert response.status_code == 302


def test_it_rejects_token_issued_in_the_future(client):
    # given a token issued two minutes ahead (beyond the skew)
    now = int(time.time())
    token = make_handoff_token(iat=now + 120, exp=now + 240)

    # when it is posted
    response = sign_in_reporter(client, token=token)

    # then it is refused as not yet valid
    assert_refused(response, "not_yet_valid")


def test_it_rejects_token_living_longer_than_300_seconds(client):
    # given a token valid for 301 s
    now = int(time.time())
    token = make_handoff_token(iat=now, exp=now + 301)

    # when it is posted
    response = sign_in_reporter(client, token=token)

    # then it is refused
    assert_refused(response, "lifetime_too_long")


def test_it_rejects_token_signed_with_another_secret(client):
    # given an HS256 token signed with a secret that is not SPSE's
    token = make_handoff_token(key="x" * 64, algorithm="HS256")

    # when it is posted
    response = sign_in_reporter(client, token=token)

    # then the signature is refused
    assert_refused(response, "bad_signature")
    assert not User.objects.exists()


def test_it_rejects_rs256_token_signed_with_another_private_key(client):
    # given a SiRUP token signed with somebody else's RSA key
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = other_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    token = make_handoff_token("sirup", key=pem, algorithm="RS256")

    # when it is posted
    response = sign_in_reporter(client, "sirup", token=token)

    # then it is refused
    assert_refused(response, "bad_signature")


def test_it_rejects_hs256_token_signed_with_the_rsa_public_key(client):
    # given an attacker who knows SiRUP's public key and signs HS256 with it
    # (algorithm confusion)
    sirup_key = signing_key_entry("sirup")
    token = hand_made_token(
        {"alg": "HS256", "typ": "JWT", "kid": sirup_key.kid},
        valid_claims("sirup"),
        sirup_key.key.encode(),
    )

    # when it is posted where RS256 is configured
    response = sign_in_reporter(client, "sirup", token=token)

    # then it is refused
    assert_refused(response, "bad_signature")
    assert not User.objects.exists()


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_it_rejects_unsigned_alg_none_token(client, alg):
    # given an unsigned token
    token = hand_made_token(
        {"alg": alg, "typ": "JWT", "kid": signing_key_entry().kid}, valid_claims("spse"), None
    )

    # when it is posted
    response = sign_in_reporter(client, token=token)

    # then it is refused
    assert_refused(response, "bad_signature")


def test_it_rejects_a_sirup_token_posted_to_the_spse_hand_off(client):
    # given a genuine SiRUP token
    token = make_handoff_token("sirup")

    # when it is posted to /sso/spse/
    response = sign_in_reporter(client, "spse", token=token)

    # then SPSE has no key of that kid
    assert_refused(response, "unknown_key")


def test_it_rejects_issuer_other_than_the_url_source(client):
    # given a token signed with SPSE's key but claiming to come from SiRUP
    token = make_handoff_token("spse", iss="sirup")

    # when it is posted to /sso/spse/
    response = sign_in_reporter(client, "spse", token=token)

    # then it is refused
    assert_refused(response, "wrong_issuer")


def test_it_answers_unknown_source_with_the_error_page(client):
    # given a valid SPSE token
    token = make_handoff_token()

    # when it is posted to a source that does not exist
    response = client.post("/sso/foo/", {"token": token})

    # then the error page says the address is unknown (400, not 404: the reporter
    # needs the same "sign in again" guidance)
    assert_refused(response, "unknown_source")


def test_it_rejects_unknown_lpse(client):
    # given a token from an LPSE that LPSE Support does not know, signed with a key
    # registered for that LPSE code
    secret = "rahasia-lpse-999-" + "9" * 40
    SsoKey.objects.create(source="spse", kid="spse-999", key=secret, kd_lpse="999")
    token = make_handoff_token(kd_lpse=999, key=secret, headers={"kid": "spse-999"})

    # when it is posted
    response = sign_in_reporter(client, token=token)

    # then it is refused and no user is created
    assert_refused(response, "unknown_lpse")
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("source", "role"), [("spse", "pa_kpa"), ("sirup", "ppk"), ("spse", "admin"), ("spse", "")]
)
def test_it_rejects_role_not_allowed_for_the_source(client, source, role):
    # given a token with a role the source cannot hand over
    token = make_handoff_token(source, role=role)

    # when it is posted
    response = sign_in_reporter(client, source, token=token)

    # then it is refused
    assert response.status_code == 400
    assert response.context["error_code"] in {"wrong_role", "missing_claim"}
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "claim", ["iss", "sub", "kd_lpse", "name", "email", "role", "iat", "exp", "jti"]
)
def test_it_rejects_token_with_missing_claim(client, claim):
    # given an SPSE token without one claim
    token = make_handoff_token(omit=[claim])

    # when it is posted
    response = sign_in_reporter(client, token=token)

    # then it is refused as incomplete
    assert_refused(response, "missing_claim")


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"kd_lpse": "sepuluh"}, "invalid_claim"),
        ({"kd_lpse": True}, "invalid_claim"),
        ({"email": "bukan-email"}, "invalid_claim"),
        ({"sub": ["ppk1"]}, "invalid_claim"),
        ({"iat": "kemarin"}, "invalid_claim"),
        ({"sub": "   "}, "missing_claim"),
    ],
)
def test_it_rejects_token_with_invalid_claim(client, overrides, code):
    # given a signed token with a claim of the wrong kind
    token = make_handoff_token(**overrides)

    # when it is posted
    response = sign_in_reporter(client, token=token)

    # then it is refused
    assert_refused(response, code)


def test_it_rejects_a_lpse_code_in_a_sirup_token(client):
    # given a SiRUP token naming an LPSE (SiRUP is national)
    token = make_handoff_token("sirup", kd_lpse=119)

    # when it is posted
    response = sign_in_reporter(client, "sirup", token=token)

    # then it is refused
    assert_refused(response, "invalid_claim")


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("", "missing_token"),
        ("bukan-token", "malformed"),
        ("a.b.c", "malformed"),
        ("eyJhbGciOiJIUzI1NiJ9.bm90LWpzb24.c2ln", "unknown_key"),
        ("x" * 10_000, "malformed"),
    ],
)
def test_it_rejects_garbage_token(client, token, code):
    # given something that is not a valid token
    # when it is posted
    response = client.post("/sso/spse/", {"token": token})

    # then it is refused
    assert_refused(response, code)


def test_it_rejects_a_token_whose_payload_is_not_json(client):
    # given a correctly signed token whose payload is not a JSON object
    entry = signing_key_entry()
    secret = entry.key.encode()
    header = b64url(json.dumps({"alg": "HS256", "kid": entry.kid}).encode())
    signing_input = f"{header}.{b64url(b'[1, 2]')}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()

    # when it is posted
    response = client.post("/sso/spse/", {"token": f"{signing_input}.{b64url(signature)}"})

    # then it is refused as malformed
    assert_refused(response, "malformed")


def test_it_ignores_a_token_in_the_query_string(client):
    # given a valid token put in the URL instead of the form body
    token = make_handoff_token()

    # when it is posted that way
    response = client.post(f"/sso/spse/?token={token}")

    # then it is not used
    assert_refused(response, "missing_token")
    assert not User.objects.exists()


def test_it_allows_only_post(client):
    # when the hand-off URL is opened with GET
    response = client.get("/sso/spse/")

    # then the method is not allowed
    assert response.status_code == 405


def test_it_does_not_require_a_csrf_token(db):
    # given a browser without any CSRF cookie, like a cross-site POST from SPSE
    client = Client(enforce_csrf_checks=True)

    # when it posts a valid token
    response = sign_in_reporter(client)

    # then it is signed in
    assert response.status_code == 302


def garbage_token() -> str:
    return "bukan-token"


def expired_token() -> str:
    now = int(time.time())
    return make_handoff_token(sub="ppk1", iat=now - 400, exp=now - 200)


def token_for_another_audience() -> str:
    return make_handoff_token(sub="ppk1", aud="aplikasi-lain")


def already_used_token() -> str:
    token = make_handoff_token(sub="ppk1")
    assert sign_in_reporter(Client(), token=token).status_code == 302
    return token


@pytest.mark.parametrize(
    "bad_token", [garbage_token, expired_token, token_for_another_audience, already_used_token]
)
def test_a_failed_hand_off_keeps_whoever_was_signed_in(client, bad_token):
    # given pokja1 signed in in this browser
    sign_in_reporter(client, sub="pokja1", role="pokja")
    pokja1 = signed_in_user(client)
    assert pokja1.is_authenticated

    # when a bad hand-off arrives in the same browser
    response = client.post("/sso/spse/", {"token": bad_token()})

    # then it is refused, pokja1 stays signed in and the session cookie is untouched
    assert response.status_code == 400
    assert signed_in_user(client) == pokja1
    assert "lpsesupport_session" not in response.cookies
    assert "Anda tetap masuk sebagai" in response.content.decode()


def test_it_refuses_an_inactive_reporter(client):
    # given a reporter the helpdesk deactivated
    sign_in_reporter(Client(), sub="ppk1")
    User.objects.filter(source_user_id="ppk1").update(is_active=False)

    # when they sign in again
    response = sign_in_reporter(client, sub="ppk1")

    # then they are refused
    assert_refused(response, "inactive")
    assert not signed_in_user(client).is_authenticated


# --- keys -----------------------------------------------------------------------------


def test_a_token_without_kid_is_verified_with_the_environment_key(client, settings):
    # given SPSE's secret configured in the environment, next to the keys file
    env_secret = "rahasia-dari-lingkungan-" + "0" * 40
    settings.SSO_SOURCES = {
        **settings.SSO_SOURCES,
        "spse": {"alg": "HS256", "key": env_secret},
    }

    # when tokens without kid, signed with each key, are verified
    with_env_key = make_handoff_token(key=env_secret, algorithm="HS256", headers={"kid": None})
    with_file_key = make_handoff_token(headers={"kid": None})

    # then only the environment's key verifies a token without kid
    assert verify_handoff_token(source="spse", token=with_env_key).user_id == "ppk1"
    with pytest.raises(SsoError) as refused:
        verify_handoff_token(source="spse", token=with_file_key)
    assert refused.value.code == "bad_signature"
    # and a token with a kid of the file is still verified with the file's key
    assert verify_handoff_token(source="spse", token=make_handoff_token()).user_id == "ppk1"


def test_it_accepts_a_pem_key_with_escaped_newlines_from_the_environment(settings):
    # given SiRUP's public key in an env var with literal "\n"
    public_pem = signing_key_entry("sirup").key
    settings.SSO_SOURCES = {
        **settings.SSO_SOURCES,
        "sirup": {"alg": "RS256", "key": public_pem.strip().replace("\n", "\\n")},
    }

    # when a SiRUP token without kid is verified
    token = make_handoff_token("sirup", headers={"kid": None})
    claims = verify_handoff_token(source="sirup", token=token)

    # then it is accepted
    assert claims.role == "pa_kpa"


def test_it_refuses_when_no_key_is_configured(client, settings):
    # given neither an environment key nor a keys file
    settings.SSO_KEYS_FILE = ""

    # when a token arrives
    response = sign_in_reporter(client)

    # then the reporter is told sign-in is not available
    assert_refused(response, "not_configured")


def test_it_picks_up_a_regenerated_keys_file(settings, tmp_path):
    # given a keys file that is replaced by a new one
    first = tmp_path / "first.json"
    second = tmp_path / "second.json"
    generate_dev_keys(first)
    generate_dev_keys(second)
    target = tmp_path / "keys.json"
    target.write_text(first.read_text())
    settings.SSO_KEYS_FILE = str(target)
    first_key = signing_entry(load_keys_file(first), source="spse", kd_lpse=119)
    first_token = make_handoff_token(key=first_key.signing_key)
    assert verify_handoff_token(source="spse", token=first_token).user_id == "ppk1"

    # when the file is regenerated
    target.write_text(second.read_text())
    os.utime(target, ns=(time.time_ns(), time.time_ns() + 1_000_000_000))
    second_key = signing_entry(load_keys_file(second), source="spse", kd_lpse=119)
    second_token = make_handoff_token(key=second_key.signing_key)

    # then the new key is used without a restart
    assert verify_handoff_token(source="spse", token=second_token).user_id == "ppk1"


def test_generate_dev_keys_creates_a_private_file_only_once(tmp_path):
    # given no keys file yet
    path = tmp_path / "nested" / "dev-keys.json"

    # when keys are generated twice
    generate_dev_keys(path)
    first = path.read_text()
    generate_dev_keys(path)

    # then the file is private, complete and not overwritten
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == first
    keys = load_keys_file(path)
    spse = signing_entry(keys, source="spse", kd_lpse=119)
    assert (spse.alg, spse.kd_lpse) == ("HS256", (119,))
    assert spse.kid.startswith("spse-119-")
    assert spse.key == spse.signing_key
    assert len(spse.key.encode()) >= 32
    sirup = signing_entry(keys, source="sirup", kd_lpse=0)
    assert (sirup.alg, sirup.kd_lpse) == ("RS256", ())
    assert sirup.key.startswith("-----BEGIN PUBLIC KEY-----")
    assert sirup.signing_key.startswith("-----BEGIN PRIVATE KEY-----")
    assert not [p for p in path.parent.iterdir() if p.name != "dev-keys.json"]
    token = jwt.encode({"a": 1}, sirup.signing_key, algorithm="RS256")
    assert jwt.decode(token, sirup.key, algorithms=["RS256"]) == {"a": 1}


def test_concurrent_uses_of_one_token_sign_in_only_once(transactional_db, lpses):
    # given one token and two browsers posting it at the same moment
    token = make_handoff_token()
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def post() -> None:
        try:
            barrier.wait(timeout=10)
            statuses.append(sign_in_reporter(Client(), token=token).status_code)
        finally:
            connection.close()

    # when both post
    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # then exactly one is signed in, the other is refused as a replay
    assert sorted(statuses) == [302, 400]
    assert User.objects.count() == 1
    assert UsedSsoToken.objects.count() == 1


def test_it_forgets_used_tokens_once_they_can_no_longer_be_valid(client):
    # given a used token that expired long ago
    UsedSsoToken.objects.create(
        source="spse", jti="lama", expires_at=timezone.now() - timedelta(hours=1)
    )

    # when somebody signs in
    sign_in_reporter(client)

    # then the old record is purged and only the new one is kept
    assert not UsedSsoToken.objects.filter(jti="lama").exists()
    assert UsedSsoToken.objects.count() == 1
