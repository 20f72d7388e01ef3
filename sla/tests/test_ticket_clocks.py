"""The SLA clocks of a ticket, kept by the real ticket services (DESIGN §5).

The clock is frozen in the week of Monday 30 November 2026 (see conftest). A ticket
from the factory is Major: 4 h to the first response, 8 h to resolution, in working
time (08:00–16:00 on weekdays), warned when 20 % is left.
"""

import datetime

import pytest
from pytest_django.fixtures import Settings

from accounts.models import User
from lib.sla import worked
from reference.models import Lpse, Priority
from sla.calendars import DEFAULT_TARGETS, CalendarBook, Targets
from sla.clocks import ClockState, pauses_from_json
from sla.models import Holiday, HolidayKind, SlaPolicy, WorkingPeriod, WorkSchedule
from sla.tests.conftest import (
    FRI,
    MON,
    NEXT_FRI,
    NEXT_MON,
    NEXT_TUE,
    NEXT_WED,
    THU,
    TUE,
    WED,
    WIT,
    Clock,
    wib,
    wit,
)
from tickets import services
from tickets.models import Status, Ticket
from tickets.tests.factories import make_ticket
from tickets.ticket_sla import sla_sweep, ticket_clocks_now

HOUR = datetime.timedelta(hours=1)


def filed(reporter: User, clock: Clock, at: datetime.datetime, lpse: Lpse | None = None) -> Ticket:
    """A ticket of `lpse` (else the reporter's) filed at `at`."""
    clock.set(at)
    return make_ticket(reporter, lpse=lpse or reporter.lpse)


def taken(ticket: Ticket, agent: User, clock: Clock, at: datetime.datetime) -> Ticket:
    clock.set(at)
    return services.ticket_take(ticket=ticket, actor=agent)


def dues(ticket: Ticket) -> tuple[datetime.datetime | None, ...]:
    return (
        ticket.response_warn_at,
        ticket.response_due_at,
        ticket.resolution_warn_at,
        ticket.resolution_due_at,
        ticket.next_due_at,
    )


def test_a_new_ticket_is_due_per_its_priority_target_in_working_hours(
    clock: Clock, alice: User
) -> None:
    # Given the Major targets (the factory's category, no source data)
    targets = CalendarBook.load().targets_for(Priority.MAJOR)
    assert targets == Targets(4 * HOUR, 8 * HOUR, around_the_clock=False)
    # When alice files a ticket on Monday 09:00 WIB
    ticket = filed(alice, clock, wib(MON, 9))
    ticket.refresh_from_db()
    # Then the response is due at 13:00 (warned at 12:12, 80 % of 4 h), the resolution
    # after 7 h on Monday and 1 h on Tuesday (warned at 80 % of 8 h: Monday 15:24)
    assert ticket.priority == Priority.MAJOR
    assert dues(ticket) == (
        wib(MON, 12, 12), wib(MON, 13), wib(MON, 15, 24), wib(TUE, 9), wib(MON, 13),
    )  # fmt: skip
    assert ticket.first_response_at is None
    assert ticket.sla_pauses == []


@pytest.mark.parametrize(
    ("priority", "response_due", "resolution_due"),
    [
        # around the clock: Friday evening counts
        (Priority.EMERGENCY, wib(FRI, 16), wib(FRI, 19)),
        # working time: Friday 15–16, then the next week from Monday 08:00
        (Priority.MAJOR, wib(NEXT_MON, 11), wib(NEXT_MON, 15)),
        (Priority.MEDIUM, wib(NEXT_MON, 15), wib(NEXT_WED, 15)),
        (Priority.MINOR, wib(NEXT_TUE, 15), wib(NEXT_FRI, 15)),
    ],
)
def test_each_priority_is_due_after_its_own_target(
    clock: Clock,
    alice: User,
    agent: User,
    priority: str,
    response_due: datetime.datetime,
    resolution_due: datetime.datetime,
) -> None:
    # Given a ticket filed on Friday 15:00 WIB and taken at once
    ticket = taken(filed(alice, clock, wib(FRI, 15)), agent, clock, wib(FRI, 15))
    # When its priority is set by hand at that moment
    ticket = services.ticket_override_priority(
        ticket=ticket, actor=agent, priority=priority, reason="Uji target SLA."
    )
    # Then both clocks are due after the priority's targets (DESIGN §5 defaults)
    assert DEFAULT_TARGETS[priority] == CalendarBook.load().targets_for(priority)
    assert (ticket.response_due_at, ticket.resolution_due_at) == (response_due, resolution_due)
    assert ticket.next_due_at == response_due


