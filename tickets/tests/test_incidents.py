"""*Tautkan ke insiden* (issue 18): staff link tickets of different reporters with one
cause to a parent incident ticket; resolving the incident resolves the linked tickets that
still wait for an answer with its resolution, and each reporter confirms or answers
*Belum* on their own ticket. Everything through the state machine and the access rules."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.services import reporter_upsert
from lib.errors import NotFound
from notifications.models import OutgoingMail
from tickets import services
from tickets.duplicates import matching_incidents
from tickets.lifecycle import ActionConflict, ActionForbidden, ActionInvalid
from tickets.models import EventKind, MessageKind, Status, Ticket
from tickets.tests.factories import make_ticket

WIB = ZoneInfo("Asia/Jakarta")
MONDAY = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=WIB)
OUTAGE = "Server SPSE tidak bisa diakses, halaman login error 502 sejak pagi"
RESOLUTION = "Server aplikasi SPSE sudah dipulihkan pukul 11.00; silakan masuk kembali."


def at(hours: float) -> datetime.datetime:
    return MONDAY + datetime.timedelta(hours=hours)


def reporter(user_id: str, name: str) -> User:
    return reporter_upsert(
        source="spse",
        kd_lpse=119,
        user_id=user_id,
        name=name,
        email=f"{user_id}@example.go.id",
        role="pokja",
        instansi="Instansi Uji",
    )


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def incident(alice, agent) -> Ticket:
    """alice's report of the outage, held by `agent`."""
    ticket = make_ticket(alice, title="SPSE tidak bisa diakses", description=OUTAGE, now=at(0))
    return services.ticket_take(ticket=ticket, actor=agent, now=at(0.1))


@pytest.fixture
def report(bob) -> Ticket:
    """bob's report of the same outage, new."""
    return make_ticket(bob, title="Tidak bisa login SPSE", description=OUTAGE, now=at(0.2))


def state(ticket: Ticket) -> tuple[object, ...]:
    ticket.refresh_from_db()
    return (
        ticket.status,
        ticket.incident_id,
        ticket.is_incident,
        ticket.revision,
        ticket.events.count(),
        ticket.messages.count(),
    )


def test_a_link_is_recorded_on_both_tickets_for_staff_only(incident, report, agent):
    public_before = Ticket.objects.get(pk=report.pk).public_updated_at
    linked = services.ticket_link_incident(
        ticket=report, actor=agent, incident=incident, now=at(0.5)
    )
    incident.refresh_from_db()
    assert (linked.incident_id, linked.is_incident, incident.is_incident) == (
        incident.pk,
        False,
        True,
    )
    assert linked.status == Status.NEW  # linking changes no status
    event = linked.events.get(kind=EventKind.INCIDENT_LINKED)
    assert (event.actor, event.is_internal, event.data["incident"]) == (
        agent,
        True,
        incident.number,
    )
    member = incident.events.get(kind=EventKind.INCIDENT_MEMBER)
    assert (member.is_internal, member.data["ticket"]) == (True, report.number)
    # The reporter's pages did not change: another reporter's ticket is not theirs to see
    assert linked.public_updated_at == public_before


