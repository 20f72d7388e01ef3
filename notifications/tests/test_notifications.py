"""In-app notifications: only the recipient sees, opens and marks them."""

from django.test import Client
from django.urls import reverse

from accounts.models import User
from notifications.models import Notification, NotificationKind
from notifications.services import notifications_create
from tickets.models import Ticket
from tickets.tests.factories import make_ticket

LIST = reverse("notifications:list")


def quiet_ticket(reporter: User) -> Ticket:
    """A ticket, without the notifications its filing sends."""
    ticket = make_ticket(reporter)
    Notification.objects.all().delete()
    return ticket


def notify(
    user: User, ticket: Ticket | None, title: str = "SPSE: batas waktu segera tiba"
) -> Notification:
    return notifications_create(
        recipients=[user], kind=NotificationKind.SLA_WARNING, title=title, ticket=ticket
    )[0]


def test_the_bell_counts_only_my_unread_notifications(
    client: Client, alice: User, agent: User, agent_other: User
) -> None:
    # Given two unread notifications for the agent, one read, one for somebody else
    ticket = quiet_ticket(alice)
    notify(agent, ticket)
    notify(agent, ticket)
    read = notify(agent, ticket)
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    notify(agent_other, ticket)
    # When the agent opens any page
    client.force_login(agent)
    response = client.get(LIST)
    # Then the bell shows 2, and the list only the agent's three
    assert response.context["unread_notifications"] == 2
    assert len(response.context["page"].object_list) == 3
    assert b'class="bell__count">2' in response.content


def test_opening_a_notification_marks_it_read_and_goes_to_the_ticket(
    client: Client, alice: User, agent: User
) -> None:
    # Given a notification about a ticket the agent handles
    ticket = quiet_ticket(alice)
    item = notify(agent, ticket)
    client.force_login(agent)
    # When the agent opens it
    response = client.post(reverse("notifications:open", args=[item.pk]))
    # Then it is read, and the console page of the ticket opens
    assert response.status_code == 302
    assert response["Location"] == reverse("console:ticket_detail", args=[ticket.number])
    item.refresh_from_db()
    assert item.read_at is not None


def test_a_reporter_goes_to_the_portal_page_of_the_ticket(client: Client, alice: User) -> None:
    ticket = quiet_ticket(alice)
    item = notify(alice, ticket, title="Tiket dibalas")
    client.force_login(alice)
    response = client.post(reverse("notifications:open", args=[item.pk]))
    assert response["Location"] == ticket.get_absolute_url()


def test_somebody_elses_notification_does_not_exist_for_me(
    client: Client, alice: User, agent: User, agent_other: User
) -> None:
    # Given the agent's notification
    item = notify(agent, quiet_ticket(alice))
    # When another agent tries to open it, or an id that does not exist
    client.force_login(agent_other)
    theirs = client.post(reverse("notifications:open", args=[item.pk]))
    missing = client.post(reverse("notifications:open", args=[item.pk + 1000]))
    # Then both answer the same 404, and it stays unread
    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content
    item.refresh_from_db()
    assert item.read_at is None
    assert item.title.encode() not in client.get(LIST).content


def test_a_ticket_no_longer_visible_leads_back_to_the_list(
    client: Client, alice: User, bob: User, agent: User
) -> None:
    # Given a notification about a ticket the recipient cannot see (another reporter's)
    item = notify(bob, quiet_ticket(alice), title="Tidak terlihat")
    client.force_login(bob)
    response = client.post(reverse("notifications:open", args=[item.pk]))
    assert response["Location"] == LIST


def test_mark_all_read_touches_only_mine(
    client: Client, alice: User, agent: User, agent_other: User
) -> None:
    ticket = quiet_ticket(alice)
    notify(agent, ticket)
    other = notify(agent_other, ticket)
    client.force_login(agent)
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=agent, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_only_posts_change_anything_and_strangers_sign_in_first(
    client: Client, alice: User, agent: User
) -> None:
    item = notify(agent, quiet_ticket(alice))
    client.force_login(agent)
    assert client.get(reverse("notifications:open", args=[item.pk])).status_code == 405
    assert client.get(reverse("notifications:read_all")).status_code == 405
    client.logout()
    assert client.get(LIST).status_code == 302
    assert client.post(reverse("notifications:open", args=[item.pk])).status_code == 302
    item.refresh_from_db()
    assert item.read_at is None
