"""Who gets which e-mail for each ticket event, checked at a real SMTP server.

Every test runs the actions through the services, then the mail worker
(`db_worker --batch`) against a loopback SMTP server, and reads what arrived: the
addresses (exactly those, nobody else), the subject, the link, both parts, the
Message-ID and the thread headers. Staff addresses are `<username>@lkpp.example`;
alice's tickets are filed with another notification address than her account's.
"""

import datetime
import re

import pytest
from django.conf import settings

from accounts.models import User
from notifications.models import MailStatus, Notification, NotificationKind, OutgoingMail
from notifications.services import STAFF_MAIL_KINDS, mail_preferences_set
from testsupport.smtp import Received, SmtpSink, run_mail_worker
from tickets import services
from tickets.models import Ticket
from tickets.tests.factories import make_ticket
from tickets.ticket_sla import sla_sweep

pytestmark = pytest.mark.django_db(transaction=True)

K = NotificationKind
# alice's account address is ppk1@example.go.id; her tickets tell this one instead.
NOTIFY = "lain@example.go.id"
ALICE_ACCOUNT = "ppk1@example.go.id"
AGENT = "agent_119@lkpp.example"
AGENT_B = "agent_119_b@lkpp.example"
AGENT_OTHER = "agent_10@lkpp.example"
LKPP = "lkpp_spse@lkpp.example"
TEKNIS = "teknis_spse@lkpp.example"
SUPERVISOR = "supervisor_national@lkpp.example"

# Texts that only staff may ever read.
NOTE_TEXT = "RAHASIA-CATATAN: server upload lambat sejak migrasi"
ESCALATION_TEXT = "RAHASIA-ESKALASI: kemungkinan bug di modul upload"
RETURN_TEXT = "RAHASIA-KEMBALI: sudah diperbaiki di server pusat"


class Inbox:
    """What the SMTP server received since the last look, and everything ever received."""

    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink
        self.everything: list[Received] = []

    def deliver(self) -> dict[str, Received]:
        """Run the mail worker; the mails it delivered, by address (one mail each)."""
        run_mail_worker()
        got = list(self.sink.received)
        self.sink.clear()
        self.everything += got
        by_address: dict[str, Received] = {}
        for mail in got:
            assert len(mail.envelope_to) == 1, mail.envelope_to
            [address] = mail.envelope_to
            assert address not in by_address, f"two mails to {address}: {mail.subject}"
            by_address[address] = mail
        return by_address

    def flush(self) -> None:
        """Deliver what earlier steps wrote, without looking at it."""
        run_mail_worker()
        self.everything += self.sink.received
        self.sink.clear()

    def nothing(self) -> None:
        """The worker delivers nothing (and no mail is waiting to be delivered)."""
        assert self.deliver() == {}
        assert not OutgoingMail.objects.exclude(status=MailStatus.SENT).exists()


@pytest.fixture
def inbox(smtp_sink: SmtpSink) -> Inbox:
    return Inbox(smtp_sink)


@pytest.fixture
def everyone(
    alice: User,
    bob: User,
    agent: User,
    agent_119_b: User,
    agent_other: User,
    lkpp_spse: User,
    teknis_spse: User,
    supervisor: User,
) -> None:
    """Every persona exists, so that "nobody else" means something."""


def console_link(ticket: Ticket) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/konsol/tiket/{ticket.number}/"


def portal_link(ticket: Ticket) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/tiket/{ticket.number}/"