def test_the_first_public_reply_ends_the_response_clock_but_an_internal_note_does_not(
    clock: Clock, alice: User, agent: User
) -> None:
    # Given a Major ticket filed Monday 09:00 and taken at 09:30
    ticket = taken(filed(alice, clock, wib(MON, 9)), agent, clock, wib(MON, 9, 30))
    assert ticket.response_due_at == wib(MON, 13)
    # When the agent leaves an internal note at 10:00
    clock.set(wib(MON, 10))
    ticket = services.ticket_add_note(ticket=ticket, actor=agent, body="Cek log server.")
    # Then the response clock still runs
    assert ticket.first_response_at is None
    assert (ticket.response_due_at, ticket.next_due_at) == (wib(MON, 13), wib(MON, 13))
    # When the agent replies to the reporter at 10:30
    clock.set(wib(MON, 10, 30))
    ticket = services.ticket_reply(ticket=ticket, actor=agent, body="Sedang kami periksa.")
    # Then the first response is recorded and only the resolution clock runs on
    assert ticket.first_response_at == wib(MON, 10, 30)
    assert (ticket.response_warn_at, ticket.response_due_at) == (None, None)
    assert ticket.next_due_at == ticket.resolution_due_at == wib(TUE, 9)
    # And a later reply does not move the first response
    clock.set(wib(MON, 11))
    ticket = services.ticket_reply(ticket=ticket, actor=agent, body="Mohon ditunggu.")
    assert ticket.first_response_at == wib(MON, 10, 30)


def test_a_feedback_request_counts_as_the_first_response(
    clock: Clock, alice: User, agent: User
) -> None:
    # Given a Major ticket filed Monday 09:00 and taken
    ticket = taken(filed(alice, clock, wib(MON, 9)), agent, clock, wib(MON, 9, 5))
    # When the agent asks the reporter for feedback at 10:00
    clock.set(wib(MON, 10))
    ticket = services.ticket_request_feedback(ticket=ticket, actor=agent, body="Kirim log.")
    # Then that message is the first response
    assert ticket.first_response_at == wib(MON, 10)
    assert ticket.response_due_at is None
    response = ticket_clocks_now(ticket).response
    assert (response.state, response.remaining) == (ClockState.MET, 3 * HOUR)