def test_resolving_the_incident_resolves_the_waiting_linked_tickets(
    incident, report, agent, alice, bob
):
    # Given three more reports of the outage: one in progress, one awaiting feedback, and
    # one its own agent resolved already
    others = [reporter(f"pokja{n}", f"Pokja {n}") for n in (2, 3, 4)]
    in_progress, awaiting, resolved = (
        make_ticket(person, description=OUTAGE, now=at(0.3)) for person in others
    )
    services.ticket_take(ticket=in_progress, actor=agent, now=at(0.4))
    services.ticket_take(ticket=awaiting, actor=agent, now=at(0.4))
    services.ticket_request_feedback(
        ticket=awaiting, actor=agent, body="Browser apa yang dipakai?", now=at(0.45)
    )
    services.ticket_take(ticket=resolved, actor=agent, now=at(0.4))
    for ticket in (report, in_progress, awaiting, resolved):
        services.ticket_link_incident(ticket=ticket, actor=agent, incident=incident, now=at(0.5))
    services.ticket_resolve(ticket=resolved, actor=agent, body="Sudah normal.", now=at(0.6))
    last_mail = OutgoingMail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    # When the incident is resolved
    services.ticket_resolve(ticket=incident, actor=agent, body=RESOLUTION, now=at(2))
    # Then every linked ticket that waited is resolved with the incident's resolution
    for ticket in (report, in_progress, awaiting):
        ticket.refresh_from_db()
        assert ticket.status == Status.AWAITING_CONFIRMATION
        assert (ticket.resolved_by, ticket.resolved_at) == (agent, at(2))
        message = ticket.messages.get(kind=MessageKind.RESOLUTION)
        assert (message.body, message.author, message.is_internal) == (RESOLUTION, agent, False)
        event = ticket.events.get(kind=EventKind.RESOLVED)
        assert (event.actor, event.data["incident"], event.to_status) == (
            agent,
            incident.number,
            Status.AWAITING_CONFIRMATION,
        )
    # The one resolved on its own keeps its own resolution
    resolved.refresh_from_db()
    assert resolved.messages.get(kind=MessageKind.RESOLUTION).body == "Sudah normal."
    # Each reporter is asked to confirm by mail, like any resolution
    asked = set(
        OutgoingMail.objects.filter(pk__gt=last_mail).values_list("ticket_id", "to_address")
    )
    for ticket, person in ((incident, alice), (report, bob), (in_progress, others[0])):
        assert (ticket.pk, person.email) in asked
    assert (awaiting.pk, others[1].email) in asked
    assert not any(ticket_id == resolved.pk for ticket_id, _ in asked)
    # And each reporter answers on their own ticket: bob confirms, pokja2 says Belum
    services.ticket_confirm(ticket=report, actor=bob, now=at(3))
    services.ticket_reopen(
        ticket=in_progress, actor=others[0], body="Masih error di tempat saya.", now=at(3)
    )
    report.refresh_from_db()
    in_progress.refresh_from_db()
    awaiting.refresh_from_db()
    assert (report.status, in_progress.status, awaiting.status) == (
        Status.CLOSED,
        Status.IN_PROGRESS,
        Status.AWAITING_CONFIRMATION,
    )


def test_an_unlinked_ticket_is_not_resolved_with_the_incident(incident, report, agent):
    services.ticket_link_incident(ticket=report, actor=agent, incident=incident, now=at(0.5))
    services.ticket_unlink_incident(ticket=report, actor=agent, now=at(0.6))
    report.refresh_from_db()
    incident.refresh_from_db()
    # The incident without linked tickets is an ordinary ticket again
    assert (report.incident_id, incident.is_incident) == (None, False)
    assert report.events.get(kind=EventKind.INCIDENT_UNLINKED).data["incident"] == incident.number
    services.ticket_resolve(ticket=incident, actor=agent, body=RESOLUTION, now=at(1))
    report.refresh_from_db()
    assert report.status == Status.NEW


@pytest.mark.parametrize(
    "case",
    [
        "itself",
        "same-reporter",
        "other-application",
        "incident-resolved",
        "incident-linked-elsewhere",
        "not-visible",
    ],
)
def test_a_refused_link_changes_nothing(case, incident, report, agent, alice, bob, carol):
    target = incident
    ticket = report
    if case == "itself":
        target = report
    elif case == "same-reporter":
        target = make_ticket(bob, description=OUTAGE, now=at(0.3))
    elif case == "other-application":
        ticket = make_ticket(
            bob,
            application=(katalog := incident.application.__class__.objects.get(code="KATALOG")),
            version=katalog.versions.first(),
            category=katalog.categories.filter(is_leaf=True).first(),
            code="",
            now=at(0.3),
        )
    elif case == "incident-resolved":
        services.ticket_resolve(ticket=incident, actor=agent, body=RESOLUTION, now=at(0.3))
    elif case == "incident-linked-elsewhere":
        other = make_ticket(reporter("pokja9", "Pokja 9"), description=OUTAGE, now=at(0.3))
        services.ticket_link_incident(ticket=incident, actor=agent, incident=other, now=at(0.4))
    elif case == "not-visible":
        target = make_ticket(carol, description=OUTAGE, now=at(0.3))  # LPSE 10
    before = (state(ticket), state(target))
    with pytest.raises(ActionInvalid):
        services.ticket_link_incident(ticket=ticket, actor=agent, incident=target, now=at(1))
    assert (state(ticket), state(target)) == before