def assert_ticket_mail(
    mail: Received, ticket: Ticket, *, staff: bool, headline: str, anchor: str = ""
) -> None:
    """A mail about `ticket`: subject, link, both parts, its Message-ID and thread."""
    number = ticket.number
    assert mail.subject == f"[{number}] {headline}"
    assert mail.message.get_content_type() == "multipart/alternative"
    text, html = mail.text(), mail.html()
    link = (console_link(ticket) if staff else portal_link(ticket)) + anchor
    for part in (text, html):
        assert headline in part
        assert number in part
        assert link in part
        if not staff:
            # A reporter never gets a link into the helpdesk console.
            assert "/konsol/" not in part
    assert f'href="{link}"' in html
    assert re.fullmatch(rf"<[0-9a-f]{{32}}@{re.escape(settings.MAIL_DOMAIN)}>", mail.message_id)
    row = OutgoingMail.objects.get(message_id=mail.message_id)
    assert (row.status, row.ticket_id, row.to_address) == (
        MailStatus.SENT,
        ticket.pk,
        mail.envelope_to[0],
    )
    thread = f"<ticket-{number}@{settings.MAIL_DOMAIN}>"
    assert thread in str(mail.message["References"])
    assert str(mail.message["In-Reply-To"]) == thread
    assert str(mail.message["Auto-Submitted"]) == "auto-generated"


def assert_quotes(mail: Received, words: str) -> None:
    assert words in mail.text()
    assert words in mail.html()


def assert_never_mailed(mails: list[Received], *secrets: str) -> None:
    for mail in mails:
        for secret in secrets:
            assert secret not in mail.subject
            assert secret not in mail.text()
            assert secret not in mail.html()