def test_feedback_requested_pauses_the_clocks_and_the_resolution_moves_by_the_paused_time(
    clock: Clock, alice: User, agent: User
) -> None:
    # Given a Major ticket filed Monday 09:00, due for resolution Tuesday 09:00
    ticket = taken(filed(alice, clock, wib(MON, 9)), agent, clock, wib(MON, 9, 10))
    original_due = ticket.resolution_due_at
    assert original_due is not None
    assert original_due == wib(TUE, 9)
    # When the agent requests feedback on Monday 14:00 (5 working hours used)
    clock.set(wib(MON, 14))
    ticket = services.ticket_request_feedback(ticket=ticket, actor=agent, body="Kirim log.")
    # Then the clocks stop: nothing is due, one pause is open
    assert ticket.status == Status.AWAITING_FEEDBACK
    assert dues(ticket) == (None, None, None, None, None)
    assert pauses_from_json(ticket.sla_pauses) == ((wib(MON, 14), None),)
    resolution = ticket_clocks_now(ticket).resolution
    assert (resolution.state, resolution.remaining) == (ClockState.PAUSED, 3 * HOUR)
    # When alice gives feedback on Wednesday 10:00, two nights later
    clock.set(wib(WED, 10))
    ticket = services.ticket_give_feedback(ticket=ticket, actor=alice, body="Ini lognya.")
    # Then the pause is closed and the remaining 3 h run from then: due Wednesday 13:00
    assert ticket.status == Status.IN_PROGRESS
    assert pauses_from_json(ticket.sla_pauses) == ((wib(MON, 14), wib(WED, 10)),)
    assert ticket.resolution_due_at == ticket.next_due_at == wib(WED, 13)
    assert ticket.resolution_warn_at == wib(WED, 11, 24)
    # That is the original due moment moved by exactly the paused working time (12 h:
    # Monday 14–16, all of Tuesday, Wednesday 08–10)
    calendar = ticket_clocks_now(ticket).calendar
    paused = worked(start=wib(MON, 14), until=wib(WED, 10), calendar=calendar)
    assert paused == 12 * HOUR
    assert worked(start=original_due, until=wib(WED, 13), calendar=calendar) == paused


def test_belum_restarts_the_resolution_clock_from_where_it_stopped(
    clock: Clock, alice: User, agent: User
) -> None:
    # Given a Major ticket filed Monday 09:00 (resolution due Tuesday 09:00)
    ticket = taken(filed(alice, clock, wib(MON, 9)), agent, clock, wib(MON, 9, 5))
    # When the agent resolves it on Monday 11:00 (2 h used)
    clock.set(wib(MON, 11))
    ticket = services.ticket_resolve(ticket=ticket, actor=agent, body="Sudah diperbaiki.")
    # Then the resolution clock stops while the reporter is asked to confirm
    assert ticket.status == Status.AWAITING_CONFIRMATION
    assert ticket.resolution_due_at is None
    assert ticket.first_response_at == wib(MON, 11)
    # When alice answers "Belum" on Tuesday 10:00
    clock.set(wib(TUE, 10))
    ticket = services.ticket_reopen(ticket=ticket, actor=alice, body="Masih gagal.")
    # Then the clock runs on with its 6 h left: due Tuesday 16:00, i.e. Tuesday 09:00
    # plus the 7 working hours it stood still
    assert (ticket.status, ticket.holder) == (Status.IN_PROGRESS, agent)
    assert ticket.resolution_due_at == wib(TUE, 16)
    # When it is resolved again at 15:00 and reopened Wednesday 09:00 (1 h left; paused
    # 15–16 and 08–09)
    clock.set(wib(TUE, 15))
    ticket = services.ticket_resolve(ticket=ticket, actor=agent, body="Coba lagi.")
    clock.set(wib(WED, 9))
    ticket = services.ticket_reopen(ticket=ticket, actor=alice, body="Masih gagal juga.")
    # Then both pauses count: due Wednesday 10:00
    assert pauses_from_json(ticket.sla_pauses) == (
        (wib(MON, 11), wib(TUE, 10)),
        (wib(TUE, 15), wib(WED, 9)),
    )
    assert ticket.resolution_due_at == wib(WED, 10)


