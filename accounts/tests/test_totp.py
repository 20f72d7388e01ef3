"""Optional TOTP second factor (accounts/totp.py, STAFF_TOTP_REQUIRED)."""

from base64 import b32encode

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():06d}"


def wrong_code(device: TOTPDevice) -> str:
    # A code none of the accepted steps (now, one before, one after) produces.
    accepted = {code_for(device, offset) for offset in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in accepted)


def password_sign_in(user: User, url: str = "") -> Client:
    client = Client()
    response = client.post(
        url or reverse("accounts:staff_login"), {"username": user.username, "password": "demo1234"}
    )
    assert response.status_code == 302
    return client


@pytest.fixture
def required(settings):
    settings.STAFF_TOTP_REQUIRED = True
    return settings


def test_a_superuser_registers_an_app_at_the_first_sign_in(required, admin_user):
    # Given a superuser signed in with a password only
    client = password_sign_in(admin_user)
    # When they open the admin, they are sent to the code page
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:totp"))
    # Which shows a key and a QR code to register an app
    page = client.get(response["Location"])
    body = page.content.decode()
    device = TOTPDevice.objects.get(user=admin_user, confirmed=False)
    assert b32encode(device.bin_key).decode() in body
    assert '<div class="totp-qr"><svg' in body
    # When they give a code of the app, the device is confirmed and the admin opens
    response = client.post(
        reverse("accounts:totp"), {"code": code_for(device), "next": reverse("admin:index")}
    )
    assert response["Location"] == reverse("admin:index")
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_wrong_code_is_refused_in_indonesian(required, admin_user):
    client = password_sign_in(admin_user)
    client.get(reverse("accounts:totp"))
    device = TOTPDevice.objects.get(user=admin_user)
    response = client.post(reverse("accounts:totp"), {"code": wrong_code(device)})
    assert response.status_code == 400
    assert "Kode tidak cocok" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(reverse("admin:index")).status_code == 302


@pytest.mark.parametrize("code", ["", "12345", "abcdef", "1234567", "12 456"])
def test_a_malformed_code_is_refused_with_a_message(required, admin_user, code):
    client = password_sign_in(admin_user)
    response = client.post(reverse("accounts:totp"), {"code": code})
    assert response.status_code == 400
    body = response.content.decode()
    assert "6 angka" in body or "wajib" in body.lower()


def test_a_registered_superuser_gives_a_code_at_every_sign_in(required, admin_user):
    # Given a superuser whose app is registered
    device = TOTPDevice.objects.create(user=admin_user, name="hp", confirmed=True)
    client = password_sign_in(admin_user)
    # The code page asks for a code only, showing no key
    page = client.get(reverse("accounts:totp")).content.decode()
    assert "totp-qr" not in page
    # And a right code opens the admin
    client.post(reverse("accounts:totp"), {"code": code_for(device)})
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_national_supervisor_needs_a_code_and_an_agent_does_not(required, supervisor, agent):
    client = password_sign_in(supervisor)
    assert client.get(reverse("console:queue")).status_code == 302
    client = password_sign_in(agent)
    assert client.get(reverse("console:queue")).status_code == 200


def test_without_the_setting_nobody_needs_a_code(settings, admin_user):
    settings.STAFF_TOTP_REQUIRED = False
    client = password_sign_in(admin_user)
    assert client.get(reverse("admin:index")).status_code == 200
    assert not TOTPDevice.objects.exists()


def test_background_polls_of_an_unverified_person_are_refused(required, admin_user):
    # The bell on the code page itself must not fetch the code page into the bell
    client = password_sign_in(admin_user)
    assert client.get(reverse("notifications:bell")).status_code == 403


def test_an_unverified_person_can_still_sign_out(required, admin_user):
    client = password_sign_in(admin_user)
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("home")


def test_the_code_page_needs_a_signed_in_person(required, client, db):
    response = client.get(reverse("accounts:totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:staff_login"))


def test_the_code_page_never_sends_elsewhere(required, admin_user):
    device = TOTPDevice.objects.create(user=admin_user, name="hp", confirmed=True)
    client = password_sign_in(admin_user)
    response = client.post(
        reverse("accounts:totp"), {"code": code_for(device), "next": "https://contoh.example/"}
    )
    assert response["Location"] == "/"