def test_one_ticket_through_its_life_mails_exactly_the_right_people(
    inbox: Inbox,
    everyone: None,
    alice: User,
    agent: User,
    agent_119_b: User,
    lkpp_spse: User,
) -> None:
    # Given alice files a ticket with another notification address than her account's
    ticket = make_ticket(alice, notification_email=NOTIFY)
    # Then she hears at that address, and both tier-1 agents of LPSE 119 are told
    mails = inbox.deliver()
    assert sorted(mails) == sorted([NOTIFY, AGENT, AGENT_B])
    assert_ticket_mail(mails[NOTIFY], ticket, staff=False, headline="Tiket Anda telah kami terima")
    for address in (AGENT, AGENT_B):
        assert_ticket_mail(
            mails[address], ticket, staff=True, headline="Tiket baru menunggu diambil"
        )

    # When the agent takes it
    ticket = services.ticket_take(ticket=ticket, actor=agent)
    # Then nobody is mailed
    inbox.nothing()

    # When the agent replies
    reply = "Silakan unggah ulang dengan peramban lain & kirim hasilnya."
    ticket = services.ticket_reply(ticket=ticket, actor=agent, body=reply)
    # Then only the reporter is mailed, with the reply quoted (the agent gets nothing)
    mails = inbox.deliver()
    assert sorted(mails) == [NOTIFY]
    assert_ticket_mail(mails[NOTIFY], ticket, staff=False, headline="Balasan dari helpdesk")
    assert reply in mails[NOTIFY].text()
    assert "Silakan unggah ulang dengan peramban lain &amp; kirim hasilnya." in (
        mails[NOTIFY].html()
    )

    # When the agent leaves an internal note
    ticket = services.ticket_add_note(ticket=ticket, actor=agent, body=NOTE_TEXT)
    # Then nobody is mailed
    inbox.nothing()

    # When the agent asks for feedback
    ask = "Mohon kirim tangkapan layar pesan galatnya."
    ticket = services.ticket_request_feedback(ticket=ticket, actor=agent, body=ask)
    # Then the reporter is asked, with the "Beri Feedback" hint and the link to its action
    mails = inbox.deliver()
    assert sorted(mails) == [NOTIFY]
    mail = mails[NOTIFY]
    assert_ticket_mail(
        mail,
        ticket,
        staff=False,
        headline="Helpdesk membutuhkan feedback Anda",
        anchor="#tindakan",
    )
    assert_quotes(mail, ask)
    assert "pilih Beri Feedback" in mail.text()
    assert ">Beri Feedback</a>" in mail.html()

    # When alice gives the feedback
    answer = "Tangkapan layar terlampir, galat 413."
    ticket = services.ticket_give_feedback(ticket=ticket, actor=alice, body=answer)
    # Then only the holder hears, with her words
    mails = inbox.deliver()
    assert sorted(mails) == [AGENT]
    assert_ticket_mail(mails[AGENT], ticket, staff=True, headline="Pelapor telah mengirim feedback")
    assert_quotes(mails[AGENT], answer)

    # When the agent escalates to tier 2 with an internal note
    ticket = services.ticket_escalate(ticket=ticket, actor=agent, note=ESCALATION_TEXT)
    # Then only the receiving tier (LKPP for SPSE) is told
    mails = inbox.deliver()
    assert sorted(mails) == [LKPP]
    assert_ticket_mail(mails[LKPP], ticket, staff=True, headline="Tiket dieskalasi ke Tier 2")

    # When tier 2 takes it (nobody is mailed) and returns it to tier 1
    ticket = services.ticket_take(ticket=ticket, actor=lkpp_spse)
    inbox.nothing()
    ticket = services.ticket_return(ticket=ticket, actor=lkpp_spse, note=RETURN_TEXT)
    # Then the tier-1 agents of the LPSE are told
    mails = inbox.deliver()
    assert sorted(mails) == sorted([AGENT, AGENT_B])
    for address in (AGENT, AGENT_B):
        assert_ticket_mail(
            mails[address], ticket, staff=True, headline="Tiket dikembalikan ke Tier 1"
        )

    # When the agent takes it again and resolves it
    ticket = services.ticket_take(ticket=ticket, actor=agent)
    inbox.nothing()
    resolution = "Batas ukuran unggahan sudah dinaikkan."
    ticket = services.ticket_resolve(ticket=ticket, actor=agent, body=resolution)
    # Then the reporter is asked to confirm, with the link to the Konfirmasi action
    mails = inbox.deliver()
    assert sorted(mails) == [NOTIFY]
    mail = mails[NOTIFY]
    assert_ticket_mail(
        mail,
        ticket,
        staff=False,
        headline="Tiket Anda telah diselesaikan — mohon konfirmasi",
        anchor="#tindakan",
    )
    assert_quotes(mail, resolution)
    assert "Konfirmasi › Ya, sudah" in mail.text()
    assert ">Konfirmasi</a>" in mail.html()

    # When alice answers "Belum"
    still = "Masih gagal untuk berkas di atas 20 MB."
    ticket = services.ticket_reopen(ticket=ticket, actor=alice, body=still)
    # Then the holder it went back to is told, with her words
    assert ticket.holder == agent
    mails = inbox.deliver()
    assert sorted(mails) == [AGENT]
    assert_ticket_mail(
        mails[AGENT], ticket, staff=True, headline="Pelapor menyatakan tiket belum selesai"
    )
    assert_quotes(mails[AGENT], still)

    # When the agent resolves it again
    ticket = services.ticket_resolve(ticket=ticket, actor=agent, body="Batas dinaikkan ke 50 MB.")
    mails = inbox.deliver()
    assert sorted(mails) == [NOTIFY]

    # When alice confirms
    ticket = services.ticket_confirm(ticket=ticket, actor=alice)
    # Then she and the holder are told it is done
    mails = inbox.deliver()
    assert sorted(mails) == sorted([NOTIFY, AGENT])
    assert_ticket_mail(mails[NOTIFY], ticket, staff=False, headline="Tiket Anda telah selesai")
    assert_ticket_mail(
        mails[AGENT], ticket, staff=True, headline="Pelapor mengonfirmasi tiket selesai"
    )

    # And over the whole life: alice's account address, the other LPSE's agent, tier 3
    # and the supervisor got nothing; internal notes were never quoted anywhere
    addresses = {address for mail in inbox.everything for address in mail.envelope_to}
    assert addresses == {NOTIFY, AGENT, AGENT_B, LKPP}
    assert not addresses & {ALICE_ACCOUNT, AGENT_OTHER, TEKNIS, SUPERVISOR}
    assert_never_mailed(inbox.everything, NOTE_TEXT, ESCALATION_TEXT, RETURN_TEXT)
    # And every mail row was sent exactly once, each with its own Message-ID
    rows = list(OutgoingMail.objects.values_list("message_id", "status"))
    assert len(rows) == len(inbox.everything) == 14
    assert {status for _, status in rows} == {MailStatus.SENT}
    assert sorted(mid for mid, _ in rows) == sorted(m.message_id for m in inbox.everything)