def test_a_priority_change_recomputes_due_times_from_the_ticket_start(
    clock: Clock, alice: User, agent: User
) -> None:
    # Given a Major ticket filed Monday 09:00, taken at 11:00, not yet answered
    ticket = taken(filed(alice, clock, wib(MON, 9)), agent, clock, wib(MON, 11))
    # When the agent lowers it to Minor at 11:00
    ticket = services.ticket_override_priority(
        ticket=ticket, actor=agent, priority=Priority.MINOR, reason="Tidak menghambat."
    )
    # Then both clocks count the Minor targets from Monday 09:00: 16 h and 40 h
    assert (ticket.response_due_at, ticket.resolution_due_at) == (wib(WED, 9), wib(NEXT_MON, 9))
    # When it is raised to Emergency on Tuesday 10:00
    clock.set(wib(TUE, 10))
    ticket = services.ticket_override_priority(
        ticket=ticket, actor=agent, priority=Priority.EMERGENCY, reason="Tender berakhir."
    )
    # Then 1 h and 4 h around the clock from Monday 09:00: both already overdue
    assert (ticket.response_due_at, ticket.resolution_due_at) == (wib(MON, 10), wib(MON, 13))
    clocks = ticket_clocks_now(ticket)
    assert clocks.response.state == clocks.resolution.state == ClockState.BREACHED
    assert clocks.resolution.remaining == -21 * HOUR


def test_clock_states_while_running_at_risk_breached_and_paused(
    clock: Clock, alice: User, agent: User
) -> None:
    # Given a Major ticket filed Monday 09:00 (response due 13:00, warned at 12:12)
    ticket = filed(alice, clock, wib(MON, 9))

    def response_at(moment: datetime.datetime) -> tuple[ClockState, datetime.timedelta]:
        clock.set(moment)
        reading = ticket_clocks_now(ticket).response
        return reading.state, reading.remaining

    # Then the response clock runs, is at risk from 80 % and breached at its due time
    assert response_at(wib(MON, 10)) == (ClockState.RUNNING, 3 * HOUR)
    assert response_at(wib(MON, 12, 11)) == (ClockState.RUNNING, datetime.timedelta(minutes=49))
    assert response_at(wib(MON, 12, 12)) == (ClockState.AT_RISK, datetime.timedelta(minutes=48))
    assert response_at(wib(MON, 13)) == (ClockState.BREACHED, datetime.timedelta())
    assert response_at(wib(MON, 13, 30)) == (ClockState.BREACHED, -HOUR / 2)
    assert ticket_clocks_now(ticket).resolution.state == ClockState.RUNNING
    # When the agent asks for feedback at 14:00, an hour late for the first response
    ticket = taken(ticket, agent, clock, wib(MON, 13, 45))
    clock.set(wib(MON, 14))
    ticket = services.ticket_request_feedback(ticket=ticket, actor=agent, body="Kirim log.")
    # Then the response was missed by 1 h and the resolution clock is paused (3 h left),
    # however long the reporter takes
    for moment in (wib(MON, 14), wib(TUE, 15)):
        clock.set(moment)
        clocks = ticket_clocks_now(ticket)
        assert (clocks.response.state, clocks.response.remaining) == (ClockState.MISSED, -HOUR)
        assert (clocks.resolution.state, clocks.resolution.remaining, clocks.resolution.due_at) == (
            ClockState.PAUSED, 3 * HOUR, None,
        )  # fmt: skip


def test_a_close_confirmed_in_time_is_met_with_its_margin_and_a_late_one_missed(
    clock: Clock, alice: User, agent: User
) -> None:
    # Given two Major tickets filed Monday 09:00 and answered at 10:00
    early = taken(filed(alice, clock, wib(MON, 9)), agent, clock, wib(MON, 9, 5))
    late = taken(filed(alice, clock, wib(MON, 9)), agent, clock, wib(MON, 9, 5))
    clock.set(wib(MON, 10))
    for ticket in (early, late):
        services.ticket_reply(ticket=ticket, actor=agent, body="Kami periksa.")
    # When the first is resolved Monday 11:00 (2 h used) and confirmed at 15:00
    clock.set(wib(MON, 11))
    early = services.ticket_resolve(ticket=early, actor=agent, body="Selesai.")
    clock.set(wib(MON, 15))
    early = services.ticket_confirm(ticket=early, actor=alice)
    # And the second is resolved Tuesday 11:00 (10 h used) and confirmed at 12:00
    clock.set(wib(TUE, 11))
    late = services.ticket_resolve(ticket=late, actor=agent, body="Selesai.")
    clock.set(wib(TUE, 12))
    late = services.ticket_confirm(ticket=late, actor=alice)
    # Then, read a week later, the first met its resolution target with 6 h to spare
    clock.set(wib(NEXT_MON, 9))
    clocks = ticket_clocks_now(early)
    assert (clocks.response.state, clocks.response.remaining) == (ClockState.MET, 3 * HOUR)
    assert (clocks.resolution.state, clocks.resolution.remaining) == (ClockState.MET, 6 * HOUR)
    assert clocks.resolution.ended_at == wib(MON, 15)
    assert dues(early) == (None, None, None, None, None)
    # And the second missed it by 2 h
    clocks = ticket_clocks_now(late)
    assert clocks.response.state == ClockState.MET
    assert (clocks.resolution.state, clocks.resolution.remaining) == (ClockState.MISSED, -2 * HOUR)


