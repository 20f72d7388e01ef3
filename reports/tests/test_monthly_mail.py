"""The monthly report e-mail (reports/monthly.py): who gets it, when, once, what it says,
where its link leads, the preference that turns it off, and its way through the outbox."""

import datetime
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import StaffAssignment, User
from accounts.services import staff_member_upsert
from lib.numformat import format_number, format_percent
from notifications.models import MailOptOut, NotificationKind, OutgoingMail
from notifications.services import (
    REPORT_MAIL_KINDS,
    STAFF_MAIL_KINDS,
    mail_preferences,
    mail_preferences_set,
)
from reference.models import Lpse
from reports import monthly
from reports.filters import ReportFilterForm
from reports.models import MonthlyReportMail
from reports.queries import (
    report_facts,
    satisfaction_report,
    sla_report,
    top_report,
    volume_report,
)
from sla.models import Holiday, HolidayKind
from testsupport.smtp import SmtpSink, run_mail_worker
from tickets import services
from tickets.models import Ticket, TicketFact
from tickets.tests.factories import make_ticket

NOVEMBER = datetime.date(2026, 11, 1)
DECEMBER_1 = datetime.date(2026, 12, 1)  # a Tuesday, a working day
MONTHLY = NotificationKind.MONTHLY_REPORT
PREFERENCES = reverse("notifications:preferences")
SECRET_TITLE = "Judul rahasia pelapor"
SECRET_TEXT = "Teks rahasia dari pelapor, jangan dikirim."


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _supervisor(username: str, kd_lpse: int) -> User:
    """A supervisor of one LPSE (created as an admin does, through the service)."""
    assignment = ("supervisor", kd_lpse, None, "")
    email = f"{username}@lkpp.example"
    return staff_member_upsert(
        username=username, full_name=username, email=email, assignments=[assignment]
    )


@pytest.fixture
def supervisor_10(reference: None) -> User:
    """Supervisor of LPSE 10 (carol's) only."""
    return _supervisor("supervisor_10", 10)


def _at(day: int, hour: int = 3, month: int = 11) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, tzinfo=datetime.UTC)


def _closed_and_rated(ticket: Ticket, agent: User, stars: int, day: int) -> None:
    ticket = services.ticket_take(ticket=ticket, actor=agent, now=_at(day, 4))
    ticket = services.ticket_resolve(
        ticket=ticket, actor=agent, body="Sudah diperbaiki.", now=_at(day, 5)
    )
    ticket = services.ticket_confirm(ticket=ticket, actor=ticket.reporter, now=_at(day, 6))
    services.ticket_rate(ticket=ticket, actor=ticket.reporter, stars=stars, now=_at(day, 7))


@pytest.fixture
def november(alice: User, carol: User, agent: User, agent_other: User) -> None:
    """LPSE 119: 3 tickets filed in November (one closed and rated 4), one still open from
    October, one filed in December. LPSE 10: 5 filed in November (two closed, rated 2
    and 5)."""
    make_ticket(alice, now=_at(20, month=10), title=SECRET_TITLE, description=SECRET_TEXT)
    alice_tickets = [
        make_ticket(alice, now=_at(day), title=SECRET_TITLE, description=SECRET_TEXT)
        for day in (3, 4, 5)
    ]
    make_ticket(alice, now=_at(2, month=12), title=SECRET_TITLE, description=SECRET_TEXT)
    _closed_and_rated(alice_tickets[0], agent, 4, 6)
    carol_tickets = [
        make_ticket(carol, now=_at(day), title=SECRET_TITLE, description=SECRET_TEXT)
        for day in (10, 11, 12, 13, 14)
    ]
    _closed_and_rated(carol_tickets[0], agent_other, 2, 17)
    _closed_and_rated(carol_tickets[1], agent_other, 5, 18)


def _sent_to() -> set[str]:
    return set(OutgoingMail.objects.filter(kind=MONTHLY).values_list("to_address", flat=True))


def _send(today: datetime.date = DECEMBER_1, **kwargs: object) -> monthly.MonthlyRun:
    return monthly.monthly_reports_send(today=today, **kwargs)  # type: ignore[arg-type]


