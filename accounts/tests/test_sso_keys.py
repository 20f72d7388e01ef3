"""Hand-off keys per SPSE instance (kid), the aud claim, key checks, the confirmation
before switching accounts, and deactivated LPSEs."""

import base64
import hashlib
import hmac
import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.contrib.auth import get_user
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.checks import sso_keys_check
from accounts.models import AuditAction, AuditEvent, PendingSsoSignIn, SsoKey, UsedSsoToken, User
from accounts.sso import SsoError, verify_handoff_token
from lib.demo_accounts import DEMO_REPORTERS
from lib.devkeys import DEV_SPSE_LPSES, generate_dev_keys, load_keys_file
from reference.models import Lpse
from testsupport.simulator import make_handoff_token, sign_in_reporter, signing_key_entry

pytestmark = pytest.mark.django_db

STRONG_SECRET = "rahasia-kunci-spse-yang-cukup-panjang-" + "k" * 30


@pytest.fixture(autouse=True)
def _reference(reference):
    """LPSE 119 and 10 (and the rest of the seed) exist."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def signed_in_user(client: Client):
    return get_user(client)


def assert_refused(response, code: str) -> None:
    assert response.status_code == 400
    assert response.context["error_code"] == code
    assert "accounts/sso_error.html" in [t.name for t in response.templates]


def refusal_code(token: str, source: str = "spse") -> str:
    with pytest.raises(SsoError) as refused:
        verify_handoff_token(source=source, token=token)
    return refused.value.code


def rsa_pems(bits: int = 2048) -> tuple[str, str]:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private_pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


# --- aud --------------------------------------------------------------------------------


def test_a_token_for_another_audience_is_refused(client):
    # given a genuine SPSE token addressed to another installation
    token = make_handoff_token(aud="lpse-support-lain")

    # when it is posted
    response = sign_in_reporter(client, token=token)

    # then it is refused in Indonesian and nobody is created or signed in
    assert_refused(response, "wrong_audience")
    assert "tidak ditujukan untuk LPSE Support ini" in response.content.decode()
    assert not User.objects.filter(source="spse").exists()
    assert not UsedSsoToken.objects.exists()


def test_a_token_without_audience_is_refused(client):
    # given a genuine SPSE token without aud
    token = make_handoff_token(omit=["aud"])

    # when it is posted
    response = sign_in_reporter(client, token=token)

    # then it is refused
    assert_refused(response, "wrong_audience")


def test_the_audience_is_this_installations_setting(settings):
    # given an installation named "lpse-support-jatim"
    settings.SSO_AUDIENCE = "lpse-support-jatim"

    # then a token for the default name is refused, one for this name (also in a list)
    # is accepted
    assert refusal_code(make_handoff_token(aud="lpse-support")) == "wrong_audience"
    token = make_handoff_token(aud="lpse-support-jatim")
    assert verify_handoff_token(source="spse", token=token).kd_lpse == 119
    token = make_handoff_token(aud=["lain", "lpse-support-jatim"])
    assert verify_handoff_token(source="spse", token=token).kd_lpse == 119


# --- kid and the LPSEs a key may sign for -------------------------------------------------


def test_each_lpse_signs_with_its_own_key():
    # given tokens of LPSE 119 and LPSE 10 signed with their own keys
    at_119 = make_handoff_token(kd_lpse=119)
    at_10 = make_handoff_token(kd_lpse=10, sub="ppk1")

    # then both are accepted, each naming its own kid
    assert jwt.get_unverified_header(at_119)["kid"] != jwt.get_unverified_header(at_10)["kid"]
    assert verify_handoff_token(source="spse", token=at_119).kd_lpse == 119
    assert verify_handoff_token(source="spse", token=at_10).kd_lpse == 10


def test_a_key_cannot_sign_in_a_reporter_of_another_lpse(client):
    # given LPSE 10's SPSE (its key compromised) signing a token for LPSE 119
    key_10 = signing_key_entry("spse", 10)
    token = make_handoff_token(kd_lpse=119, key=key_10.signing_key, headers={"kid": key_10.kid})

    # when it is posted
    response = sign_in_reporter(client, token=token)

    # then it is refused with a clear message and nobody is created
    assert_refused(response, "key_wrong_lpse")
    assert "tidak berwenang untuk LPSE asal Anda" in response.content.decode()
    assert not User.objects.filter(source="spse", source_lpse=119).exists()
    assert not signed_in_user(client).is_authenticated


def test_a_token_with_an_unknown_kid_is_refused(client):
    # given a token naming a kid that neither the table nor the keys file holds
    token = make_handoff_token(headers={"kid": "spse-119-1999"})

    # when it is posted
    response = sign_in_reporter(client, token=token)

    # then it is refused
    assert_refused(response, "unknown_key")
    assert "tidak dikenal" in response.content.decode()


def test_an_unknown_kid_is_refused_even_with_an_environment_key(settings):
    # given an environment key for SPSE besides the keys of the file
    settings.SSO_SOURCES = {**settings.SSO_SOURCES, "spse": {"alg": "HS256", "key": STRONG_SECRET}}

    # when a token names an unknown kid but is signed with the environment key
    token = make_handoff_token(key=STRONG_SECRET, headers={"kid": "tidak-ada"})

    # then it is refused: a kid is never resolved to the environment key while keys of
    # that source exist
    assert refusal_code(token) == "unknown_key"


def test_a_kid_falls_back_to_the_environment_key_when_no_key_of_the_source_exists(settings):
    # given no keys file and no table keys, only the environment key
    settings.SSO_KEYS_FILE = ""
    settings.SSO_SOURCES = {**settings.SSO_SOURCES, "spse": {"alg": "HS256", "key": STRONG_SECRET}}

    # when a token of a small installation's SPSE names a kid
    token = make_handoff_token(key=STRONG_SECRET, headers={"kid": "spse-kami"})

    # then the environment key verifies it
    assert verify_handoff_token(source="spse", token=token).user_id == "ppk1"


def test_a_token_without_kid_is_refused_without_an_environment_key():
    # given the keys file but no environment key
    token = make_handoff_token(headers={"kid": None})

    # when it is verified
    # then it is refused as naming no known key
    assert refusal_code(token) == "unknown_key"


@pytest.mark.parametrize("kid", [123, "", "k" * 101, ["spse-119"]])
def test_a_kid_that_is_not_a_short_string_is_malformed(kid):
    # given a token signed with LPSE 119's secret whose kid header is of the wrong kind
    # (built by hand: PyJWT refuses to write a non-string kid)
    claims = jwt.decode(make_handoff_token(), options={"verify_signature": False})
    header = {"alg": "HS256", "typ": "JWT", "kid": kid}
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    secret = signing_key_entry().signing_key.encode()
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{b64url(signature)}"

    # then it is refused as malformed
    assert refusal_code(token) == "malformed"


def test_a_key_of_the_table_signs_in_a_reporter_of_its_lpse(client):
    # given LPSE 119's key registered in the admin table
    SsoKey.objects.create(source="spse", kid="spse-119-tabel", key=STRONG_SECRET, kd_lpse="119")
    token = make_handoff_token(key=STRONG_SECRET, headers={"kid": "spse-119-tabel"})

    # when a token signed with it is posted
    response = sign_in_reporter(client, token=token)

    # then the reporter is signed in
    assert response.status_code == 302
    assert signed_in_user(client).source_user_id == "ppk1"


def test_a_key_of_the_table_may_list_several_lpses(client):
    # given one key registered for LPSE 119 and 10 (one SPSE serving two LPSEs)
    SsoKey.objects.create(source="spse", kid="spse-gabung", key=STRONG_SECRET, kd_lpse="119, 10")

    # then it signs for both, and not for a third
    for kd_lpse in (119, 10):
        token = make_handoff_token(
            kd_lpse=kd_lpse, key=STRONG_SECRET, headers={"kid": "spse-gabung"}
        )
        assert verify_handoff_token(source="spse", token=token).kd_lpse == kd_lpse
    other = make_handoff_token(kd_lpse=11, key=STRONG_SECRET, headers={"kid": "spse-gabung"})
    assert refusal_code(other) == "key_wrong_lpse"


@pytest.mark.parametrize(
    "window",
    [
        {"is_active": False},
        {"valid_until": timedelta(hours=-1)},
        {"valid_from": timedelta(hours=1)},
    ],
    ids=["inactive", "expired", "not-yet-valid"],
)
def test_an_inactive_or_out_of_date_key_is_refused(client, window):
    # given a table key that is deactivated, past its end or not valid yet
    now = timezone.now()
    fields = {
        name: (now + value if isinstance(value, timedelta) else value)
        for name, value in window.items()
    }
    SsoKey.objects.create(
        source="spse", kid="spse-119-lama", key=STRONG_SECRET, kd_lpse="119", **fields
    )
    token = make_handoff_token(key=STRONG_SECRET, headers={"kid": "spse-119-lama"})

    # when a token signed with it is posted
    response = sign_in_reporter(client, token=token)

    # then it is refused and the token is not used up
    assert_refused(response, "key_not_valid")
    assert "tidak berlaku" in response.content.decode()
    assert not UsedSsoToken.objects.exists()


def test_a_key_of_the_file_outside_its_dates_is_refused(settings, tmp_path):
    # given a keys file whose LPSE 119 key ended yesterday
    data = json.loads(Path(settings.SSO_KEYS_FILE).read_text(encoding="utf-8"))
    for entry in data["keys"]:
        if entry["kd_lpse"] == [119]:
            entry["valid_until"] = (timezone.now() - timedelta(days=1)).isoformat()
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(data))
    settings.SSO_KEYS_FILE = str(path)

    # when a token signed with it is verified
    # then it is refused
    assert refusal_code(make_handoff_token()) == "key_not_valid"


def test_a_table_key_wins_over_a_file_key_of_the_same_kid():
    # given the table re-registering the file's LPSE 119 kid with a new secret
    kid = signing_key_entry("spse", 119).kid
    SsoKey.objects.create(source="spse", kid=kid, key=STRONG_SECRET, kd_lpse="119")

    # then the file's secret no longer verifies, the table's does
    assert refusal_code(make_handoff_token()) == "bad_signature"
    token = make_handoff_token(key=STRONG_SECRET)
    assert verify_handoff_token(source="spse", token=token).kd_lpse == 119


def test_a_sirup_key_of_the_table_is_national(client):
    # given SiRUP's RS256 key in the table, with no LPSE list
    private_pem, public_pem = rsa_pems()
    SsoKey.objects.create(source="sirup", kid="sirup-tabel", algorithm="RS256", key=public_pem)

    # when a SiRUP token signed with it is posted
    token = make_handoff_token(
        "sirup", key=private_pem, algorithm="RS256", headers={"kid": "sirup-tabel"}
    )
    response = sign_in_reporter(client, "sirup", token=token)

    # then the national reporter is signed in
    assert response.status_code == 302
    assert signed_in_user(client).source == "sirup"


# --- algorithms -------------------------------------------------------------------------


def test_an_es256_token_is_refused():
    # given a token signed ES256 naming LPSE 119's kid
    private_key = ec.generate_private_key(ec.SECP256R1())
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    token = make_handoff_token(key=pem, algorithm="ES256")

    # then it is refused: only the key's own algorithm is accepted
    assert refusal_code(token) == "bad_signature"


@pytest.mark.parametrize("alg", ["HS384", "HS512"])
def test_another_hmac_algorithm_with_the_right_secret_is_refused(alg):
    # given a token signed with LPSE 119's secret but another HMAC algorithm
    token = make_handoff_token(key=signing_key_entry().signing_key, algorithm=alg)

    # then it is refused
    assert refusal_code(token) == "bad_signature"


def test_a_table_key_with_an_unsupported_algorithm_is_not_used():
    # given a row written around validation with ES256
    SsoKey.objects.create(source="spse", kid="spse-es", algorithm="ES256", key="x", kd_lpse="119")
    token = make_handoff_token(headers={"kid": "spse-es"})

    # then sign-in is refused as not configured, not verified with it
    assert refusal_code(token) == "not_configured"


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_a_short_hmac_key_in_the_table_is_never_used():
    # given a short secret written around validation
    SsoKey.objects.create(source="spse", kid="spse-pendek", key="pendek", kd_lpse="119")
    token = make_handoff_token(key="pendek", headers={"kid": "spse-pendek"})

    # then a token signed with it is refused
    assert refusal_code(token) == "not_configured"


# --- start-up checks ----------------------------------------------------------------------


def check_ids() -> set[str | None]:
    return {message.id for message in sso_keys_check()}


def test_the_generated_keys_pass_the_checks():
    # given the run's generated keys and no environment keys
    # then nothing is reported
    assert check_ids() == set()


def test_a_short_hmac_environment_key_fails_the_start_up_check(settings):
    # given SPSE's environment secret of 31 bytes
    settings.SSO_SOURCES = {**settings.SSO_SOURCES, "spse": {"alg": "HS256", "key": "x" * 31}}

    # when the system checks run (as at start-up and in `manage.py check`)
    # then accounts.E001 is reported and `manage.py check` fails
    assert "accounts.E001" in check_ids()
    assert any(m.id == "accounts.E001" for m in run_checks(tags=["security"]))
    with pytest.raises(SystemCheckError, match=r"accounts\.E001"):
        call_command("check")


def test_a_32_byte_hmac_environment_key_passes_the_check(settings):
    # given a secret of exactly 32 bytes
    settings.SSO_SOURCES = {**settings.SSO_SOURCES, "spse": {"alg": "HS256", "key": "x" * 32}}

    # then it is accepted
    assert check_ids() == set()


def test_a_short_hmac_key_in_the_keys_file_fails_the_check(settings, tmp_path):
    # given a keys file with a short secret for LPSE 119
    data = json.loads(Path(settings.SSO_KEYS_FILE).read_text(encoding="utf-8"))
    data["keys"][0]["key"] = "pendek"
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(data))
    settings.SSO_KEYS_FILE = str(path)

    # then accounts.E001 is reported
    assert "accounts.E001" in check_ids()


@pytest.mark.parametrize("alg", ["ES256", "none", "HS512"])
def test_an_unsupported_environment_algorithm_fails_the_check(settings, alg):
    # given SiRUP configured with an algorithm we do not support
    settings.SSO_SOURCES = {**settings.SSO_SOURCES, "sirup": {"alg": alg, "key": STRONG_SECRET}}

    # then accounts.E002 is reported
    assert "accounts.E002" in check_ids()


def test_an_empty_audience_fails_the_check(settings):
    # given no installation identifier
    settings.SSO_AUDIENCE = " "

    # then accounts.E004 is reported
    assert "accounts.E004" in check_ids()


def test_an_unreadable_keys_file_fails_the_check(settings, tmp_path):
    # given a keys file that is not JSON
    path = tmp_path / "keys.json"
    path.write_text("bukan json")
    settings.SSO_KEYS_FILE = str(path)

    # then accounts.E005 is reported
    assert "accounts.E005" in check_ids()


# --- admin --------------------------------------------------------------------------------


def admin_add(client: Client, **fields: str) -> Any:
    data = {
        "source": "spse",
        "kid": "spse-119-2027",
        "algorithm": "HS256",
        "key": STRONG_SECRET,
        "kd_lpse": "119",
        "valid_from_0": "",
        "valid_from_1": "",
        "valid_until_0": "",
        "valid_until_1": "",
        "is_active": "on",
        "note": "",
        **fields,
    }
    return client.post("/admin/accounts/ssokey/add/", data)


def test_the_admin_adds_a_valid_key(client, admin_user):
    # given the admin signed in
    client.force_login(admin_user)

    # when they add LPSE 119's new key with its codes written loosely
    response = admin_add(client, kd_lpse=" 119 ,10,119")

    # then it is saved with the codes normalised
    assert response.status_code == 302
    key = SsoKey.objects.get(kid="spse-119-2027")
    assert key.kd_lpse == "10, 119"
    assert key.allowed_lpse == frozenset({10, 119})


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"key": "x" * 31}, "key", "minimal 32 byte"),
        ({"kd_lpse": ""}, "kd_lpse", "minimal satu kode LPSE"),
        ({"kd_lpse": "119, sepuluh"}, "kd_lpse", "angka positif"),
        ({"source": "sirup", "kd_lpse": "119"}, "kd_lpse", "SiRUP bersifat nasional"),
        ({"algorithm": "ES256"}, "algorithm", "bukan salah satu"),
        ({"algorithm": "RS256", "key": "bukan pem " * 5}, "key", "kunci publik RSA"),
        (
            {
                "valid_from_0": "2027-01-02",
                "valid_from_1": "00:00:00",
                "valid_until_0": "2027-01-01",
                "valid_until_1": "00:00:00",
            },
            "valid_until",
            "setelah tanggal mulai",
        ),
    ],
    ids=[
        "short-hmac",
        "spse-without-lpse",
        "bad-code",
        "sirup-with-lpse",
        "es256",
        "bad-pem",
        "dates",
    ],
)
def test_the_admin_refuses_an_unusable_key(client, admin_user, fields, field, message):
    # given the admin signed in
    client.force_login(admin_user)

    # when they submit a key with a problem
    response = admin_add(client, **fields)

    # then the form shows the problem in Indonesian and nothing is saved
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors.get(field, []))
    assert not SsoKey.objects.exists()


def test_the_admin_refuses_a_private_rsa_key_and_accepts_the_public_one(client, admin_user):
    # given an RSA key pair
    client.force_login(admin_user)
    private_pem, public_pem = rsa_pems()

    # when the private key is pasted, then the public one
    refused = admin_add(client, source="sirup", kd_lpse="", algorithm="RS256", key=private_pem)
    accepted = admin_add(
        client, source="sirup", kid="sirup-2027", kd_lpse="", algorithm="RS256", key=public_pem
    )

    # then only the public key is saved
    assert refused.status_code == 200
    assert accepted.status_code == 302
    assert list(SsoKey.objects.values_list("kid", flat=True)) == ["sirup-2027"]


def test_the_admin_refuses_a_kid_twice_for_the_same_source(client, admin_user):
    # given LPSE 119's 2027 key already registered
    client.force_login(admin_user)
    assert admin_add(client).status_code == 302

    # when the same kid is added again
    response = admin_add(client)

    # then it is refused
    assert response.status_code == 200
    assert SsoKey.objects.count() == 1


def test_the_admin_deactivates_a_key_and_it_stops_signing_in(client, admin_user):
    # given LPSE 119's key in the table, and the admin on its change page
    key = SsoKey.objects.create(
        source="spse", kid="spse-119-tabel", key=STRONG_SECRET, kd_lpse="119"
    )
    client.force_login(admin_user)
    url = f"/admin/accounts/ssokey/{key.pk}/change/"
    assert client.get(url).status_code == 200

    # when they untick "aktif" and save
    response = admin_add(client, kid="spse-119-tabel")  # same kid: refused as a duplicate
    assert response.status_code == 200
    data = {
        "source": "spse",
        "kid": "spse-119-tabel",
        "algorithm": "HS256",
        "key": STRONG_SECRET,
        "kd_lpse": "119",
        "valid_from_0": "",
        "valid_from_1": "",
        "valid_until_0": "",
        "valid_until_1": "",
        "note": "dicabut",
    }
    assert client.post(url, data).status_code == 302

    # then tokens signed with it are refused
    key.refresh_from_db()
    assert not key.is_active
    token = make_handoff_token(key=STRONG_SECRET, headers={"kid": "spse-119-tabel"})
    assert refusal_code(token) == "key_not_valid"


def test_reporters_and_agents_cannot_reach_the_key_admin(client, alice, agent):
    # given a reporter and an agent
    for person in (alice, agent):
        client.force_login(person)

        # when they open the key admin
        response = client.get("/admin/accounts/ssokey/")

        # then they are sent to the admin login, never shown the keys
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


# --- confirmation before switching accounts -------------------------------------------------


def hand_over_alice(client: Client):
    """Alice (ppk1 at LPSE 119) handed over by SPSE; returns the /sso/lanjut/ answer."""
    return sign_in_reporter(client, sub="ppk1", role="ppk", name="Alice Pratiwi")


def test_nobody_signed_in_goes_straight_to_the_dashboard(client):
    # given a browser where nobody is signed in
    # when alice is handed over
    response = hand_over_alice(client)

    # then she lands on her dashboard without a question
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert signed_in_user(client).source_user_id == "ppk1"
    assert not PendingSsoSignIn.objects.exists()


@pytest.mark.parametrize("current", ["bob", "agent"])
def test_another_person_signed_in_is_asked_before_switching(client, request, current):
    # given bob (a reporter) or an agent signed in in this browser
    person = request.getfixturevalue(current)
    client.force_login(person)

    # when alice is handed over
    response = hand_over_alice(client)

    # then the page says who would be signed in, and the current person still is
    assert response.status_code == 200
    html = response.content.decode()
    assert "Masuk sebagai Alice Pratiwi · LPSE Lembaga Kebijakan Pengadaan" in html
    assert "Lanjutkan sebagai Alice Pratiwi" in html
    assert "Batal" in html
    assert str(person) in html
    assert signed_in_user(client) == person


def test_continue_switches_to_the_handed_over_person(client, bob):
    # given bob signed in and the confirmation for alice shown
    client.force_login(bob)
    hand_over_alice(client)

    # when "Lanjutkan" is pressed
    response = client.post("/sso/lanjut/", {"action": "continue"})

    # then alice is signed in and the pending hand-off is used up
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert signed_in_user(client).source_user_id == "ppk1"
    assert not PendingSsoSignIn.objects.exists()
    # and pressing it again does nothing more
    again = client.post("/sso/lanjut/", {"action": "continue"})
    assert_refused(again, "pending_expired")
    assert signed_in_user(client).source_user_id == "ppk1"


def test_cancel_keeps_the_current_session(client, bob):
    # given bob signed in and the confirmation for alice shown
    client.force_login(bob)
    session_key = client.session.session_key
    hand_over_alice(client)

    # when "Batal" is pressed
    response = client.post("/sso/lanjut/", {"action": "cancel"}, follow=True)

    # then bob is still signed in, in the same session, told what happened
    assert signed_in_user(client) == bob
    assert client.session.session_key == session_key
    assert "Anda tetap masuk sebagai Bob Santoso" in response.content.decode()
    assert not PendingSsoSignIn.objects.exists()
    # and "Lanjutkan" afterwards no longer switches
    assert_refused(client.post("/sso/lanjut/", {"action": "continue"}), "pending_expired")
    assert signed_in_user(client) == bob


def test_the_confirmation_needs_the_csrf_token(bob):
    # given bob signed in in a browser that enforces CSRF, and alice's hand-off pending
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    hand_over_alice(client)

    # when a form of another site posts "Lanjutkan" without the CSRF token
    response = client.post("/sso/lanjut/", {"action": "continue"})

    # then it is refused and bob stays signed in
    assert response.status_code == 403
    assert signed_in_user(client) == bob


def test_the_pending_hand_off_belongs_to_the_browser_that_received_it(bob, carol):
    # given alice's hand-off pending in bob's browser
    bobs_browser = Client()
    bobs_browser.force_login(bob)
    hand_over_alice(bobs_browser)

    # when another browser (carol's) asks to continue, without the hand-off cookie
    carols_browser = Client()
    carols_browser.force_login(carol)
    response = carols_browser.post("/sso/lanjut/", {"action": "continue"})

    # then nothing happens to anybody
    assert_refused(response, "pending_expired")
    assert signed_in_user(carols_browser) == carol
    assert signed_in_user(bobs_browser) == bob
    assert PendingSsoSignIn.objects.count() == 1


def test_an_expired_pending_hand_off_is_refused(client, bob):
    # given bob signed in and alice's hand-off pending for longer than 5 minutes
    client.force_login(bob)
    hand_over_alice(client)
    PendingSsoSignIn.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    # when "Lanjutkan" is pressed
    response = client.post("/sso/lanjut/", {"action": "continue"})

    # then it is refused and bob stays signed in
    assert_refused(response, "pending_expired")
    assert "sudah kedaluwarsa atau sudah dipakai" in response.content.decode()
    assert signed_in_user(client) == bob


def test_opening_the_continue_page_without_a_hand_off_is_refused(client, bob):
    # given bob signed in and no hand-off
    client.force_login(bob)

    # when /sso/lanjut/ is opened (bookmark, back button, forged cookie)
    client.cookies["lpsesupport_handoff"] = "tebakan"
    response = client.get("/sso/lanjut/")

    # then it is refused and bob stays signed in
    assert_refused(response, "pending_expired")
    assert signed_in_user(client) == bob


def test_the_continue_page_allows_only_get_and_post(client):
    # when /sso/lanjut/ is called with another method
    response = client.put("/sso/lanjut/")

    # then the method is not allowed
    assert response.status_code == 405


def test_the_hand_off_cookie_is_private_and_short_lived(client):
    # when a token is accepted
    response = client.post("/sso/spse/", {"token": make_handoff_token()})

    # then the browser is sent on with a cookie only /sso/lanjut/ receives
    assert response.status_code == 303
    assert response["Location"] == "/sso/lanjut/"
    cookie = response.cookies["lpsesupport_handoff"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/sso/lanjut/"
    assert cookie["max-age"] == 300
    # and the database holds only a hash of it
    assert not PendingSsoSignIn.objects.filter(nonce_hash=cookie.value).exists()
    assert PendingSsoSignIn.objects.count() == 1


def test_a_user_deactivated_while_pending_is_not_signed_in(client, bob):
    # given alice's hand-off waiting for confirmation in bob's browser
    client.force_login(bob)
    hand_over_alice(client)

    # when the helpdesk deactivates alice before "Lanjutkan" is pressed
    User.objects.filter(source_user_id="ppk1", source_lpse=119).update(is_active=False)
    response = client.post("/sso/lanjut/", {"action": "continue"})

    # then she is not signed in and bob stays
    assert response.status_code == 400
    assert signed_in_user(client) == bob


def test_a_bad_token_leaves_a_pending_confirmation_and_the_session_alone(client, bob):
    # given bob signed in
    client.force_login(bob)

    # when a token for another LPSE's key arrives in his browser
    key_10 = signing_key_entry("spse", 10)
    token = make_handoff_token(kd_lpse=119, key=key_10.signing_key, headers={"kid": key_10.kid})
    response = sign_in_reporter(client, token=token)

    # then it is refused, bob stays signed in and nothing is pending
    assert_refused(response, "key_wrong_lpse")
    assert "Anda tetap masuk sebagai Bob Santoso" in response.content.decode()
    assert signed_in_user(client) == bob
    assert not PendingSsoSignIn.objects.exists()


# --- deactivated LPSE ----------------------------------------------------------------------


def test_a_hand_off_naming_a_deactivated_lpse_is_refused(client):
    # given LPSE 10 deactivated at LPSE Support
    Lpse.objects.filter(kd_lpse=10).update(is_active=False)

    # when a reporter of LPSE 10 is handed over
    response = sign_in_reporter(client, kd_lpse=10, sub="ppk1")

    # then they are refused with a clear message, nothing is created or used up
    assert_refused(response, "lpse_inactive")
    assert "LPSE asal Anda sedang dinonaktifkan di LPSE Support" in response.content.decode()
    assert not User.objects.filter(source="spse", source_lpse=10).exists()
    assert not UsedSsoToken.objects.exists()
    assert not signed_in_user(client).is_authenticated


def test_other_lpses_still_sign_in_while_one_is_deactivated(client):
    # given LPSE 10 deactivated
    Lpse.objects.filter(kd_lpse=10).update(is_active=False)

    # when a reporter of LPSE 119 is handed over
    response = sign_in_reporter(client, kd_lpse=119)

    # then they are signed in
    assert response.status_code == 302


# --- development keys ------------------------------------------------------------------------


def test_dev_keys_hold_one_key_per_simulated_lpse_and_one_for_sirup(tmp_path):
    # given freshly generated development keys
    path = tmp_path / "dev-keys.json"
    generate_dev_keys(path)
    keys = load_keys_file(path)

    # then every SPSE the simulator serves has its own key for its own LPSE only
    spse = {entry.kd_lpse: entry for entry in keys if entry.source == "spse"}
    served = {r.kd_lpse for r in DEMO_REPORTERS if r.source == "spse"}
    assert served <= {codes[0] for codes in spse}
    assert {119, 10} <= set(DEV_SPSE_LPSES)
    assert all(len(codes) == 1 for codes in spse)
    assert len({entry.kid for entry in spse.values()}) == len(spse)
    assert spse[(119,)].kid == f"spse-119-{timezone.now().year}"
    assert len({entry.key for entry in spse.values()}) == len(spse)
    # and SiRUP one national key
    sirup = [entry for entry in keys if entry.source == "sirup"]
    assert [(entry.alg, entry.kd_lpse) for entry in sirup] == [("RS256", ())]


def test_a_keys_file_of_the_first_format_is_upgraded(tmp_path):
    # given a keys file of the first format (one key per source, no kid)
    path = tmp_path / "dev-keys.json"
    path.write_text(json.dumps({"spse": {"alg": "HS256", "key": "a" * 64, "signing_key": "a"}}))

    # when the keys are generated (as `make demo` and the simulator do at start)
    generate_dev_keys(path)

    # then the file holds a key per LPSE with kid
    keys = load_keys_file(path)
    assert all(entry.kid for entry in keys)
    assert any(entry.kd_lpse == (119,) for entry in keys)


def test_a_keys_file_of_the_first_format_still_verifies_tokens_without_kid(settings, tmp_path):
    # given an installation still pointing at a first-format file
    path = tmp_path / "old-keys.json"
    path.write_text(
        json.dumps({"spse": {"alg": "HS256", "key": STRONG_SECRET, "signing_key": STRONG_SECRET}})
    )
    settings.SSO_KEYS_FILE = str(path)

    # when a token without kid signed with its key is verified
    token = make_handoff_token(key=STRONG_SECRET, headers={"kid": None})

    # then it is accepted, like an environment key
    assert verify_handoff_token(source="spse", token=token).user_id == "ppk1"


def test_tokens_signed_like_the_simulator_carry_aud_and_kid():
    # given a token from the simulator's claims
    now = int(time.time())
    token = make_handoff_token(iat=now, exp=now + 120)

    # then it carries aud and kid besides the usual claims
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["aud"] == "lpse-support"
    assert jwt.get_unverified_header(token)["kid"].startswith("spse-119-")


def test_key_changes_in_the_admin_are_audited_without_the_key(client, admin_user):
    # given the admin signed in, who adds a key and then deactivates it
    client.force_login(admin_user)
    assert admin_add(client).status_code == 302
    key = SsoKey.objects.get(kid="spse-119-2027")
    change = {
        "source": "spse",
        "kid": key.kid,
        "algorithm": "HS256",
        "key": STRONG_SECRET,
        "kd_lpse": "119",
        "valid_from_0": "",
        "valid_from_1": "",
        "valid_until_0": "",
        "valid_until_1": "",
        "note": "",
    }
    url = reverse("admin:accounts_ssokey_change", args=[key.pk])
    assert client.post(url, change).status_code == 302
    # then both changes are in the audit log, by whom and for which kid, never the key
    events = list(AuditEvent.objects.filter(action=AuditAction.SSO_KEY_CHANGED).order_by("pk"))
    assert [e.detail["operation"] for e in events] == ["created", "changed"]
    assert all(e.target == "spse:spse-119-2027" and e.actor == admin_user for e in events)
    assert events[1].detail["fields"] == ["is_active"] and events[1].detail["is_active"] is False
    assert all(STRONG_SECRET not in json.dumps(e.detail) for e in events)
