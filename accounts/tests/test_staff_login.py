import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse


@pytest.mark.production_password_hashers
def test_staff_sign_in_with_a_local_password_hashed_with_argon2(client, admin_user):
    assert admin_user.password.startswith("argon2$")
    response = client.post(
        reverse("accounts:staff_login"), {"username": "admin", "password": "demo1234"}
    )
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(admin_user.pk)


def test_a_wrong_password_is_refused_in_indonesian(client, admin_user):
    response = client.post(
        reverse("accounts:staff_login"), {"username": "admin", "password": "salah"}
    )
    assert SESSION_KEY not in client.session
    assert "dan sandi yang benar" in response.content.decode()


def test_reporters_cannot_sign_in_with_a_password(client, alice):
    assert not alice.has_usable_password()
    client.post(reverse("accounts:staff_login"), {"username": alice.username, "password": ""})
    assert SESSION_KEY not in client.session


def test_logout_needs_post_and_ends_the_session(client, alice):
    client.force_login(alice)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert SESSION_KEY in client.session
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("home")
    assert SESSION_KEY not in client.session
    assert client.get(reverse("portal:dashboard")).status_code == 302