# --- Who -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_supervisors_get_it_and_nobody_else(
    alice: User,
    agent: User,
    lkpp_spse: User,
    teknis_spse: User,
    supervisor: User,
    supervisor_119: User,
    supervisor_spse_group: User,
    supervisor_empty_group: User,
    admin_user: User,
) -> None:
    # Given the supervisors in force, and people who are not (or no longer) readers
    admin_supervising = User.objects.create_superuser("admin_119", "admin119@lkpp.example", "x")
    StaffAssignment.objects.create(
        user=admin_supervising, role="supervisor", lpse=Lpse.objects.get(kd_lpse=119)
    )
    deactivated = _supervisor("supervisor_off", 119)
    deactivated.is_active = False
    deactivated.save(update_fields=["is_active"])
    _supervisor("supervisor_12", 12)
    Lpse.objects.filter(kd_lpse=12).update(is_active=False)
    no_address = _supervisor("supervisor_no_mail", 119)
    User.objects.filter(pk=no_address.pk).update(email="")
    opted_out = _supervisor("supervisor_quiet", 119)
    MailOptOut.objects.create(user=opted_out, kind=MONTHLY)
    # When the job runs on the first working day
    run = _send()
    # Then exactly the readers who want it have one mail each
    assert run.month == NOVEMBER
    assert _sent_to() == {
        supervisor.email,
        supervisor_119.email,
        supervisor_spse_group.email,
        admin_supervising.email,
    }
    assert OutgoingMail.objects.filter(kind=MONTHLY).count() == 4
    assert run.sent == 4
    # Each named by their scope
    subjects = dict(
        OutgoingMail.objects.filter(kind=MONTHLY).values_list("recipient_id", "subject")
    )
    assert subjects[supervisor.pk].endswith("— Nasional")
    assert subjects[supervisor_119.pk].endswith(Lpse.objects.get(kd_lpse=119).name)
    assert "Grup aplikasi" in subjects[supervisor_spse_group.pk]


@pytest.mark.django_db
def test_each_reader_gets_a_month_once_however_often_it_runs(
    supervisor: User, supervisor_119: User
) -> None:
    # Given the job ran on the first working day
    assert _send().sent == 2
    # When it runs again that day and on later days of the month (and a new reader comes)
    again = _send()
    later = _send(today=datetime.date(2026, 12, 15))
    supervisor_10 = _supervisor("supervisor_10", 10)
    caught_up = _send(today=datetime.date(2026, 12, 16))
    # Then nobody has a second mail for November; the newcomer has their one
    assert (again.sent, later.sent, caught_up.sent) == (0, 0, 1)
    rows = MonthlyReportMail.objects.filter(month=NOVEMBER)
    assert sorted(rows.values_list("user_id", flat=True)) == sorted(
        [supervisor.pk, supervisor_119.pk, supervisor_10.pk]
    )
    assert OutgoingMail.objects.filter(kind=MONTHLY).count() == 3
    assert all(row.mail_id is not None for row in rows)


@pytest.mark.django_db
def test_a_second_writer_of_the_same_month_writes_nothing(supervisor_119: User) -> None:
    # Given one run wrote the mail (another machine's run read the recipients before)
    summary = monthly.monthly_summary(supervisor_119, NOVEMBER)
    assert monthly.monthly_report_mail(user=supervisor_119, summary=summary) is not None
    # When the other run writes it too
    second = monthly.monthly_report_mail(user=supervisor_119, summary=summary)
    # Then the unique record refuses it, and its outbox row is rolled back with it
    assert second is None
    assert OutgoingMail.objects.filter(kind=MONTHLY).count() == 1


# --- When ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_new_year_holiday_moves_it_to_the_second(supervisor_119: User, reference: None) -> None:
    Holiday.objects.get_or_create(
        date=datetime.date(2026, 1, 1),
        lpse=None,
        defaults={"name": "Tahun Baru", "kind": HolidayKind.PUBLIC},
    )
    calendar = monthly.national_calendar()
    assert monthly.first_working_day(datetime.date(2026, 1, 1), calendar) == datetime.date(
        2026, 1, 2
    )
    # Not on the holiday itself
    assert _send(today=datetime.date(2026, 1, 1)).month is None
    assert not _sent_to()
    # On the 2nd, about December
    assert _send(today=datetime.date(2026, 1, 2)).month == datetime.date(2025, 12, 1)
    assert _sent_to() == {supervisor_119.email}
    assert "Laporan bulanan Desember 2025" in OutgoingMail.objects.get(kind=MONTHLY).subject


