"""Console ergonomics (issue 15): a search looks in every queue, the SLA filter and sort,
dates typed as dd/mm/yyyy, triage's code check without taking the ticket, and the staff
print view."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from tickets import services
from tickets.access import action_refusal
from tickets.lifecycle import Action, ActionForbidden
from tickets.models import Ticket
from tickets.tests.factories import make_ticket

QUEUE = reverse("console:queue")


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # The personas' staff passwords: argon2 is slow on purpose, these tests need not be.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _numbers(response):
    assert response.status_code == 200
    return {t.number for t in response.context["page"].object_list}


def _matches(response):
    return {tab["queue"].key: tab["matches"] for tab in response.context["tabs"]}


# --- A search looks in every queue ---------------------------------------------------------


def test_a_search_from_my_queue_says_where_the_matches_are(client, alice, agent):
    # Given a ticket nobody has taken yet, and one the agent holds
    waiting = make_ticket(alice, title="Jadwal sanggah tidak muncul")
    mine = services.ticket_take(ticket=make_ticket(alice, title="Upload gagal"), actor=agent)
    client.force_login(agent)
    # When the agent, on the default queue "Tiket saya", searches the waiting ticket's number
    response = client.get(QUEUE, {"cari": waiting.number})
    # Then "Tiket saya" holds no match, but the tabs say how many each queue holds
    assert response.context["current"] == "saya"
    assert _numbers(response) == set()
    assert _matches(response) == {
        "saya": 0, "belum_diambil": 1, "menunggu_pelapor": 0, "semua": 1,
    }  # fmt: skip
    body = response.content.decode()
    # and the page says plainly where they are, with links that keep the search
    assert "data-matches-elsewhere" in body
    assert "Tidak ada yang cocok di «Tiket saya»" in body
    assert f"antrian=belum_diambil&amp;cari={waiting.number}" in body
    assert f"antrian=semua&amp;cari={waiting.number}" in body
    # When the agent follows the link
    response = client.get(QUEUE, {"antrian": "belum_diambil", "cari": waiting.number})
    # Then the ticket is listed there, and the page has no "elsewhere" note
    assert _numbers(response) == {waiting.number}
    assert "data-matches-elsewhere" not in response.content.decode()
    # And a search that finds the agent's own ticket stays on "Tiket saya"
    response = client.get(QUEUE, {"cari": "upload"})
    assert _numbers(response) == {mine.number}
    assert _matches(response)["saya"] == 1


def test_without_a_search_the_tabs_show_whole_queues(client, alice, agent):
    make_ticket(alice)
    client.force_login(agent)
    response = client.get(QUEUE, {"status": "new"})
    # The tab links lead to the whole queue, and no match counts are shown
    assert [tab["query"] for tab in response.context["tabs"]] == [
        "antrian=saya", "antrian=belum_diambil", "antrian=menunggu_pelapor", "antrian=semua",
    ]  # fmt: skip
    assert "data-matches=" not in response.content.decode()


def test_a_search_never_shows_tickets_outside_the_persons_scope(
    client, alice, agent, agent_other, lkpp_spse
):
    ticket = make_ticket(alice, title="Sanggah banding")
    for person in (agent_other, lkpp_spse):  # another LPSE; tier 2 before escalation
        client.force_login(person)
        response = client.get(QUEUE, {"antrian": "semua", "cari": ticket.number})
        assert _numbers(response) == set()
        assert set(_matches(response).values()) == {0}
        assert "data-row" not in response.content.decode()


def test_a_search_runs_a_bounded_number_of_queries(
    client, alice, agent, django_assert_max_num_queries
):
    for i in range(12):
        make_ticket(alice, title=f"Sanggah {i}")
    client.force_login(agent)
    client.get(QUEUE)  # the session
    # session, user, scope, live stamp, 4 queue counts, 4 match counts, rows, SLA book (3),
    # bell
    for params in (
        {"cari": "sanggah"},
        {"cari": "sanggah", "urut": "terbaru", "sla": "terlambat"},
        {"antrian": "semua", "sla": "terlambat_atau_hampir", "urut": "batas_sla"},
    ):
        with django_assert_max_num_queries(20):
            assert client.get(QUEUE, params).status_code == 200


# --- SLA filter and sort -------------------------------------------------------------------


def _set_clock(ticket: Ticket, *, due: datetime.timedelta, warn: datetime.timedelta) -> None:
    """Put the ticket's running resolution clock at due/warn moments relative to now."""
    now = timezone.now()
    Ticket.objects.filter(pk=ticket.pk).update(
        response_due_at=None,
        response_warn_at=None,
        resolution_due_at=now + due,
        resolution_warn_at=now + warn,
        next_due_at=now + due,
    )


