"""The append-only audit log (accounts/audit.py, AuditEvent, its Django admin page)."""

import csv
import io
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import (
    AuditAction,
    AuditEvent,
    AuditLogIsAppendOnly,
    StaffAssignment,
    User,
)
from accounts.services import staff_member_upsert
from reference.models import Application, ApplicationGroup

OFFICE = "203.0.113.5"


def events(action: str, **filters: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, **filters).order_by("id"))


def sign_in(url: str, username: str, password: str, **extra: Any) -> Client:
    client = Client()
    client.post(url, {"username": username, "password": password, **extra}, REMOTE_ADDR=OFFICE)
    return client


@pytest.fixture
def admin_client_(client: Client, admin_user: User) -> Client:
    client.force_login(admin_user)
    return client


# --- Sign-in events --------------------------------------------------------------


def test_a_staff_sign_in_is_recorded_with_its_address(agent):
    # When the agent signs in on /masuk/
    client = sign_in(reverse("accounts:staff_login"), agent.username, "demo1234")
    assert client.session[SESSION_KEY] == str(agent.pk)
    # Then the log has who, from where, on which page
    [event] = events(AuditAction.SIGN_IN)
    assert (event.actor, event.actor_username, event.address) == (agent, agent.username, OFFICE)
    assert event.detail["path"] == reverse("accounts:staff_login")


def test_an_admin_sign_in_is_recorded(admin_user):
    sign_in(reverse("admin:login"), "admin", "demo1234", next="/admin/")
    [event] = events(AuditAction.SIGN_IN)
    assert event.actor == admin_user
    assert event.detail["path"] == reverse("admin:login")


def test_a_failed_sign_in_is_recorded_with_the_typed_username(agent):
    sign_in(reverse("accounts:staff_login"), agent.username, "salah")
    sign_in(reverse("accounts:staff_login"), "tidak-ada", "salah")
    first, second = events(AuditAction.SIGN_IN_FAILED)
    assert (first.actor, first.actor_username, first.address) == (agent, agent.username, OFFICE)
    # An unknown name is kept as typed, with no account behind it
    assert (second.actor, second.actor_username) == (None, "tidak-ada")
    assert events(AuditAction.SIGN_IN) == []


def test_a_lockout_is_recorded(settings, agent):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        sign_in(reverse("accounts:staff_login"), agent.username, "salah")
    [event] = events(AuditAction.LOCKED_OUT)
    assert (event.actor, event.address) == (agent, OFFICE)
    assert events(AuditAction.SIGN_IN_FAILED)[-1].detail["locked"] is True


def test_a_staff_sign_out_is_recorded(client, agent):
    client.force_login(agent)
    client.post(reverse("accounts:logout"), REMOTE_ADDR=OFFICE)
    [event] = events(AuditAction.SIGN_OUT)
    assert (event.actor, event.address, event.detail) == (agent, OFFICE, {"reason": "user"})


def test_reporter_sign_ins_and_outs_are_not_staff_events(client, alice):
    client.force_login(alice)
    client.post(reverse("accounts:logout"))
    assert AuditEvent.objects.count() == 0


# --- API tokens -----------------------------------------------------------------------


def test_token_creation_and_revocation_are_recorded(client, agent):
    client.force_login(agent)
    client.post(reverse("accounts:tokens"), {"name": "skrip laporan"}, REMOTE_ADDR=OFFICE)
    token = agent.api_tokens.get()
    [created] = events(AuditAction.API_TOKEN_CREATED)
    assert (created.actor, created.address) == (agent, OFFICE)
    assert created.detail == {"token_id": token.pk, "prefix": token.prefix}
    assert "skrip laporan" in created.target
    # When it is revoked twice (a double click), one event is recorded
    url = reverse("accounts:token_revoke", args=[token.pk])
    client.post(url, REMOTE_ADDR=OFFICE)
    client.post(url, REMOTE_ADDR=OFFICE)
    [revoked] = events(AuditAction.API_TOKEN_REVOKED)
    assert (revoked.actor, revoked.address, revoked.detail["token_id"]) == (agent, OFFICE, token.pk)


# --- Assignments and groups -------------------------------------------------------------


def test_the_staff_service_records_created_and_changed_assignments(reference):
    # Given a new staff member
    staff_member_upsert(
        username="petugas_baru", full_name="P", email="", assignments=[("agent", 119, None, "")]
    )
    [created] = events(AuditAction.ASSIGNMENT_CREATED)
    assert created.detail["after"]["lpse"] == 119
    assert created.actor is None
    # When the same data is loaded again, nothing is recorded
    staff_member_upsert(
        username="petugas_baru", full_name="P", email="", assignments=[("agent", 119, None, "")]
    )
    assert events(AuditAction.ASSIGNMENT_CHANGED) == []
    # When the title changes, the change is recorded with both sides
    staff_member_upsert(
        username="petugas_baru",
        full_name="P",
        email="",
        assignments=[("agent", 119, None, "verifikator")],
    )
    [changed] = events(AuditAction.ASSIGNMENT_CHANGED)
    assert (changed.detail["before"]["title"], changed.detail["after"]["title"]) == (
        "",
        "verifikator",
    )