@pytest.mark.django_db
def test_a_month_starting_on_saturday_waits_for_monday(supervisor_119: User) -> None:
    # August 2026 starts on a Saturday
    for weekend in (datetime.date(2026, 8, 1), datetime.date(2026, 8, 2)):
        assert _send(today=weekend).month is None
    assert not _sent_to()
    run = _send(today=datetime.date(2026, 8, 3))
    assert (run.month, run.sent) == (datetime.date(2026, 7, 1), 1)


@pytest.mark.django_db
def test_an_lpse_holiday_does_not_move_the_national_date(
    supervisor_119: User, lpse_119: Lpse
) -> None:
    # Given a local holiday of LPSE 119 on December 1st (the national calendar works)
    Holiday.objects.create(
        date=DECEMBER_1, lpse=lpse_119, name="Libur daerah", kind=HolidayKind.LOCAL
    )
    # Then the report still goes out that day
    assert _send().month == NOVEMBER


# --- What ----------------------------------------------------------------------------------


def _line(label: str, value: str) -> str:
    return f"{label}: {value}"


@pytest.mark.django_db
def test_the_numbers_are_the_reports_and_stay_within_the_lpse(
    november: None, supervisor_119: User, supervisor_10: User, supervisor: User
) -> None:
    # When the job runs on the first working day of December
    _send()
    filters = monthly.month_filters(NOVEMBER)
    bodies = {}
    for reader in (supervisor_119, supervisor_10, supervisor):
        mail = OutgoingMail.objects.get(kind=MONTHLY, recipient=reader)
        bodies[reader.pk] = mail.body_text
        # Then each number is the report functions' number over the reader's facts
        facts = report_facts(reader, filters)
        volume = volume_report(facts, filters)
        sla = sla_report(facts, filters)
        satisfaction = satisfaction_report(facts, filters)
        top = top_report(facts, filters, limit=3)
        expected = [
            _line("Tiket dibuat", format_number(volume.created)),
            _line("Tiket diselesaikan", format_number(volume.resolved)),
            _line("Tiket ditutup", format_number(volume.closed)),
            _line("Tiket terbuka di akhir bulan", format_number(volume.rows[-1].backlog)),
            _line(
                "SLA respons pertama terpenuhi",
                format_percent(sla.total.response.met_share * 100)
                if sla.total.response.met_share is not None
                else "–",
            ),
            _line("Rata-rata penilaian (1–5)", format_number(satisfaction.average, 2)),
            _line(
                "Tiket ditutup yang dinilai",
                format_percent((satisfaction.rated_share or 0) * 100),
            ),
        ]
        for line in expected:
            assert line in mail.body_text, line
        for category in top.categories:
            assert f"{category.path}: {format_number(category.count)}" in mail.body_text
        assert "November 2026" in mail.subject
    # And a direct count over the tickets agrees: 119 filed 3 in November, 10 filed 5
    for reader, lpse, created, closed, backlog, average in (
        (supervisor_119, 119, 3, 1, 3, "4,00"),
        (supervisor_10, 10, 5, 2, 3, "3,50"),
    ):
        assert (
            Ticket.objects.filter(
                lpse__kd_lpse=lpse, created_at__gte=_at(1, 0), created_at__lt=_at(1, 0, month=12)
            ).count()
            == created
        )
        text = bodies[reader.pk]
        assert _line("Tiket dibuat", str(created)) in text
        assert _line("Tiket ditutup", str(closed)) in text
        assert _line("Tiket terbuka di akhir bulan", str(backlog)) in text
        assert _line("Rata-rata penilaian (1–5)", average) in text
    # The LPSE supervisors' mails name their LPSE only; the national one sees both
    lpse_119, lpse_10 = Lpse.objects.get(kd_lpse=119), Lpse.objects.get(kd_lpse=10)
    assert lpse_119.name in bodies[supervisor_119.pk]
    assert lpse_10.name not in bodies[supervisor_119.pk]
    assert lpse_10.name in bodies[supervisor_10.pk]
    assert lpse_119.name not in bodies[supervisor_10.pk]
    assert _line("Tiket dibuat", "8") in bodies[supervisor.pk]
    assert "Nasional" in bodies[supervisor.pk]