def test_the_sla_filter_and_the_sla_sort(client, alice, agent):
    # Given a late ticket, one past its warning, and one with plenty of time
    late = make_ticket(alice, title="Terlambat")
    at_risk = make_ticket(alice, title="Hampir")
    fine = make_ticket(alice, title="Aman")
    day = datetime.timedelta(days=1)
    _set_clock(late, due=-day, warn=-2 * day)
    _set_clock(at_risk, due=day, warn=-day)
    _set_clock(fine, due=10 * day, warn=8 * day)
    client.force_login(agent)

    def listed(**params):
        return _numbers(client.get(QUEUE, {"antrian": "semua", **params}))

    # Then each filter lists what the SLA column says
    assert listed(sla="terlambat") == {late.number}
    assert listed(sla="hampir_terlambat") == {at_risk.number}
    assert listed(sla="terlambat_atau_hampir") == {late.number, at_risk.number}
    assert listed() == {late.number, at_risk.number, fine.number}
    # And sorting by SLA due time puts the nearest first
    response = client.get(QUEUE, {"antrian": "semua", "urut": "batas_sla"})
    assert [t.number for t in response.context["page"].object_list] == [
        late.number, at_risk.number, fine.number,
    ]  # fmt: skip
    # And a value that means nothing is ignored and named, never a crash
    response = client.get(QUEUE, {"antrian": "semua", "sla": "kemarin"})
    assert _numbers(response) == {late.number, at_risk.number, fine.number}
    assert "Masukkan pilihan yang valid" in response.content.decode()


def test_a_closed_ticket_is_never_late(client, alice, agent):
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    ticket = services.ticket_resolve(ticket=ticket, actor=agent, body="Sudah.")
    services.ticket_confirm(ticket=ticket, actor=alice)
    client.force_login(agent)
    response = client.get(QUEUE, {"antrian": "semua", "sla": "terlambat_atau_hampir"})
    assert _numbers(response) == set()


# --- Dates as dd/mm/yyyy -------------------------------------------------------------------


def test_dates_are_typed_day_first(client, alice, agent):
    # Given a ticket filed on 5 January 2026 (Jakarta time)
    ticket = make_ticket(alice)
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=datetime.datetime(2026, 1, 5, 3, 0, tzinfo=datetime.UTC)
    )
    client.force_login(agent)

    def listed(**params):
        return _numbers(client.get(QUEUE, {"antrian": "semua", **params}))

    # Then 05/01/2026 is the fifth of January, not the first of May
    assert listed(dari="05/01/2026", sampai="05/01/2026") == {ticket.number}
    assert listed(dari="01/05/2026") == set()
    # And the box shows the date back as typed, a text box with the picker's mark
    body = client.get(QUEUE, {"antrian": "semua", "dari": "5/1/2026"}).content.decode()
    assert 'value="5/1/2026"' in body
    assert 'type="date"' not in body
    assert "data-datepicker" in body


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"dari": "31/02/2026"}, "Tanggal tidak valid. Tulis dd/mm/yyyy, misalnya 31/01/2026."),
        ({"sampai": "2026/13/45"}, "Tanggal tidak valid. Tulis dd/mm/yyyy, misalnya 31/01/2026."),
        ({"dari": "10/01/2026", "sampai": "09/01/2026"}, "tidak boleh sebelum tanggal «dari»"),
    ],
)
def test_a_bad_date_is_named_in_indonesian_and_ignored(client, alice, agent, params, message):
    ticket = make_ticket(alice)
    client.force_login(agent)
    response = client.get(QUEUE, {"antrian": "semua", **params})
    assert response.status_code == 200
    assert message in response.content.decode()
    # the bad date narrows nothing
    if "sampai" not in params or "dari" not in params:
        assert _numbers(response) == {ticket.number}


# --- Checking a code is triage -------------------------------------------------------------


def test_any_agent_of_the_tier_may_check_the_code_without_taking_it(
    client, alice, agent, agent_119_b
):
    # Given a new ticket with a code, nobody holds it
    ticket = make_ticket(alice)
    assert ticket.code
    # Then every agent of its tier may check it, and the button is there
    assert action_refusal(agent, ticket, Action.REVALIDATE_CODE) is None
    client.force_login(agent)
    url = reverse("console:ticket_action", args=[ticket.number, "revalidate_code"])
    assert (
        url in client.get(reverse("console:ticket_detail", args=[ticket.number])).content.decode()
    )
    # When the agent checks it without taking it
    response = client.post(url, {"revision": ticket.revision})
    # Then it is checked (the source is down in tests: still unvalidated), nobody holds it
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.holder_id is None
    assert ticket.events.filter(kind="code_revalidated").count() == 1
    # And once a colleague holds it, the agent may still check it
    ticket = services.ticket_take(ticket=ticket, actor=agent_119_b)
    assert action_refusal(agent, ticket, Action.REVALIDATE_CODE) is None


