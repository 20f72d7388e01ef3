"""Staff choose which events reach them by e-mail; admins see and resend failed mail."""

from django.test import Client
from django.urls import reverse

from accounts.models import StaffAssignment, User
from notifications.models import MailStatus, NotificationKind, OutgoingMail
from notifications.services import mail_preferences
from tickets import services
from tickets.tests.factories import make_ticket

PREFERENCES = reverse("notifications:preferences")


def test_staff_turn_off_some_mails_and_still_get_them_in_the_app(
    client: Client, alice: User, agent: User, agent_119_b: User
) -> None:
    # Given the agent keeps only SLA mails
    client.force_login(agent)
    page = client.get(PREFERENCES)
    assert page.status_code == 200
    assert set(page.context["form"].initial["kinds"]) == mail_preferences(agent)
    response = client.post(PREFERENCES, {"kinds": ["sla_warning", "sla_breach"]})
    assert response.status_code == 302
    assert mail_preferences(agent) == {"sla_warning", "sla_breach"}
    # When a new ticket arrives for their LPSE
    ticket = make_ticket(alice)
    # Then the agent has the in-app notification but no mail; their colleague has both
    mails = OutgoingMail.objects.filter(ticket=ticket, kind=NotificationKind.TICKET_CREATED)
    assert set(mails.values_list("to_address", flat=True)) == {
        agent_119_b.email,
        ticket.notification_email,
    }
    assert agent.notifications.filter(ticket=ticket, kind="ticket_created").exists()


def test_reporters_and_strangers_have_no_mail_settings(client: Client, alice: User) -> None:
    client.force_login(alice)
    assert client.get(PREFERENCES).status_code == 404
    assert client.post(PREFERENCES, {"kinds": []}).status_code == 404
    client.logout()
    assert client.get(PREFERENCES).status_code == 302


def test_unknown_kinds_are_refused_and_change_nothing(client: Client, agent: User) -> None:
    client.force_login(agent)
    before = mail_preferences(agent)
    response = client.post(PREFERENCES, {"kinds": ["replied", "nope"]})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert mail_preferences(agent) == before


def test_admins_see_failed_mail_with_its_error_and_send_it_again(
    client: Client, alice: User, agent: User, admin_user: User
) -> None:
    # Given a mail that failed for good
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    mail = OutgoingMail.objects.filter(ticket=ticket).first()
    assert mail is not None
    OutgoingMail.objects.filter(pk=mail.pk).update(
        status=MailStatus.FAILED, attempts=3, last_error="550 mailbox unavailable"
    )
    # and an admin whose assignment covers the ticket (DESIGN §1: only through assignments)
    StaffAssignment.objects.create(user=admin_user, role="agent", lpse=ticket.lpse)
    client.force_login(admin_user)
    # When the admin lists failed mail
    listing = client.get(
        reverse("admin:notifications_outgoingmail_changelist"), {"status": "failed"}
    )
    # Then it is there with its error, and sending it again makes it pending
    assert mail.subject.encode() in listing.content
    detail = client.get(reverse("admin:notifications_outgoingmail_change", args=[mail.pk]))
    assert b"550 mailbox unavailable" in detail.content
    client.post(
        reverse("admin:notifications_outgoingmail_changelist"),
        {"action": "resend", "_selected_action": [mail.pk]},
    )
    mail.refresh_from_db()
    assert (mail.status, mail.attempts, mail.last_error) == (MailStatus.PENDING, 0, "")
