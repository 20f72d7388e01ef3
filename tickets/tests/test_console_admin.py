"""Django admin: every registered model's pages open for the administrator; tickets are
read-only there (the state machine is the only way to change them)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.models import StaffAssignment, User
from reference.models import Category
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


def test_tickets_are_read_only_in_the_admin(signed_in_admin, alice, agent):
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
