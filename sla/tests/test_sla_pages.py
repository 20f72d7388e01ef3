"""What people see of the SLA: staff queues and detail, the reporter's detail page."""

import datetime
import re
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from sla.clocks import ClockReading, ClockState
from sla.templatetags.sla import sla_cell
from sla.tests.conftest import MON, TUE, Clock, wib
from tickets import services
from tickets.models import Ticket
from tickets.tests.factories import make_ticket
from tickets.ticket_sla import sla_sweep

QUEUE = reverse("console:queue")


def text_of(html: bytes) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.decode()).split())


def major(ticket: Ticket, agent: User) -> Ticket:
    """Taken, and set to Major: response 4 working hours, resolution 1 working day."""
    ticket = services.ticket_take(ticket=ticket, actor=agent)
    return services.ticket_override_priority(
        ticket=ticket, actor=agent, priority="major", reason="Uji SLA"
    )


def test_reporter_reads_the_expected_times_in_plain_words(
    client: Client, clock: Clock, alice: User, agent: User
) -> None:
    # Given a Major ticket filed on Monday 09:00 WIB
    ticket = major(make_ticket(alice), agent)
    # When the reporter opens it
    client.force_login(alice)
    page = text_of(client.get(ticket.get_absolute_url()).content)
    # Then the page says when it will be answered and resolved, in the LPSE's zone
    assert "ditanggapi paling lambat Senin, 30 Nov 2026 13:00 WIB (dalam 4 jam kerja)" in page
    assert "paling lambat Selasa, 1 Des 2026 09:00 WIB (dalam 1 hari kerja)" in page
    assert "hari libur nasional, dan cuti bersama" in page


def test_reporter_is_told_the_clock_waits_for_them_and_never_sees_sla_events(
    client: Client, clock: Clock, alice: User, agent: User
) -> None:
    # Given a ticket whose response clock was breached, then answered with a question
    ticket = major(make_ticket(alice), agent)
    clock.set(wib(TUE, 9))
    assert sla_sweep().breached == 2
    ticket = services.ticket_request_feedback(ticket=ticket, actor=agent, body="Mohon data.")
    # When the reporter opens it
    client.force_login(alice)
    page = text_of(client.get(ticket.get_absolute_url()).content)
    # Then the page says the clock stopped until they answer, and shows no SLA history
    assert "Waktu penanganan dihentikan sementara sampai Anda memberi tanggapan" in page
    assert "Tiket Anda sudah ditanggapi pada Selasa, 1 Des 2026 09:00 WIB" in page
    assert "SLA terlampaui" not in page and "Peringatan SLA" not in page


def test_queue_shows_the_clock_that_matters_and_sorts_by_due_time(
    client: Client, clock: Clock, alice: User, bob: User, agent: User
) -> None:
    # Given three tickets: a Minor one, a Major one filed later, and one awaiting feedback
    minor = services.ticket_take(ticket=make_ticket(alice, title="Minor"), actor=agent)
    services.ticket_override_priority(ticket=minor, actor=agent, priority="minor", reason="x")
    clock.set(wib(MON, 10))
    urgent = major(make_ticket(bob, title="Major"), agent)
    waiting = services.ticket_take(ticket=make_ticket(alice, title="Menunggu"), actor=agent)
    services.ticket_request_feedback(ticket=waiting, actor=agent, body="Mohon data.")
    clock.set(wib(MON, 13, 30))
    # When the agent sorts everything by due time
    client.force_login(agent)
    response = client.get(QUEUE, {"antrian": "semua", "urut": "batas_sla"})
    # Then the nearest due comes first and the stopped clock last
    numbers = [t.number for t in response.context["page"].object_list]
    assert numbers == [urgent.number, minor.number, waiting.number]
    page = text_of(response.content)
    # Major response due 14:00: 30 minutes left of 4 hours (< 20 %): at risk
    assert "Respons: sisa 30 menit kerja (hampir habis) batas Sen 30 Nov 14:00 WIB" in page
    # Minor response: 2 working days from 09:00 Monday
    assert "Respons: sisa 1 hari 3 jam kerja" in page
    assert "Penyelesaian: berhenti" in page
    assert b"sla--at_risk" in response.content


