"""Django admin: every registered model's pages open for the administrator; tickets are
read-only there (the state machine is the only way to change them)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.models import StaffAssignment, User
from notifications.models import MailStatus, Notification, OutgoingMail
from reference.models import Category, Lpse
from tickets.models import Status, Ticket
from tickets.tests.factories import make_ticket


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def signed_in_admin(client, admin_user, alice, agent):
    make_ticket(alice)
    client.force_login(admin_user)
    return client


def test_every_changelist_and_add_page_opens(signed_in_admin):
    for model in admin.site._registry:
        meta = model._meta
        if meta.app_label not in ("accounts", "reference", "tickets"):
            continue
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert signed_in_admin.get(url).status_code == 200, url
        add = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
        # Tickets change only through the state machine; the audit log is append-only.
        expected = 403 if model is Ticket or meta.label == "accounts.AuditEvent" else 200
        assert signed_in_admin.get(add).status_code == expected, add


def test_change_pages_of_people_and_reference_data_open(signed_in_admin, alice, agent):
    for obj in [alice, agent, StaffAssignment.objects.first(), Category.objects.first()]:
        meta = obj._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
        assert signed_in_admin.get(url).status_code == 200, url
    # A staff member's page lists the assignments inline; a reporter's does not
    assert (
        "assignments-TOTAL_FORMS"
        in signed_in_admin.get(
            reverse("admin:accounts_user_change", args=[agent.pk])
        ).content.decode()
    )
    assert (
        "assignments-TOTAL_FORMS"
        not in signed_in_admin.get(
            reverse("admin:accounts_user_change", args=[alice.pk])
        ).content.decode()
    )


def test_a_reporters_identity_cannot_be_edited(signed_in_admin, alice):
    url = reverse("admin:accounts_user_change", args=[alice.pk])
    page = signed_in_admin.get(url).content.decode()
    assert 'name="source_user_id"' not in page and "ppk1" in page
    signed_in_admin.post(url, {"source_user_id": "lain", "role": "pokja", "is_active": "on"})
    alice.refresh_from_db()
    assert (alice.source_user_id, alice.role) == ("ppk1", "ppk")


def test_the_search_and_filters_of_the_changelists_work(signed_in_admin):
    for name, params in [
        ("admin:reference_lpse_changelist", {"q": "119"}),
        ("admin:reference_lpse_changelist", {"q": "Surabaya"}),
        ("admin:reference_category_changelist", {"application__id__exact": 1}),
        ("admin:accounts_user_changelist", {"source": "spse"}),
        ("admin:tickets_ticket_changelist", {"status": "new", "q": "Gagal"}),
    ]:
        assert signed_in_admin.get(reverse(name), params).status_code == 200, name


def test_tickets_are_read_only_in_the_admin(signed_in_admin, admin_user, alice, agent):
    # Given an admin who also works at LPSE 119 (the only way an admin sees tickets)
    _assign_to_119(admin_user)
    ticket = Ticket.objects.get()
    url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
    page = signed_in_admin.get(url)
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    response = signed_in_admin.post(url, {"status": Status.CLOSED, "tier": 3, "holder": agent.pk})
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert (ticket.status, ticket.tier, ticket.holder) == (Status.NEW, 1, None)
    delete = reverse("admin:tickets_ticket_delete", args=[ticket.pk])
    assert signed_in_admin.post(delete, {"post": "yes"}).status_code == 403
    assert Ticket.objects.filter(pk=ticket.pk).exists()


def test_staff_can_be_created_in_the_admin(signed_in_admin):
    response = signed_in_admin.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "petugas_baru",
            "full_name": "Petugas Baru",
            "email": "baru@lkpp.example",
            "password1": "sandi-yang-cukup-panjang-123",
            "password2": "sandi-yang-cukup-panjang-123",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="petugas_baru")
    assert user.full_name == "Petugas Baru" and not user.is_reporter


def _assign_to_119(user):
    StaffAssignment.objects.create(user=user, role="agent", lpse=Lpse.objects.get(kd_lpse=119))


def test_an_admin_without_an_assignment_sees_no_ticket_mail_or_notification(
    signed_in_admin, admin_user, alice, agent
):
    # Given a ticket with its notification and mails (created by the fixture)
    ticket = Ticket.objects.get()
    assert OutgoingMail.objects.filter(ticket=ticket).exists()
    assert Notification.objects.filter(ticket=ticket).exists()
    mail = OutgoingMail.objects.filter(ticket=ticket).earliest("pk")
    notification = Notification.objects.filter(ticket=ticket).earliest("pk")
    pages = {
        "admin:tickets_ticket": ticket,
        "admin:notifications_outgoingmail": mail,
        "admin:notifications_notification": notification,
    }
    for name, obj in pages.items():
        # Then the lists are empty and the pages answer like a missing object
        listing = signed_in_admin.get(reverse(f"{name}_changelist"))
        assert listing.status_code == 200
        assert listing.context["cl"].result_count == 0, name
        change = signed_in_admin.get(reverse(f"{name}_change", args=[obj.pk]))
        missing = signed_in_admin.get(reverse(f"{name}_change", args=[999_999]))
        assert change.status_code == missing.status_code == 302, name
        assert change["Location"] == missing["Location"]
    # and the mails' "send again" action cannot reach them either
    OutgoingMail.objects.filter(pk=mail.pk).update(status=MailStatus.FAILED)
    signed_in_admin.post(
        reverse("admin:notifications_outgoingmail_changelist"),
        {"action": "resend", "_selected_action": [mail.pk]},
    )
    mail.refresh_from_db()
    assert mail.status == MailStatus.FAILED


def test_an_admin_sees_internal_notes_only_of_tickets_their_assignment_covers(
    signed_in_admin, admin_user, alice, carol, agent
):
    # Given a note on alice's ticket (LPSE 119) and on carol's (LPSE 10), and an admin
    # who works at LPSE 119
    from tickets import services

    mine = Ticket.objects.get()
    services.ticket_add_note(ticket=mine, actor=agent, body="Catatan rahasia 119.")
    theirs = make_ticket(carol)
    services.ticket_add_note(ticket=theirs, actor=agent_of(10), body="Catatan rahasia 10.")
    _assign_to_119(admin_user)
    # Then only the covered ticket is listed, and only its notes show
    listing = signed_in_admin.get(reverse("admin:tickets_ticket_changelist"))
    assert [t.pk for t in listing.context["cl"].result_list] == [mine.pk]
    page = signed_in_admin.get(reverse("admin:tickets_ticket_change", args=[mine.pk]))
    assert "Catatan rahasia 119." in page.content.decode()
    hidden = signed_in_admin.get(reverse("admin:tickets_ticket_change", args=[theirs.pk]))
    assert hidden.status_code == 302
    assert "Catatan rahasia 10." not in hidden.content.decode()


def agent_of(kd_lpse):
    user = User.objects.create_user(f"agen_{kd_lpse}", password="x")
    StaffAssignment.objects.create(user=user, role="agent", lpse=Lpse.objects.get(kd_lpse=kd_lpse))
    return user


def test_open_tickets_of_a_deactivated_lpse_are_listed_for_reassignment(
    signed_in_admin, admin_user, alice, carol
):
    # Given a national supervisor's assignment for the admin, and LPSE 119 deactivated
    StaffAssignment.objects.create(user=admin_user, role="supervisor")
    make_ticket(carol)
    Lpse.objects.filter(kd_lpse=119).update(is_active=False)
    listing = signed_in_admin.get(
        reverse("admin:tickets_ticket_changelist"), {"lpse_nonaktif": "terbuka"}
    )
    assert [t.lpse.kd_lpse for t in listing.context["cl"].result_list] == [119]