def test_assignments_made_in_admin_are_recorded(admin_client_, admin_user, agent, lpse_119):
    # When an admin adds a supervisor assignment for LPSE 119
    response = admin_client_.post(
        reverse("admin:accounts_staffassignment_add"),
        {"user": agent.pk, "role": "supervisor", "lpse": lpse_119.pk, "title": ""},
        REMOTE_ADDR=OFFICE,
    )
    assert response.status_code == 302
    assignment = StaffAssignment.objects.get(user=agent, role="supervisor")
    [created] = events(AuditAction.ASSIGNMENT_CREATED, actor=admin_user)
    assert (created.actor, created.address) == (admin_user, OFFICE)
    assert created.detail["after"]["role"] == "supervisor"
    # When the admin changes its title
    response = admin_client_.post(
        reverse("admin:accounts_staffassignment_change", args=[assignment.pk]),
        {"user": agent.pk, "role": "supervisor", "lpse": lpse_119.pk, "title": "koordinator"},
    )
    assert response.status_code == 302
    [changed] = events(AuditAction.ASSIGNMENT_CHANGED, actor=admin_user)
    assert changed.detail["before"]["title"] == ""
    assert changed.detail["after"]["title"] == "koordinator"
    # When the admin deletes it
    response = admin_client_.post(
        reverse("admin:accounts_staffassignment_delete", args=[assignment.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    [deleted] = events(AuditAction.ASSIGNMENT_DELETED, actor=admin_user)
    assert deleted.detail["before"]["title"] == "koordinator"


def test_assignments_deleted_in_bulk_in_admin_are_recorded(admin_client_, agent, lkpp_spse):
    pks = [agent.assignments.get().pk, lkpp_spse.assignments.get().pk]
    response = admin_client_.post(
        reverse("admin:accounts_staffassignment_changelist"),
        {"action": "delete_selected", "_selected_action": pks, "post": "yes"},
    )
    assert response.status_code == 302
    assert not StaffAssignment.objects.filter(pk__in=pks).exists()
    deleted = events(AuditAction.ASSIGNMENT_DELETED)
    assert sorted(event.detail["before"]["user"] for event in deleted) == [
        "agent_119",
        "lkpp_spse",
    ]


def _user_change_data(user: User, assignments: list[dict[str, Any]]) -> dict[str, Any]:
    now = timezone.localtime()
    data: dict[str, Any] = {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": now.strftime("%Y-%m-%d"),
        "date_joined_1": now.strftime("%H:%M:%S"),
        "assignments-TOTAL_FORMS": len(assignments),
        "assignments-INITIAL_FORMS": sum(1 for a in assignments if a.get("id")),
        "assignments-MIN_NUM_FORMS": 0,
        "assignments-MAX_NUM_FORMS": 1000,
    }
    for n, assignment in enumerate(assignments):
        for key, value in assignment.items():
            data[f"assignments-{n}-{key}"] = value
        data[f"assignments-{n}-user"] = user.pk
    return data


def test_assignments_changed_in_the_user_page_inline_are_recorded(
    admin_client_, admin_user, agent, lpse_119
):
    existing = agent.assignments.get()
    url = reverse("admin:accounts_user_change", args=[agent.pk])
    # When the admin renames the existing assignment and adds a national supervisor one
    response = admin_client_.post(
        url,
        _user_change_data(
            agent,
            [
                {"id": existing.pk, "role": "agent", "lpse": lpse_119.pk, "title": "helpdesk"},
                {"role": "supervisor", "title": ""},
            ],
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    [changed] = events(AuditAction.ASSIGNMENT_CHANGED, actor=admin_user)
    assert changed.actor == admin_user
    assert changed.detail["after"]["title"] == "helpdesk"
    [created] = events(AuditAction.ASSIGNMENT_CREATED, actor=admin_user)
    assert created.detail["after"] == {
        "user": agent.username,
        "role": "supervisor",
        "lpse": None,
        "application_group": None,
        "title": "",
    }
    # When the admin deletes the supervisor assignment
    national = agent.assignments.get(role="supervisor")
    response = admin_client_.post(
        url,
        _user_change_data(
            agent,
            [
                {"id": existing.pk, "role": "agent", "lpse": lpse_119.pk, "title": "helpdesk"},
                {"id": national.pk, "role": "supervisor", "title": "", "DELETE": "on"},
            ],
        ),
    )
    assert response.status_code == 302
    [deleted] = events(AuditAction.ASSIGNMENT_DELETED, actor=admin_user)
    assert deleted.detail["before"]["role"] == "supervisor"
    assert len(events(AuditAction.ASSIGNMENT_CHANGED, actor=admin_user)) == 1


def test_group_changes_in_admin_record_the_applications(admin_client_, admin_user, empty_group):
    spse = Application.objects.get(code="SPSE")
    url = reverse("admin:reference_applicationgroup_change", args=[empty_group.pk])
    # When the admin adds SPSE to the empty group
    response = admin_client_.post(
        url,
        {"code": empty_group.code, "name": empty_group.name, "applications": [spse.pk]},
        REMOTE_ADDR=OFFICE,
    )
    assert response.status_code == 302
    [event] = events(AuditAction.GROUP_CHANGED)
    assert (event.actor, event.address) == (admin_user, OFFICE)
    assert event.detail["before"]["applications"] == []
    assert event.detail["after"]["applications"] == ["SPSE"]
    # When the admin deletes the group
    response = admin_client_.post(
        reverse("admin:reference_applicationgroup_delete", args=[empty_group.pk]),
        {"post": "yes"},
    )
    assert response.status_code == 302
    deleted = events(AuditAction.GROUP_CHANGED)[-1]
    assert deleted.detail["deleted"] is True
    assert deleted.detail["before"]["applications"] == ["SPSE"]


def test_a_new_group_is_recorded(admin_client_):
    response = admin_client_.post(
        reverse("admin:reference_applicationgroup_add"), {"code": "grup-x", "name": "Grup X"}
    )
    assert response.status_code == 302
    [event] = events(AuditAction.GROUP_CHANGED)
    assert event.detail["before"] is None
    assert event.detail["after"]["code"] == "grup-x"
    assert ApplicationGroup.objects.filter(code="grup-x").exists()


# --- Append-only ---------------------------------------------------------------------


def test_an_event_cannot_be_changed_or_deleted(agent):
    event = audit_record(action=AuditAction.EXPORT, actor=agent, address=OFFICE)
    event.target = "diubah"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(target="diubah")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()
    event.refresh_from_db()
    assert event.target == ""


def test_the_username_stays_when_the_account_is_deleted(agent):
    audit_record(action=AuditAction.SIGN_IN, actor=agent, address=OFFICE)
    agent.delete()
    [event] = events(AuditAction.SIGN_IN)
    assert (event.actor, event.actor_username) == (None, "agent_119")


def test_admin_cannot_add_change_or_delete_events(admin_client_, agent):
    event = audit_record(action=AuditAction.SIGN_IN, actor=agent)
    change_url = reverse("admin:accounts_auditevent_change", args=[event.pk])
    # The list and a read-only view work
    assert admin_client_.get(reverse("admin:accounts_auditevent_changelist")).status_code == 200
    assert admin_client_.get(change_url).status_code == 200
    # Adding, changing and deleting do not
    assert admin_client_.get(reverse("admin:accounts_auditevent_add")).status_code == 403
    assert admin_client_.post(change_url, {"target": "x"}).status_code == 403
    delete_url = reverse("admin:accounts_auditevent_delete", args=[event.pk])
    assert admin_client_.post(delete_url, {"post": "yes"}).status_code == 403
    response = admin_client_.post(
        reverse("admin:accounts_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert AuditEvent.objects.filter(pk=event.pk, target="").exists()
    assert response.status_code in (200, 302)


def test_only_superusers_read_the_log(client, agent):
    # Given a staff member with every admin permission but not superuser
    from django.contrib.auth.models import Permission

    agent.is_staff = True
    agent.save()
    agent.user_permissions.set(Permission.objects.all())
    client.force_login(agent)
    audit_record(action=AuditAction.SIGN_IN, actor=agent)
    # Then the log is closed to them
    assert client.get(reverse("admin:accounts_auditevent_changelist")).status_code == 403
    assert b"auditevent" not in client.get(reverse("admin:index")).content


# --- Export -----------------------------------------------------------------------------


def test_export_as_csv_escapes_formulas_and_records_itself(admin_client_, admin_user, agent):
    # Given a sign-in and a failure with a username that a spreadsheet would run
    pks = [
        audit_record(action=AuditAction.SIGN_IN, actor=agent, address=OFFICE).pk,
        audit_record(
            action=AuditAction.SIGN_IN_FAILED, username="=HYPERLINK(1)", address=OFFICE
        ).pk,
    ]
    # When the admin exports them
    response = admin_client_.post(
        reverse("admin:accounts_auditevent_changelist"),
        {"action": "export_csv", "_selected_action": pks, "index": 0},
        REMOTE_ADDR=OFFICE,
    )
    # Then the CSV has a header and both rows, the formula defused
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["waktu", "aksi", "nama pengguna"]
    assert [row[1:4] for row in rows[1:]] == [
        ["sign_in", "agent_119", OFFICE],
        ["sign_in_failed", "'=HYPERLINK(1)", OFFICE],
    ]
    # And the export itself is in the log
    [export] = events(AuditAction.EXPORT)
    assert (export.actor, export.address, export.detail["rows"]) == (admin_user, OFFICE, 2)


def test_export_is_refused_to_non_superusers(client, agent):
    from django.contrib.auth.models import Permission

    agent.is_staff = True
    agent.save()
    agent.user_permissions.set(Permission.objects.all())
    event = audit_record(action=AuditAction.SIGN_IN, actor=agent)
    client.force_login(agent)
    response = client.post(
        reverse("admin:accounts_auditevent_changelist"),
        {"action": "export_csv", "_selected_action": [event.pk], "index": 0},
    )
    assert response.status_code == 403
    assert events(AuditAction.EXPORT) == []