def test_staff_see_whether_each_target_was_met_and_by_how_much(
    client: Client, clock: Clock, alice: User, agent: User, supervisor: User
) -> None:
    # Given a Major ticket answered after 1 hour, resolved after 10 working hours (late
    # by 2), and confirmed by the reporter
    ticket = major(make_ticket(alice), agent)
    clock.set(wib(MON, 10))
    services.ticket_reply(ticket=ticket, actor=agent, body="Sedang kami periksa.")
    clock.set(wib(TUE, 11))
    services.ticket_resolve(ticket=ticket, actor=agent, body="Sudah diperbaiki.")
    clock.set(wib(TUE, 12))
    services.ticket_confirm(ticket=ticket, actor=alice)
    # When the supervisor opens it
    client.force_login(supervisor)
    page = text_of(client.get(reverse("console:ticket_detail", args=[ticket.number])).content)
    # Then the response target was met 3 hours early, the resolution missed by 2 hours
    assert (
        "Respons pertama 4 jam kerja selesai Senin, 30 Nov 2026 10:00 WIB "
        "Terpenuhi 3 jam kerja sebelum batas"
    ) in page
    assert (
        "Penyelesaian 1 hari kerja selesai Selasa, 1 Des 2026 12:00 WIB "
        "Tidak terpenuhi terlambat 2 jam kerja"
    ) in page


@dataclass(frozen=True)
class Shown:
    current: ClockReading
    current_name: str = "response"
    around_the_clock: bool = False


def reading(state: ClockState, remaining_minutes: int, *, due: bool = True) -> ClockReading:
    return ClockReading(
        target=datetime.timedelta(hours=4),
        state=state,
        remaining=datetime.timedelta(minutes=remaining_minutes),
        due_at=datetime.datetime(2026, 11, 30, 7, 0, tzinfo=datetime.UTC) if due else None,
        warn_at=None,
        ended_at=None,
        paused=state == ClockState.PAUSED,
    )


@pytest.mark.parametrize(
    ("shown", "cell"),
    [
        (
            Shown(reading(ClockState.RUNNING, 150)),
            '<span class="sla sla--running"><span class="sla__what">Respons:</span> '
            'sisa 2 jam 30 menit kerja<br><small class="muted">batas Sen 30 Nov 14:00 WIB'
            "</small></span>",
        ),
        (
            Shown(reading(ClockState.AT_RISK, 20), "resolution"),
            '<span class="sla sla--at_risk"><span class="sla__what">Penyelesaian:</span> '
            'sisa 20 menit kerja <strong>(hampir habis)</strong><br><small class="muted">'
            "batas Sen 30 Nov 14:00 WIB</small></span>",
        ),
        (
            Shown(reading(ClockState.BREACHED, -(8 * 60 + 60)), around_the_clock=False),
            '<span class="sla sla--breached"><span class="sla__what">Respons:</span> '
            'terlambat 1 hari 1 jam kerja<br><small class="muted">batas Sen 30 Nov 14:00 WIB'
            "</small></span>",
        ),
        (
            Shown(reading(ClockState.BREACHED, -(8 * 60 + 60)), around_the_clock=True),
            '<span class="sla sla--breached"><span class="sla__what">Respons:</span> '
            'terlambat 9 jam<br><small class="muted">batas Sen 30 Nov 14:00 WIB</small></span>',
        ),
        (
            Shown(reading(ClockState.PAUSED, 90, due=False), "resolution"),
            '<span class="sla sla--paused"><span class="sla__what">Penyelesaian:</span> '
            'berhenti <span class="muted">(sisa 1 jam 30 menit kerja)</span></span>',
        ),
        (
            Shown(reading(ClockState.ENDED, 0, due=False), "resolution"),
            '<span class="sla sla--ended"><span class="sla__what">Penyelesaian:</span> '
            "Tidak berlaku (tiket ditutup)</span>",
        ),
    ],
)
def test_the_queue_cell_of_every_state(shown: Shown, cell: str) -> None:
    # In the LPSE's zone (WIB), with the words of the staff detail page
    assert sla_cell(shown, "Asia/Jakarta") == cell
