"""Staff sign-in throttling (accounts/throttle.py, django-axes) and the client address
(lib/clientip.py)."""

from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.clientip import client_ip

OFFICE = "203.0.113.5"
HOME = "198.51.100.7"
LOCKED_TEXT = "Terlalu banyak percobaan masuk yang gagal"


def sign_in(username: str, password: str, address: str = OFFICE, **headers: Any):
    """A fresh browser signing in to /masuk/ from `address`."""
    client = Client()
    response = client.post(
        reverse("accounts:staff_login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )
    return client, response


def fail(username: str, times: int, address: str = OFFICE, **headers: Any) -> None:
    for _ in range(times):
        sign_in(username, "salah-sekali", address, **headers)


@pytest.fixture
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.SIGNIN_ADDRESS_FAILURE_LIMIT = 100
    settings.TRUSTED_PROXIES = []
    return settings


def test_five_failures_lock_the_pair_with_an_indonesian_message(limits, agent):
    # Given four failures, the account is still open
    fail(agent.username, 4)
    _, response = sign_in(agent.username, "salah-sekali")
    # When the fifth failure arrives, the page says it is locked, for how long
    assert response.status_code == 429
    body = response.content.decode()
    assert LOCKED_TEXT in body
    assert "15 menit" in body
    assert "dan sandi yang benar" not in body
    # And the attempt kept by axes holds no password
    [attempt] = AccessAttempt.objects.all()
    assert attempt.failures_since_start == 5
    assert "salah-sekali" not in attempt.post_data


def test_a_correct_password_during_the_lockout_is_refused(limits, agent):
    # Given a locked pair
    fail(agent.username, 5)
    # When the right password is given from the same address
    client, response = sign_in(agent.username, "demo1234")
    # Then nobody is signed in and the lockout message shows
    assert response.status_code == 429
    assert SESSION_KEY not in client.session
    assert LOCKED_TEXT in response.content.decode()


def test_the_lock_ends_after_the_cool_off_time(limits, agent):
    # Given a locked pair whose last failure is older than the cool-off time
    fail(agent.username, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    # When the right password is given, the sign-in works
    client, response = sign_in(agent.username, "demo1234")
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(agent.pk)


def test_a_success_resets_the_pair(limits, agent):
    # Given four failures and then a success
    fail(agent.username, 4)
    client, response = sign_in(agent.username, "demo1234")
    assert response.status_code == 302
    # When four more failures follow
    fail(agent.username, 4)
    # Then the count started again: the right password still works
    client, response = sign_in(agent.username, "demo1234")
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(agent.pk)


def test_nobody_can_lock_a_colleague_out_from_elsewhere(limits, agent):
    # Given an attacker locked the agent's username from their own address
    fail(agent.username, 5, address=HOME)
    # When the agent signs in from the office
    client, response = sign_in(agent.username, "demo1234", address=OFFICE)
    # Then the sign-in works
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(agent.pk)


def test_the_address_ceiling_locks_every_username_from_that_address_only(limits, agent):
    # Given an address that failed with many different usernames, none more than twice
    limits.SIGNIN_ADDRESS_FAILURE_LIMIT = 6
    for name in ("budi", "citra", "dewi"):
        fail(name, 2)
    # When a colleague behind the same address signs in with the right password
    client, response = sign_in(agent.username, "demo1234", address=OFFICE)
    # Then the address is locked for everyone
    assert response.status_code == 429
    assert SESSION_KEY not in client.session
    assert LOCKED_TEXT in response.content.decode()
    # And another address is not
    client, response = sign_in(agent.username, "demo1234", address=HOME)
    assert response.status_code == 302


def test_below_the_address_ceiling_a_shared_address_keeps_working(limits, agent):
    # Given many failures from a shared office address, below its ceiling
    limits.SIGNIN_ADDRESS_FAILURE_LIMIT = 10
    for name in ("budi", "citra", "dewi"):
        fail(name, 3)
    # When a colleague signs in there, it works
    _, response = sign_in(agent.username, "demo1234", address=OFFICE)
    assert response.status_code == 302


def test_a_forged_forwarded_for_is_ignored_without_a_trusted_proxy(limits, agent):
    # Given failures from one address, each claiming another address in X-Forwarded-For
    for n in range(5):
        sign_in(agent.username, "salah", OFFICE, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    # Then the failures all counted against the real address: the pair is locked
    _, response = sign_in(agent.username, "demo1234", OFFICE, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {OFFICE}


def test_forwarded_for_is_honoured_through_a_trusted_proxy(limits, agent):
    # Given our proxy at 10.0.0.2 forwards failures of one client
    limits.TRUSTED_PROXIES = ["10.0.0.0/24"]
    fail(agent.username, 5, address="10.0.0.2", HTTP_X_FORWARDED_FOR=HOME)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {HOME}
    # When the agent signs in through the same proxy from the office
    _, response = sign_in(
        agent.username, "demo1234", "10.0.0.2", HTTP_X_FORWARDED_FOR=f"192.0.2.1, {OFFICE}"
    )
    # Then the office is another address: the sign-in works
    assert response.status_code == 302
    # While the client behind the proxy stays locked
    _, response = sign_in(agent.username, "demo1234", "10.0.0.2", HTTP_X_FORWARDED_FOR=HOME)
    assert response.status_code == 429


def test_admin_sign_in_is_throttled_too(limits, admin_user):
    # Given five failures on /admin/login/
    for _ in range(5):
        Client().post(
            reverse("admin:login"),
            {"username": "admin", "password": "salah", "next": "/admin/"},
            REMOTE_ADDR=OFFICE,
        )
    # When the right password follows
    client = Client()
    response = client.post(
        reverse("admin:login"),
        {"username": "admin", "password": "demo1234", "next": "/admin/"},
        REMOTE_ADDR=OFFICE,
    )
    # Then it is refused with the lockout message
    assert response.status_code == 429
    assert SESSION_KEY not in client.session
    assert LOCKED_TEXT in response.content.decode()


def test_an_admin_unlocks_a_locked_pair(limits, agent, admin_user, client):
    # Given a locked pair
    fail(agent.username, 5)
    attempt = AccessAttempt.objects.get(username=agent.username)
    # When an admin deletes the attempt in Django admin
    client.force_login(admin_user)
    url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    # Then the agent can sign in again from the same address
    signed_in, response = sign_in(agent.username, "demo1234")
    assert response.status_code == 302
    assert signed_in.session[SESSION_KEY] == str(agent.pk)


def test_only_superusers_reach_the_unlock_page(limits, agent, client):
    fail(agent.username, 5)
    attempt = AccessAttempt.objects.get(username=agent.username)
    client.force_login(agent)
    url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302  # to the admin sign-in
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()


def test_a_very_long_username_is_refused_without_an_error(limits, db):
    # When someone posts a 5,000-character username
    _, response = sign_in("x" * 5000, "salah")
    # Then it is an ordinary failure, recorded under a bounded name
    assert response.status_code == 200
    assert "dan sandi yang benar" in response.content.decode()
    assert [len(name) for name in AccessAttempt.objects.values_list("username", flat=True)] == [150]


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        # No trusted proxy: the header is the client's own word, ignored.
        ([], "203.0.113.5", "192.0.2.1", "203.0.113.5"),
        # A client that is not our proxy cannot speak for others.
        (["10.0.0.0/8"], "203.0.113.5", "192.0.2.1", "203.0.113.5"),
        # Through our proxy: the right-most address it did not add itself.
        (["10.0.0.0/8"], "10.0.0.2", "192.0.2.1", "192.0.2.1"),
        # A forged left part is skipped: the proxy appended the real peer.
        (["10.0.0.0/8"], "10.0.0.2", "1.2.3.4, 192.0.2.1", "192.0.2.1"),
        # Two of our proxies in a row.
        (["10.0.0.0/8"], "10.0.0.2", "192.0.2.1, 10.0.0.3", "192.0.2.1"),
        # Garbage the client wrote never becomes the address.
        (["10.0.0.0/8"], "10.0.0.2", "bukan-alamat, 10.0.0.3", "10.0.0.3"),
        (["10.0.0.0/8"], "10.0.0.2", "", "10.0.0.2"),
        (["::1"], "::1", "2001:db8::7", "2001:db8::7"),
        ([], "::ffff:192.0.2.9", "", "192.0.2.9"),
        ([], "", "", ""),
    ],
)
def test_client_address(settings, trusted, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