def test_a_ticket_closed_by_its_reporter_ends_without_being_met(clock: Clock, alice: User) -> None:
    # Given a ticket filed Monday 09:00 that nobody answered
    ticket = filed(alice, clock, wib(MON, 9))
    # When alice closes it herself at 10:00
    clock.set(wib(MON, 10))
    ticket = services.ticket_force_close(ticket=ticket, actor=alice, reason="Sudah bisa.")
    # Then neither clock is met nor missed, and nothing is due
    clocks = ticket_clocks_now(ticket)
    assert clocks.response.state == clocks.resolution.state == ClockState.ENDED
    assert dues(ticket) == (None, None, None, None, None)


def test_a_wit_lpse_is_due_within_its_own_working_hours(
    clock: Clock, alice: User, lpse_93: Lpse
) -> None:
    # Given the same instant, Monday 14:30 WIB = 16:30 WIT: after hours in Jayapura
    # When a ticket of LPSE 93 Kota Jayapura (WIT) and one of LPSE 119 (WIB) are filed
    jayapura = filed(alice, clock, wib(MON, 14, 30), lpse=lpse_93)
    jakarta = filed(alice, clock, wib(MON, 14, 30))
    assert jayapura.lpse.timezone == "Asia/Jayapura"
    jayapura.refresh_from_db()
    jakarta.refresh_from_db()
    # Then the Jayapura clocks start Tuesday 08:00 WIT: due 12:00 and 16:00 WIT
    assert (jayapura.response_due_at, jayapura.resolution_due_at) == (
        wit(TUE, 12), wit(TUE, 16),
    )  # fmt: skip
    for due in (jayapura.response_warn_at, jayapura.response_due_at, jayapura.resolution_due_at):
        assert due is not None
        assert datetime.time(8) <= due.astimezone(WIT).time() <= datetime.time(16)
    # And the Jakarta clocks count Monday 14:30–16:00 WIB already
    assert (jakarta.response_due_at, jakarta.resolution_due_at) == (
        wib(TUE, 10, 30), wib(TUE, 14, 30),
    )  # fmt: skip


def weekday_hours(lpse: Lpse | None, *periods: tuple[int, int]) -> None:
    """Give the LPSE its own working hours (whole hours), the same Monday to Friday."""
    schedule = WorkSchedule.objects.create(lpse=lpse)
    WorkingPeriod.objects.bulk_create(
        WorkingPeriod(schedule=schedule, weekday=day, start=datetime.time(s), end=datetime.time(e))
        for day in range(5)
        for s, e in periods
    )


def test_an_lpse_work_schedule_overrides_the_national_hours(
    clock: Clock, alice: User, carol: User
) -> None:
    # Given LPSE 119 works 08:00–12:00 and 13:00–15:00 on weekdays
    weekday_hours(alice.lpse, (8, 12), (13, 15))
    # When alice (LPSE 119) and carol (LPSE 10) file tickets on Monday 09:00
    ours = filed(alice, clock, wib(MON, 9))
    national = filed(carol, clock, wib(MON, 9))
    ours.refresh_from_db()
    national.refresh_from_db()
    # Then LPSE 119's clocks skip its lunch break and stop at 15:00
    assert (ours.response_due_at, ours.resolution_due_at) == (wib(MON, 14), wib(TUE, 11))
    # And LPSE 10 keeps the national 08:00–16:00
    assert (national.response_due_at, national.resolution_due_at) == (wib(MON, 13), wib(TUE, 9))