@pytest.mark.parametrize("held", [True, False], ids=["held", "unheld"])
def test_a_reporter_closing_the_ticket_mails_her_and_the_holder_or_the_tier(
    inbox: Inbox, everyone: None, alice: User, agent: User, held: bool
) -> None:
    # Given a ticket that the agent holds, or that nobody has taken yet
    ticket = make_ticket(alice, notification_email=NOTIFY)
    if held:
        ticket = services.ticket_take(ticket=ticket, actor=agent)
    inbox.flush()
    # When alice closes it herself
    ticket = services.ticket_force_close(ticket=ticket, actor=alice, reason="Sudah bisa sendiri.")
    # Then she is told at her notification address, and the holder (or the whole tier)
    mails = inbox.deliver()
    staff = [AGENT] if held else [AGENT, AGENT_B]
    assert sorted(mails) == sorted([NOTIFY, *staff])
    assert_ticket_mail(mails[NOTIFY], ticket, staff=False, headline="Tiket Anda telah ditutup")
    for address in staff:
        assert_ticket_mail(mails[address], ticket, staff=True, headline="Pelapor menutup tiket")


def test_an_auto_closed_ticket_mails_the_reporter_and_the_holder(
    inbox: Inbox, everyone: None, alice: User, agent: User
) -> None:
    # Given a ticket resolved by the agent and never confirmed
    ticket = make_ticket(alice, notification_email=NOTIFY)
    ticket = services.ticket_take(ticket=ticket, actor=agent)
    ticket = services.ticket_resolve(ticket=ticket, actor=agent, body="Sudah diperbaiki.")
    inbox.flush()
    # When the periodic job runs long after the confirmation period
    assert ticket.resolved_at is not None
    closed = services.tickets_auto_close(now=ticket.resolved_at + datetime.timedelta(days=30))
    # Then the reporter and the holder are told
    assert closed == 1
    ticket.refresh_from_db()
    mails = inbox.deliver()
    assert sorted(mails) == sorted([NOTIFY, AGENT])
    assert_ticket_mail(mails[NOTIFY], ticket, staff=False, headline="Tiket Anda ditutup otomatis")
    assert_ticket_mail(
        mails[AGENT],
        ticket,
        staff=True,
        headline="Tiket ditutup otomatis (tidak ada konfirmasi)",
    )


def test_a_merged_duplicate_mails_only_the_reporter(
    inbox: Inbox, everyone: None, alice: User, agent: User
) -> None:
    # Given two open tickets of alice, the second a duplicate of the first
    target = make_ticket(alice, notification_email=NOTIFY)
    duplicate = make_ticket(alice, notification_email=NOTIFY, title="Upload gagal lagi")
    inbox.flush()
    # When the agent merges the duplicate into the first
    duplicate = services.ticket_merge(ticket=duplicate, actor=agent, into=target)
    # Then alice alone is told where it went
    mails = inbox.deliver()
    assert sorted(mails) == [NOTIFY]
    assert_ticket_mail(
        mails[NOTIFY],
        duplicate,
        staff=False,
        headline=f"Tiket Anda digabung ke {target.number}",
    )


def test_an_assignment_mails_the_assignee_but_not_an_agent_taking_it_himself(
    inbox: Inbox, everyone: None, alice: User, agent: User, agent_119_b: User
) -> None:
    # Given a ticket nobody has taken
    ticket = make_ticket(alice, notification_email=NOTIFY)
    inbox.flush()
    # When the agent assigns it to himself
    ticket = services.ticket_assign(ticket=ticket, actor=agent, assignee=agent)
    # Then nobody is mailed: he did it himself
    inbox.nothing()
    # When he hands it to his colleague
    ticket = services.ticket_assign(ticket=ticket, actor=agent, assignee=agent_119_b)
    # Then the colleague alone is told
    mails = inbox.deliver()
    assert sorted(mails) == [AGENT_B]
    assert_ticket_mail(mails[AGENT_B], ticket, staff=True, headline="Tiket ditugaskan kepada Anda")


