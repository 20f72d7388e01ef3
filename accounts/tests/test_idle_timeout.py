"""Staff sessions end after an idle time and at their maximum age
(accounts/middleware.StaffIdleTimeoutMiddleware). Time moves by rewriting the stamps
stored in the session, never by waiting."""

from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import LAST_ACTIVITY_KEY, STARTED_KEY
from accounts.models import AuditAction, AuditEvent
from tickets.tests.factories import make_ticket

IDLE_TEXT = "Sesi Anda berakhir karena tidak ada aktivitas selama 30 menit"


def set_stamps(client: Client, **stamps: float) -> None:
    session = client.session
    for key, seconds_ago in stamps.items():
        session[key] = timezone.now().timestamp() - seconds_ago
    session.save()


def stamp(client: Client, key: str = LAST_ACTIVITY_KEY) -> Any:
    return client.session.get(key)


@pytest.fixture
def idle(settings):
    settings.STAFF_SESSION_IDLE_SECONDS = 1800
    settings.SESSION_COOKIE_AGE = 8 * 3600
    return settings


@pytest.fixture
def staff_client(client, agent):
    client.force_login(agent)
    # The first request marks the session's start and activity.
    assert client.get(reverse("console:queue")).status_code == 200
    return client


def test_a_staff_session_within_the_idle_time_stays_signed_in(idle, staff_client, agent):
    # Given the last activity 29 minutes ago
    set_stamps(staff_client, **{LAST_ACTIVITY_KEY: 29 * 60})
    before = stamp(staff_client)
    # When the agent opens the queue
    response = staff_client.get(reverse("console:queue"))
    # Then the page shows and the activity mark moved on
    assert response.status_code == 200
    assert stamp(staff_client) > before


def test_after_the_idle_time_the_next_request_signs_out(idle, staff_client, agent):
    # Given the last activity 31 minutes ago
    set_stamps(staff_client, **{LAST_ACTIVITY_KEY: 31 * 60})
    # When the agent opens the queue
    response = staff_client.get(reverse("console:queue") + "?status=open")
    # Then they are sent to the staff sign-in, coming back where they were
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("accounts:staff_login") + "?next=/konsol/%3Fstatus%3Dopen"
    )
    assert SESSION_KEY not in staff_client.session
    # And the sign-in page says why, as does the audit log
    page = staff_client.get(response["Location"])
    assert IDLE_TEXT in page.content.decode()
    [sign_out] = AuditEvent.objects.filter(action=AuditAction.SIGN_OUT)
    assert (sign_out.actor, sign_out.detail) == (agent, {"reason": "idle"})


def test_the_idle_time_is_a_setting(idle, staff_client):
    idle.STAFF_SESSION_IDLE_SECONDS = 120
    set_stamps(staff_client, **{LAST_ACTIVITY_KEY: 121})
    assert staff_client.get(reverse("console:queue")).status_code == 302
    assert SESSION_KEY not in staff_client.session


def test_live_page_polls_do_not_count_as_activity(idle, staff_client):
    # Given the last activity 20 minutes ago
    set_stamps(staff_client, **{LAST_ACTIVITY_KEY: 20 * 60})
    before = stamp(staff_client)
    # When the open page polls itself and the bell refreshes
    staff_client.get(reverse("console:queue") + "?live=0.0", HTTP_X_LIVE_POLL="1")
    staff_client.get(reverse("notifications:bell"))
    # Then the activity mark did not move
    assert stamp(staff_client) == before
    # And once the idle time has passed, a poll ends the session too
    set_stamps(staff_client, **{LAST_ACTIVITY_KEY: 31 * 60})
    response = staff_client.get(reverse("console:queue") + "?live=0.0")
    # (403 stops live.js without drawing the sign-in page into the open page)
    assert response.status_code == 403
    assert SESSION_KEY not in staff_client.session
    # And the next page the person opens says why they were signed out
    page = staff_client.get(reverse("home"), follow=True)
    assert IDLE_TEXT in page.content.decode()


def test_presence_reports_do_not_count_as_activity(idle, staff_client, agent, alice):
    ticket = make_ticket(reporter=alice)
    set_stamps(staff_client, **{LAST_ACTIVITY_KEY: 20 * 60})
    before = stamp(staff_client)
    response = staff_client.post(
        reverse("console:ticket_presence", args=[ticket.number]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert stamp(staff_client) == before


def test_the_activity_mark_is_written_at_most_once_a_minute(idle, staff_client):
    # Given activity 30 seconds ago
    set_stamps(staff_client, **{LAST_ACTIVITY_KEY: 30})
    before = stamp(staff_client)
    # When another page opens, the mark stays (no session write per request)
    staff_client.get(reverse("console:queue"))
    assert stamp(staff_client) == before
    # But after more than a minute it moves
    set_stamps(staff_client, **{LAST_ACTIVITY_KEY: 61})
    before = stamp(staff_client)
    staff_client.get(reverse("console:queue"))
    assert stamp(staff_client) > before


def test_an_htmx_request_after_the_idle_time_reloads_the_sign_in_page(idle, staff_client):
    set_stamps(staff_client, **{LAST_ACTIVITY_KEY: 31 * 60})
    response = staff_client.get(reverse("console:queue"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("accounts:staff_login")
    assert SESSION_KEY not in staff_client.session


def test_a_staff_session_ends_at_its_maximum_age_despite_activity(idle, staff_client):
    # Given a session that began 8 hours and a second ago, active a minute ago
    set_stamps(staff_client, **{STARTED_KEY: 8 * 3600 + 1, LAST_ACTIVITY_KEY: 60})
    # When the agent opens a page
    response = staff_client.get(reverse("console:queue"))
    # Then the session is over
    assert response.status_code == 302
    assert SESSION_KEY not in staff_client.session
    page = staff_client.get(response["Location"])
    assert "Sesi Anda sudah mencapai batas waktunya" in page.content.decode()
    [sign_out] = AuditEvent.objects.filter(action=AuditAction.SIGN_OUT)
    assert sign_out.detail == {"reason": "max_age"}


def test_an_admin_session_times_out_too(idle, client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("admin:index")).status_code == 200
    set_stamps(client, **{LAST_ACTIVITY_KEY: 31 * 60})
    assert client.get(reverse("admin:index")).status_code == 302
    assert SESSION_KEY not in client.session


def test_reporters_have_no_idle_timeout(idle, client, alice):
    # Given a reporter idle for two hours
    client.force_login(alice)
    set_stamps(client, **{LAST_ACTIVITY_KEY: 2 * 3600})
    # When they open their dashboard, they are still signed in
    assert client.get(reverse("portal:dashboard")).status_code == 200
    assert client.session[SESSION_KEY] == str(alice.pk)