@pytest.mark.django_db
def test_the_mail_holds_no_personal_data_or_ticket_text(
    november: None, alice: User, carol: User, supervisor: User
) -> None:
    _send()
    mail = OutgoingMail.objects.get(kind=MONTHLY, recipient=supervisor)
    numbers = list(Ticket.objects.values_list("number", flat=True))
    for body in (mail.body_text, mail.body_html, mail.subject):
        for private in (SECRET_TITLE, SECRET_TEXT, alice.email, carol.email, *numbers):
            assert private not in body
        for name in (alice.display_name, carol.display_name):
            assert name not in body
    assert mail.ticket_id is None
    # HTML too: the summary in a table with row headers, and the link
    assert '<th scope="row"' in mail.body_html
    link = monthly.report_link(monthly.month_filters(NOVEMBER))
    assert f'href="{link}"' in mail.body_html.replace("&amp;", "&")


@pytest.mark.django_db
def test_a_summary_runs_a_bounded_number_of_statements(
    november: None, supervisor_119: User
) -> None:
    with CaptureQueriesContext(connection) as captured:
        monthly.monthly_summary(supervisor_119, NOVEMBER)
    assert len(captured) <= 30


# --- The link ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_link_opens_the_full_report_for_that_month(
    november: None, settings, supervisor_119: User, supervisor_10: User
) -> None:
    settings.SITE_URL = "https://helpdesk.example.go.id/"
    _send()
    mail = OutgoingMail.objects.get(kind=MONTHLY, recipient=supervisor_119)
    link = next(
        line for line in mail.body_text.splitlines() if line.startswith("https://helpdesk.")
    )
    parts = urlsplit(link)
    # Absolute, on the volume report, with November as a date range and nothing else
    assert (parts.scheme, parts.netloc) == ("https", "helpdesk.example.go.id")
    assert parts.path == reverse("reports:report", kwargs={"slug": "volume"})
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert query == {"periode": "rentang", "dari": "01/11/2026", "sampai": "30/11/2026"}
    assert f'href="{link}"' in mail.body_html.replace("&amp;", "&")
    # The page reads it back as November, for the reader and in the reader's scope only:
    # the link names no LPSE, so another LPSE's supervisor following it sees their own.
    for reader in (supervisor_119, supervisor_10):
        form = ReportFilterForm(query, user=reader, today=datetime.date(2026, 12, 6))
        filters = form.filters()
        assert not form.errors
        assert (filters.first, filters.last) == (NOVEMBER, datetime.date(2026, 11, 30))
        lpses = set(report_facts(reader, filters).values_list("lpse__kd_lpse", flat=True))
        assert lpses == {119 if reader == supervisor_119 else 10}


@pytest.mark.django_db
def test_the_link_answers_200_for_the_reader_and_404_for_non_readers(
    november: None, client: Client, supervisor_119: User, agent: User, alice: User
) -> None:
    _send()
    link = monthly.report_link(monthly.month_filters(NOVEMBER))
    path = link.split("://", 1)[1].split("/", 1)[1]
    client.force_login(supervisor_119)
    assert client.get(f"/{path}").status_code == 200
    for outsider in (agent, alice):
        client.force_login(outsider)
        assert client.get(f"/{path}").status_code == 404


# --- The preference ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_supervisor_turns_it_off_and_on_again(client: Client, supervisor_119: User) -> None:
    offered = STAFF_MAIL_KINDS + REPORT_MAIL_KINDS
    client.force_login(supervisor_119)
    # Given the page offers it, on by default
    page = client.get(PREFERENCES)
    assert page.status_code == 200
    assert "monthly_report" in page.context["form"].fields
    assert page.context["form"].initial["monthly_report"] is True
    assert "Laporan bulanan (hari kerja pertama setiap bulan)" in page.content.decode()
    # When they turn it off (keeping the other mails)
    kinds = [str(kind) for kind in STAFF_MAIL_KINDS]
    assert client.post(PREFERENCES, {"kinds": kinds}).status_code == 302
    # Then it is off, the others stay on, and the job leaves them out
    assert mail_preferences(supervisor_119, offered) == set(STAFF_MAIL_KINDS)
    assert client.get(PREFERENCES).context["form"].initial["monthly_report"] is False
    assert _send().sent == 0
    # When they turn it on again, the next month comes
    response = client.post(PREFERENCES, {"kinds": kinds, "monthly_report": "on"})
    assert response.status_code == 302
    assert mail_preferences(supervisor_119, offered) == set(offered)
    assert _send(today=datetime.date(2027, 1, 4)).sent == 1