def test_incidents_and_linked_tickets_cannot_be_linked_again_409(incident, report, agent):
    services.ticket_link_incident(ticket=report, actor=agent, incident=incident, now=at(0.5))
    third = make_ticket(reporter("pokja5", "Pokja 5"), description=OUTAGE, now=at(0.6))
    # A linked ticket is moved only by unlinking it first
    with pytest.raises(ActionConflict, match="sudah ditautkan"):
        services.ticket_link_incident(ticket=report, actor=agent, incident=third)
    # An incident is not linked under another one
    with pytest.raises(ActionConflict, match="insiden induk"):
        services.ticket_link_incident(ticket=incident, actor=agent, incident=third)
    # Nor merged away while tickets hang on it
    with pytest.raises(ActionConflict, match="Insiden induk tidak dapat digabung"):
        services.ticket_merge(
            ticket=incident,
            actor=agent,
            into=make_ticket(incident.reporter, description=OUTAGE, now=at(0.7)),
        )


def test_who_may_not_act_is_refused_and_who_may_not_see_gets_404(
    incident, report, agent, agent_119_b, agent_other, bob
):
    services.ticket_take(ticket=report, actor=agent_119_b, now=at(0.3))
    before = state(report)
    # The holder's colleague: 403; the reporter: 403; another LPSE's agent: 404
    with pytest.raises(ActionForbidden):
        services.ticket_link_incident(ticket=report, actor=agent, incident=incident)
    with pytest.raises(ActionForbidden):
        services.ticket_link_incident(ticket=report, actor=bob, incident=incident)
    with pytest.raises(NotFound):
        services.ticket_link_incident(ticket=report, actor=agent_other, incident=incident)
    assert state(report) == before


def test_a_stale_page_is_409_and_a_double_click_links_once(incident, report, agent):
    with pytest.raises(ActionConflict, match="Muat ulang"):
        services.ticket_link_incident(
            ticket=report, actor=agent, incident=incident, revision=report.revision - 1
        )
    page_revision = report.revision
    for _click in range(2):
        services.ticket_link_incident(
            ticket=report, actor=agent, incident=incident, revision=page_revision
        )
    assert report.events.filter(kind=EventKind.INCIDENT_LINKED).count() == 1
    assert incident.events.filter(kind=EventKind.INCIDENT_MEMBER).count() == 1


def test_a_new_ticket_like_an_open_incident_is_shown_it(incident, report, agent, agent_other):
    other = make_ticket(reporter("pokja6", "Pokja 6"), description=OUTAGE, now=at(0.3))
    services.ticket_link_incident(ticket=other, actor=agent, incident=incident, now=at(0.4))
    # The new report of the same outage is shown the incident
    found = matching_incidents(agent, report)
    assert [m.ticket for m in found] == [incident]
    assert found[0].same_category and found[0].percent > 50
    # Not to who cannot see the incident, nor for a ticket already linked, nor once the
    # incident is resolved
    assert matching_incidents(agent_other, report) == []
    assert matching_incidents(agent, other) == []
    unrelated = make_ticket(
        reporter("pokja7", "Pokja 7"),
        title="Minta reset password",
        description="Lupa password akun",
        category=incident.category.__class__.objects.get(
            application__code="SPSE", name="Lupa password / user ID terblokir"
        ),
        code="",
        now=at(0.5),
    )
    assert matching_incidents(agent, unrelated) == []
    services.ticket_resolve(ticket=incident, actor=agent, body=RESOLUTION, now=at(1))
    assert matching_incidents(agent, report) == []