@pytest.mark.parametrize(
    "persona",
    [
        "lkpp_spse",  # another tier (the ticket is at tier 1)
        "supervisor",  # reads, never acts
        "alice",  # the reporter
        "agent_deactivated",
        "agent_removed",
        "agent_other",  # another LPSE
    ],
)
def test_who_still_may_not_check_the_code(request, client, alice, persona):
    ticket = make_ticket(alice)
    person: User = request.getfixturevalue(persona)
    assert isinstance(action_refusal(person, ticket, Action.REVALIDATE_CODE), ActionForbidden)


def test_tier_one_may_not_check_the_code_of_a_ticket_at_tier_two(alice, agent, lkpp_spse):
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    ticket = services.ticket_escalate(ticket=ticket, actor=agent, note="Perlu LKPP.")
    assert isinstance(action_refusal(agent, ticket, Action.REVALIDATE_CODE), ActionForbidden)
    assert action_refusal(lkpp_spse, ticket, Action.REVALIDATE_CODE) is None


# --- The staff print view ------------------------------------------------------------------


def _print_url(ticket, **params):
    return reverse("console:ticket_print", args=[ticket.number])


@pytest.fixture
def noted_ticket(alice, agent):
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    services.ticket_reply(ticket=ticket, actor=agent, body="Mohon tunggu sebentar.")
    services.ticket_add_note(ticket=ticket, actor=agent, body="Cek log server 10.1.2.3.")
    return Ticket.objects.get(pk=ticket.pk)


def test_staff_print_the_ticket_without_internal_notes_unless_asked(client, agent, noted_ticket):
    client.force_login(agent)
    # The console detail links to the print view
    detail = client.get(reverse("console:ticket_detail", args=[noted_ticket.number]))
    assert _print_url(noted_ticket) in detail.content.decode()
    assert "Cetak (Print)" in detail.content.decode()
    # By default: what the reporter's print view shows, no internal note
    body = client.get(_print_url(noted_ticket)).content.decode()
    for text in (noted_ticket.number, noted_ticket.title, "Mohon tunggu sebentar."):
        assert text in body
    assert "Cek log server" not in body
    assert "Sertakan catatan internal" in body
    # When asked for, the internal note is there, marked as internal
    body = client.get(_print_url(noted_ticket), {"catatan_internal": "1"}).content.decode()
    assert "Cek log server 10.1.2.3." in body
    assert "message--internal" in body
    assert "tidak terlihat oleh pelapor" in body
    assert "data-internal-included" in body


@pytest.mark.parametrize("persona", ["agent_other", "lkpp_spse", "bob", "admin_user"])
def test_who_cannot_see_the_ticket_gets_the_same_404_as_for_a_missing_one(
    request, client, noted_ticket, persona
):
    client.force_login(request.getfixturevalue(persona))
    hidden = client.get(_print_url(noted_ticket), {"catatan_internal": "1"})
    missing = client.get(reverse("console:ticket_print", args=["SPSE-20000101-99999"]))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_the_reporter_never_gets_internal_notes_through_any_parameter(client, alice, noted_ticket):
    client.force_login(alice)
    # Not through the console's print view (staff only: 404)
    assert client.get(_print_url(noted_ticket), {"catatan_internal": "1"}).status_code == 404
    # Nor through their own print view, whatever is added to it
    url = reverse("portal:ticket_print", args=[noted_ticket.number])
    for params in ({}, {"catatan_internal": "1"}, {"internal": "1", "with_internal": "true"}):
        response = client.get(url, params)
        assert response.status_code == 200
        body = response.content.decode()
        assert "Mohon tunggu sebentar." in body
        assert "Cek log server" not in body
        assert "Sertakan catatan internal" not in body


def test_anonymous_is_sent_to_sign_in(client, noted_ticket):
    response = client.get(_print_url(noted_ticket))
    assert response.status_code == 302
    assert reverse("accounts:staff_login") in response["Location"]


def test_a_merged_tickets_print_links_staff_to_the_console_and_the_reporter_to_the_portal(
    client, alice, agent
):
    target = make_ticket(alice, title="Tiket utama")
    duplicate = services.ticket_take(ticket=make_ticket(alice, title="Duplikat"), actor=agent)
    services.ticket_merge(ticket=duplicate, actor=agent, into=target)
    client.force_login(agent)
    staff = client.get(_print_url(duplicate)).content.decode()
    assert f'href="{reverse("console:ticket_detail", args=[target.number])}"' in staff
    assert f'href="{target.get_absolute_url()}"' not in staff
    client.force_login(alice)
    own = client.get(reverse("portal:ticket_print", args=[duplicate.number])).content.decode()
    assert f'href="{target.get_absolute_url()}"' in own