@pytest.mark.parametrize("held", [True, False], ids=["held", "unheld"])
def test_sla_warnings_and_breaches_mail_staff_and_never_the_reporter(
    inbox: Inbox, everyone: None, alice: User, agent: User, held: bool
) -> None:
    # Given a ticket held by the agent, or not taken yet
    ticket = make_ticket(alice, notification_email=NOTIFY)
    if held:
        ticket = services.ticket_take(ticket=ticket, actor=agent)
    inbox.flush()
    ticket.refresh_from_db()
    assert ticket.response_warn_at is not None
    staff = [AGENT] if held else [AGENT, AGENT_B]

    # When the sweep runs when the response warning falls due
    result = sla_sweep(now=ticket.response_warn_at)
    # Then the holder (or the tier's agents) are warned, and not the reporter
    assert (result.warned, result.breached) == (1, 0)
    mails = inbox.deliver()
    assert sorted(mails) == sorted(staff)
    for address in staff:
        assert_ticket_mail(
            mails[address],
            ticket,
            staff=True,
            headline="Batas waktu respons pertama segera tiba",
        )
        assert ticket.title in mails[address].text()

    # When the sweep runs a month later
    result = sla_sweep(now=ticket.created_at + datetime.timedelta(days=30))
    # Then both clocks are breached: the same staff and the supervisor hear of each
    assert result.breached == 2
    run_mail_worker()
    received = list(inbox.sink.received)
    inbox.everything += received
    expected = sorted(
        (address, f"[{ticket.number}] Batas waktu {clock} terlampaui")
        for address in [*staff, SUPERVISOR]
        for clock in ("respons pertama", "penyelesaian")
    )
    assert sorted((m.envelope_to[0], m.subject.strip()) for m in received) == expected
    for mail in received:
        assert len(mail.envelope_to) == 1
        headline = mail.subject.strip().removeprefix(f"[{ticket.number}] ")
        assert_ticket_mail(mail, ticket, staff=True, headline=headline)
    # And no SLA mail ever reached the reporter, at either address
    sla_mails = OutgoingMail.objects.filter(kind__in=(K.SLA_WARNING, K.SLA_BREACH))
    assert not sla_mails.filter(to_address__in=(NOTIFY, ALICE_ACCOUNT)).exists()
    assert not sla_mails.filter(recipient=alice).exists()
    # (nor in the app: SLA notices are for staff)
    assert not Notification.objects.filter(
        recipient=alice, kind__in=(K.SLA_WARNING, K.SLA_BREACH)
    ).exists()


def test_a_kind_turned_off_arrives_in_the_app_but_not_by_mail(
    inbox: Inbox, everyone: None, alice: User, agent: User, agent_119_b: User
) -> None:
    # Given the agent turned off e-mail about new tickets (and kept everything else)
    mail_preferences_set(
        user=agent, enabled=[kind for kind in STAFF_MAIL_KINDS if kind != K.TICKET_CREATED]
    )
    # When alice files a ticket
    ticket = make_ticket(alice, notification_email=NOTIFY)
    # Then the agent has the in-app notification but no e-mail; his colleague gets both
    mails = inbox.deliver()
    assert sorted(mails) == sorted([NOTIFY, AGENT_B])
    notified = Notification.objects.filter(ticket=ticket, kind=K.TICKET_CREATED)
    assert set(notified.values_list("recipient_id", flat=True)) == {
        alice.pk,
        agent.pk,
        agent_119_b.pk,
    }
    # When his colleague assigns the ticket to him (a kind he still wants)
    ticket = services.ticket_assign(ticket=ticket, actor=agent_119_b, assignee=agent)
    # Then that one arrives by e-mail
    mails = inbox.deliver()
    assert sorted(mails) == [AGENT]
    assert_ticket_mail(mails[AGENT], ticket, staff=True, headline="Tiket ditugaskan kepada Anda")