# --- The console -----------------------------------------------------------------------


def action_url(ticket: Ticket, action: str) -> str:
    return reverse("console:ticket_action", args=[ticket.number, action])


def detail_url(ticket: Ticket) -> str:
    return reverse("console:ticket_detail", args=[ticket.number])


def test_the_console_links_from_the_duplicates_panel_and_shows_both_ends(
    client, incident, report, agent
):
    client.force_login(agent)
    panel = client.get(
        reverse("console:ticket_duplicates", args=[report.number]), HTTP_HX_REQUEST="true"
    ).content.decode()
    # bob's report sees alice's ticket as a possible duplicate of another reporter
    assert f"Tautkan ke insiden {incident.number}" in panel
    response = client.post(
        action_url(report, "link_incident"),
        {"revision": report.revision, "incident": incident.number},
    )
    assert response.status_code == 302
    page = client.get(detail_url(report)).content.decode()
    assert f"Tiket ditautkan ke insiden {incident.number}." in page
    assert "Lepaskan dari insiden" in page
    parent = client.get(detail_url(incident)).content.decode()
    assert "Insiden induk" in parent and report.number in parent
    # A newer report is shown the open incident in its panel at once
    newer = make_ticket(reporter("pokja8", "Pokja 8"), description=OUTAGE, now=at(1))
    panel = client.get(
        reverse("console:ticket_duplicates", args=[newer.number]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Insiden terbuka yang cocok" in panel
    assert f"Tautkan ke insiden {incident.number}" in panel
    # And unlinking from the console works
    report.refresh_from_db()
    response = client.post(action_url(report, "unlink_incident"), {"revision": report.revision})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.incident_id is None


@pytest.mark.parametrize("number", ["", "   ", "X" * 41, "SPSE-20260302-99999", "<script>", "%00"])
def test_bad_input_from_the_console_is_a_clear_400_and_changes_nothing(
    client, incident, report, agent, number
):
    client.force_login(agent)
    before = state(report)
    response = client.post(
        action_url(report, "link_incident"), {"revision": report.revision, "incident": number}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "Isi nomor tiket insiden." in page
        or "Insiden tidak ditemukan" in page
        or ("paling banyak" in page)
    )
    assert state(report) == before


@pytest.mark.parametrize(
    "who",
    ["agent_other", "agent_removed", "agent_deactivated", "alice", "bob", "admin_user"],
)
def test_who_may_not_see_the_ticket_gets_the_404_of_an_unknown_one(
    client, request, incident, report, who
):
    client.force_login(request.getfixturevalue(who))
    before = state(report)
    for action in ("link_incident", "unlink_incident"):
        answer = client.post(
            action_url(report, action), {"revision": report.revision, "incident": incident.number}
        )
        unknown = client.post(
            reverse("console:ticket_action", args=["SPSE-20990101-00001", action]),
            {"revision": 0, "incident": incident.number},
        )
        assert answer.status_code == unknown.status_code
        assert answer.status_code in (302, 404)
    assert state(report) == before


@pytest.mark.parametrize("who", ["agent_119_b", "supervisor", "supervisor_119"])
def test_who_sees_but_may_not_act_is_refused_and_shown_no_form(
    client, request, incident, report, agent, who
):
    services.ticket_take(ticket=report, actor=agent, now=at(0.3))
    client.force_login(request.getfixturevalue(who))
    before = state(report)
    page = client.get(detail_url(report)).content.decode()
    assert action_url(report, "link_incident") not in page
    answer = client.post(
        action_url(report, "link_incident"),
        {"revision": Ticket.objects.get(pk=report.pk).revision, "incident": incident.number},
    )
    assert answer.status_code == 403
    assert state(report) == before