def test_an_admin_added_holiday_moves_due_times_at_the_next_sweep(
    clock: Clock, alice: User, carol: User
) -> None:
    # Given tickets of LPSE 119 and LPSE 10 filed Monday 09:00, due Tuesday 09:00
    ours = filed(alice, clock, wib(MON, 9))
    theirs = filed(carol, clock, wib(MON, 9))
    # When an admin adds a national holiday on Tuesday and a local one for LPSE 119 on
    # Wednesday
    Holiday.objects.create(date=TUE, name="Libur uji", kind=HolidayKind.PUBLIC)
    Holiday.objects.create(date=WED, name="Libur daerah", kind=HolidayKind.LOCAL, lpse=alice.lpse)
    # Then nothing moves until the sweep runs
    ours.refresh_from_db()
    assert ours.resolution_due_at == wib(TUE, 9)
    clock.set(wib(MON, 10))
    result = sla_sweep()
    assert (result.checked, result.recomputed) == (2, 2)
    # And then the resolution days skip the holidays of each ticket's LPSE
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.resolution_due_at == wib(THU, 9)
    assert theirs.resolution_due_at == wib(WED, 9)
    assert ours.response_due_at == theirs.response_due_at == wib(MON, 13)
    # And a further sweep finds nothing to recompute
    assert sla_sweep().recomputed == 0


def test_overlapping_working_periods_count_their_common_time_once(
    clock: Clock, alice: User
) -> None:
    # Given an admin entered LPSE 119's hours as 08:00–12:00 and 11:00–16:00, which
    # together are the national 08:00–16:00 (the admin accepts overlapping rows)
    weekday_hours(alice.lpse, (8, 12), (11, 16))
    # When alice files a Major ticket on Monday 09:00
    ticket = filed(alice, clock, wib(MON, 9))
    ticket.refresh_from_db()
    # Then 11:00–12:00 counts once: due 13:00 and Tuesday 09:00, as with 08:00–16:00
    assert (ticket.response_due_at, ticket.resolution_due_at) == (wib(MON, 13), wib(TUE, 9))


def test_an_admin_changed_target_moves_due_times_at_the_next_sweep(
    clock: Clock, alice: User
) -> None:
    # Given a Major ticket filed Monday 09:00, its response due at 13:00
    ticket = filed(alice, clock, wib(MON, 9))
    # When an admin shortens the Major response target to 2 h and the sweep runs
    SlaPolicy.objects.filter(priority=Priority.MAJOR).update(response_minutes=120)
    clock.set(wib(MON, 9, 30))
    assert sla_sweep().recomputed == 1
    # Then the response is due at 11:00, warned at 10:36 (80 % of 2 h)
    ticket.refresh_from_db()
    assert (ticket.response_warn_at, ticket.response_due_at) == (wib(MON, 10, 36), wib(MON, 11))
    assert ticket.resolution_due_at == wib(TUE, 9)


def test_the_warning_moment_follows_the_sla_warn_percent_setting(
    clock: Clock, alice: User, settings: Settings
) -> None:
    # Given the warning is configured at 50 % left instead of 20 %
    settings.SLA_WARN_PERCENT = 50
    # When a Major ticket is filed on Monday 09:00
    ticket = filed(alice, clock, wib(MON, 9))
    ticket.refresh_from_db()
    # Then it is warned after half of each target: 11:00 and 13:00
    assert (ticket.response_warn_at, ticket.resolution_warn_at) == (wib(MON, 11), wib(MON, 13))