@pytest.mark.django_db
def test_staff_who_read_no_reports_are_not_offered_it(client: Client, agent: User) -> None:
    client.force_login(agent)
    page = client.get(PREFERENCES)
    assert "monthly_report" not in page.context["form"].fields
    assert "Laporan bulanan" not in page.content.decode()
    # Posting it anyway changes nothing about it
    response = client.post(PREFERENCES, {"kinds": ["sla_breach"], "monthly_report": "on"})
    assert response.status_code == 302
    assert not MailOptOut.objects.filter(user=agent, kind=MONTHLY).exists()
    assert mail_preferences(agent) == {"sla_breach"}


@pytest.mark.django_db
def test_bad_preference_input_is_refused_and_changes_nothing(
    client: Client, supervisor_119: User
) -> None:
    offered = STAFF_MAIL_KINDS + REPORT_MAIL_KINDS
    client.force_login(supervisor_119)
    before = mail_preferences(supervisor_119, offered)
    # The monthly report is not one of the event kinds, nor is garbage
    for kinds in (["monthly_report"], ["sla_breach", "'; DROP TABLE x; --"]):
        response = client.post(PREFERENCES, {"kinds": kinds})
        assert response.status_code == 200
        assert response.context["form"].errors
    # A NUL character is refused before the form, as everywhere (400)
    response = client.post(PREFERENCES, {"kinds": ["sla_breach"], "monthly_report": "\x00"})
    assert response.status_code == 400
    assert mail_preferences(supervisor_119, offered) == before
    assert not MailOptOut.objects.filter(user=supervisor_119).exists()


@pytest.mark.django_db
def test_saving_event_mails_keeps_a_report_opt_out_of_a_former_reader(
    supervisor_119: User,
) -> None:
    # Given a supervisor who turned the report off, then lost the assignment (now an agent)
    mail_preferences_set(user=supervisor_119, enabled=STAFF_MAIL_KINDS, offered=REPORT_MAIL_KINDS)
    # When they save their event mails (the report is not offered to them now)
    mail_preferences_set(user=supervisor_119, enabled=["sla_breach"])
    # Then the report stays off for when they supervise again
    assert MailOptOut.objects.filter(user=supervisor_119, kind=MONTHLY).exists()


# --- The command ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_sends_a_chosen_month_and_refuses_bad_ones(supervisor_119: User) -> None:
    out = io.StringIO()
    call_command("send_monthly_reports", month="2026-10", dry_run=True, stdout=out)
    assert "1 penerima" in out.getvalue()
    assert not OutgoingMail.objects.filter(kind=MONTHLY).exists()
    assert not MonthlyReportMail.objects.exists()
    call_command("send_monthly_reports", month="2026-10", stdout=out)
    call_command("send_monthly_reports", month="2026-10", stdout=out)
    assert MonthlyReportMail.objects.get().month == datetime.date(2026, 10, 1)
    assert OutgoingMail.objects.filter(kind=MONTHLY).count() == 1
    for bad in ("2026-13", "okt", "2026-10-01", "3000-01"):
        with pytest.raises(CommandError):
            call_command("send_monthly_reports", month=bad, stdout=out)
    assert OutgoingMail.objects.filter(kind=MONTHLY).count() == 1


# --- Delivery ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_goes_through_the_outbox_and_the_mail_worker(
    smtp_sink: SmtpSink, november: None, supervisor_119: User
) -> None:
    # Given the job wrote the mail to the outbox
    assert _send().sent == 1
    # When the mail worker runs
    run_mail_worker()
    # Then the supervisor received it, text and HTML, and the row is sent
    received = smtp_sink.to(supervisor_119.email)
    assert len(received) == 1
    assert "Laporan bulanan November 2026" in received[0].subject
    assert "Tiket dibuat: 3" in received[0].text()
    assert "Kategori terbanyak" in received[0].html()
    mail = OutgoingMail.objects.get(kind=MONTHLY)
    assert mail.status == "sent"
    assert TicketFact.objects.exists()
