"""The console filters that report numbers link to (issue 17): each list equals a
brute-force filter over the tickets, links round-trip, and garbage is ignored."""

import datetime
import random
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.http import QueryDict
from django.urls import reverse

from lib.sla import WORKING_DAY, worked
from reference.models import Application, Category, Lpse, Priority, TicketType, TimeZone
from sla.calendars import CalendarBook
from sla.clocks import ClockState, sla_columns, ticket_clocks
from tickets import services
from tickets.console_forms import ConsoleFilterForm, category_choices
from tickets.models import CloseReason, Rating, Status, Ticket
from tickets.queues import (
    AGE_BUCKETS,
    ConsoleFilters,
    category_subtree_ids,
    console_list,
    console_list_url,
)
from tickets.tests.factories import make_ticket
from tickets.ticket_sla import clock_input

QUEUE = reverse("console:queue")
# Wednesday 25 November 2026, 10:00 WIB.
NOW = datetime.datetime(2026, 11, 25, 3, 0, tzinfo=datetime.UTC)
COUNT = 360


def _ticket_rows(reporter, count=COUNT):
    """Tickets across the three zones, roles, categories, outcomes, ratings and codes,
    several of them filed at 23:30 local time (the zone edges)."""
    rng = random.Random(17)
    lpses = [Lpse.objects.filter(timezone=tz).order_by("pk")[0] for tz in TimeZone.values]
    applications = list(Application.objects.filter(is_active=True))
    ticket_type = TicketType.objects.first()
    book = CalendarBook.load()
    rows = []
    for i in range(count):
        application = rng.choice(applications)
        leaves = list(Category.objects.filter(application=application, is_leaf=True))
        lpse = rng.choice(lpses)
        if i % 10 == 0:
            day = datetime.date(2026, 11, 10) + datetime.timedelta(days=rng.randint(0, 14))
            created = datetime.datetime.combine(day, datetime.time(23, 30), lpse.zone)
        else:
            created = NOW - datetime.timedelta(minutes=rng.randint(1, 60 * 24 * 20))
        status = rng.choice(list(Status))
        ticket = Ticket(
            number=f"FLT-{i:05d}",
            reporter=reporter,
            reporter_role=rng.choice(("ppk", "pokja", "pelaku_usaha", "pp")),
            notification_email="uji@example.go.id",
            title=f"Tiket filter {i}",
            lpse=lpse,
            application=application,
            version=application.versions.first(),
            ticket_type=ticket_type,
            category=rng.choice(leaves),
            description="Uji.",
            priority=rng.choice(list(Priority)),
            status=status,
            tier=rng.choice((1, 1, 2, 3)),
            code=rng.choice(("", "", "10012345", "20099999")),
            created_at=created,
        )
        ticket.max_tier = max(ticket.tier, rng.choice((1, 2, 3)))
        if rng.random() < 0.7:
            ticket.first_response_at = created + datetime.timedelta(minutes=rng.randint(5, 6000))
        if status in (Status.CLOSED, Status.FORCE_CLOSED):
            ticket.closed_at = created + datetime.timedelta(minutes=rng.randint(60, 20000))
            if status == Status.FORCE_CLOSED:
                ticket.close_reason = CloseReason.FORCE_CLOSED
            else:
                ticket.close_reason = rng.choice(
                    (CloseReason.CONFIRMED, CloseReason.AUTO_CLOSED, CloseReason.MERGED)
                )
            if ticket.close_reason != CloseReason.MERGED:
                ticket.resolved_at = ticket.closed_at - datetime.timedelta(minutes=30)
        if ticket.first_response_at and ticket.closed_at:
            ticket.first_response_at = min(ticket.first_response_at, ticket.closed_at)
        for name, value in sla_columns(clock_input(ticket), book, swept_at=NOW).items():
            setattr(ticket, name, value)
        rows.append(ticket)
    Ticket.objects.bulk_create(rows)
    for ticket in Ticket.objects.filter(close_reason=CloseReason.CONFIRMED):
        Rating.objects.create(ticket=ticket, stars=1 + ticket.pk % 5)
    return list(Ticket.objects.select_related("lpse", "category", "rating"))


@pytest.fixture
def tickets(alice):
    return _ticket_rows(alice)


def _listed(filters):
    return {t.number for t in console_list(Ticket.objects.all(), filters, now=NOW)}


def _expected(tickets, keep):
    return {t.number for t in tickets if keep(t)}


def _rating(ticket):
    try:
        return ticket.rating.stars
    except Rating.DoesNotExist:
        return None


def _local_date(moment, ticket):
    return moment.astimezone(ZoneInfo(ticket.lpse.timezone)).date() if moment else None


def test_reporter_role_close_reason_tier_stars_and_code(tickets):
    cases = [
        (ConsoleFilters(reporter_role="pokja"), lambda t: t.reporter_role == "pokja"),
        (ConsoleFilters(close_reason="merged"), lambda t: t.close_reason == "merged"),
        (ConsoleFilters(close_reason="auto_closed"), lambda t: t.close_reason == "auto_closed"),
        (ConsoleFilters(min_tier=2), lambda t: t.max_tier >= 2),
        (ConsoleFilters(min_tier=3), lambda t: t.max_tier >= 3),
        *((ConsoleFilters(stars=n), lambda t, n=n: _rating(t) == n) for n in range(1, 6)),
        (ConsoleFilters(code="10012345"), lambda t: t.code == "10012345"),
        (
            ConsoleFilters(reporter_role="ppk", min_tier=2, close_reason="confirmed"),
            lambda t: (
                t.reporter_role == "ppk" and t.max_tier >= 2 and t.close_reason == "confirmed"
            ),
        ),
    ]
    for filters, keep in cases:
        expected = _expected(tickets, keep)
        assert expected, filters  # the data set exercises every case
        assert _listed(filters) == expected, filters


def test_a_category_node_selects_its_whole_subtree(tickets):
    parents = Category.objects.filter(is_leaf=False)
    assert parents.exists()
    by_id = {c.pk: c for c in Category.objects.all()}

    def under(category_id, node_id):
        while category_id is not None:
            if category_id == node_id:
                return True
            category_id = by_id[category_id].parent_id
        return False

    for node in [*parents[:5], *Category.objects.filter(is_leaf=True)[:3]]:
        expected = _expected(tickets, lambda t, node=node: under(t.category_id, node.pk))
        assert _listed(ConsoleFilters(category=node.pk)) == expected, node
    assert category_subtree_ids(10**9) == []
    assert _listed(ConsoleFilters(category=10**9)) == set()


def test_sla_missed_agrees_with_the_clocks(tickets):
    book = CalendarBook.load()
    states = {t.number: ticket_clocks(clock_input(t), book, NOW) for t in tickets}

    def missed(t, which):
        return getattr(states[t.number], which).state == ClockState.MISSED

    response = _expected(tickets, lambda t: missed(t, "response"))
    resolution = _expected(tickets, lambda t: missed(t, "resolution"))
    assert response and resolution
    assert _listed(ConsoleFilters(sla="terlampaui_respons")) == response
    assert _listed(ConsoleFilters(sla="terlampaui_penyelesaian")) == resolution
    assert _listed(ConsoleFilters(sla="terlampaui")) == response | resolution


def test_sla_missed_is_kept_by_the_actions(client, alice, agent):
    # Given a ticket answered by the services long after its response target
    ticket = make_ticket(alice)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=NOW - datetime.timedelta(days=10))
    ticket.refresh_from_db()
    ticket = services.ticket_take(ticket=ticket, actor=agent, now=NOW)
    ticket = services.ticket_reply(ticket=ticket, actor=agent, body="Kami periksa.", now=NOW)
    ticket.refresh_from_db()
    # Then the response verdict is stored, and the filter finds it
    assert ticket.response_outcome == ClockState.MISSED
    assert ticket.resolution_outcome == ""
    assert _listed(ConsoleFilters(sla="terlampaui_respons")) == {ticket.number}


def test_age_in_working_days_of_each_lpse_calendar(tickets):
    book = CalendarBook.load()
    assert any(t.is_open for t in tickets)
    for bucket, (low, high) in AGE_BUCKETS.items():

        def keep(t, low=low, high=high):
            if not t.is_open:
                return False
            calendar = book.calendar(
                lpse_id=t.lpse_id, tz_name=t.lpse.timezone, around_the_clock=False
            )
            age = worked(start=t.created_at, until=NOW, calendar=calendar)
            return low * WORKING_DAY <= age and (high is None or age < high * WORKING_DAY)

        expected = _expected(tickets, keep)
        assert expected, bucket
        assert _listed(ConsoleFilters(age=bucket)) == expected, bucket
    lpse = tickets[0].lpse
    assert _listed(ConsoleFilters(age="gt5", lpse=lpse)) == _expected(
        tickets, lambda t: t.lpse_id == lpse.pk and t.number in _listed(ConsoleFilters(age="gt5"))
    )


@pytest.mark.parametrize(
    ("field", "start_name", "end_name"),
    [
        ("created_at", "created_from", "created_to"),
        ("resolved_at", "resolved_from", "resolved_to"),
        ("closed_at", "closed_from", "closed_to"),
    ],
)
def test_date_ranges_count_each_ticket_on_its_lpse_date(tickets, field, start_name, end_name):
    for start, end in [
        (datetime.date(2026, 11, 12), datetime.date(2026, 11, 12)),
        (datetime.date(2026, 11, 10), datetime.date(2026, 11, 20)),
        (datetime.date(2026, 11, 18), None),
        (None, datetime.date(2026, 11, 14)),
    ]:

        def keep(t, start=start, end=end):
            day = _local_date(getattr(t, field), t)
            return (
                day is not None and (start is None or day >= start) and (end is None or day <= end)
            )

        bounds: dict[str, Any] = {start_name: start, end_name: end}
        filters = ConsoleFilters(**bounds)
        expected = _expected(tickets, keep)
        assert expected, (field, start, end)
        assert _listed(filters) == expected, (field, start, end)


def test_a_ticket_filed_at_2330_wit_belongs_to_that_wit_day(alice):
    [ticket] = [t for t in _ticket_rows(alice, 1)]
    wit = Lpse.objects.filter(timezone="Asia/Jayapura").order_by("pk")[0]
    late = datetime.datetime(2026, 11, 12, 23, 30, tzinfo=ZoneInfo("Asia/Jayapura"))
    Ticket.objects.filter(pk=ticket.pk).update(lpse=wit, created_at=late)
    day = datetime.date(2026, 11, 12)
    assert _listed(ConsoleFilters(created_from=day, created_to=day)) == {ticket.number}
    next_day = day + datetime.timedelta(days=1)
    assert _listed(ConsoleFilters(created_from=next_day)) == set()


def _form_filters(url):
    query = QueryDict(urlsplit(url).query)
    return ConsoleFilterForm(query).filters()


def test_links_round_trip_through_the_form(tickets):
    application = Application.objects.filter(categories__is_leaf=False).order_by("pk")[0]
    node = Category.objects.filter(application=application, is_leaf=False).order_by("pk")[0]
    wanted = ConsoleFilters(
        status="terbuka",
        priority="major",
        application=application,
        category=node.pk,
        lpse=tickets[0].lpse,
        tier=2,
        created_from=datetime.date(2026, 11, 1),
        created_to=datetime.date(2026, 11, 30),
        sla="terlampaui",
        reporter_role="pokja",
        age="3-5",
        close_reason="force_closed",
        min_tier=3,
        stars=4,
        code="10012345",
        resolved_from=datetime.date(2026, 11, 2),
        resolved_to=datetime.date(2026, 11, 3),
        closed_from=datetime.date(2026, 11, 4),
        closed_to=datetime.date(2026, 11, 5),
    )
    fields = {
        name: getattr(wanted, name)
        for name in wanted.__dataclass_fields__
        if getattr(wanted, name) not in ("", None)
    }
    url = console_list_url(**fields)
    assert url.startswith(QUEUE + "?antrian=semua&")
    assert _form_filters(url) == wanted
    # Ids work as well as objects; a single filter makes a short link
    assert console_list_url(lpse=tickets[0].lpse.pk, age="gt5") == (
        f"{QUEUE}?antrian=semua&lpse={tickets[0].lpse.pk}&umur=gt5"
    )
    assert dict(parse_qsl(urlsplit(console_list_url(queue="saya", stars=5)).query)) == {
        "antrian": "saya",
        "bintang": "5",
    }
    with pytest.raises(TypeError):
        console_list_url(umur="gt5")


def test_the_category_choices_show_the_tree_of_the_chosen_application(reference):
    application = Application.objects.filter(categories__is_leaf=False).order_by("pk")[0]
    choices = category_choices(application.pk)
    ids = [value for value, _ in choices[1:]]
    assert set(ids) == set(
        Category.objects.filter(application=application).values_list("pk", flat=True)
    )
    labels = dict(choices[1:])
    child = Category.objects.filter(application=application, parent__isnull=False).order_by("pk")[0]
    assert labels[child.pk].endswith(child.name) and labels[child.pk].startswith("\u00a0")
    # Without an application: grouped per application code
    grouped = category_choices(None)
    assert {group for group, _ in grouped[1:]} >= {application.code}
    # A category of another application is refused when an application is chosen
    other = Category.objects.exclude(application=application).order_by("pk")[0]
    form = ConsoleFilterForm({"aplikasi": application.pk, "kategori": other.pk})
    assert form.filters().category is None
    assert "kategori" in form.errors


def test_the_filter_bar_offers_the_new_filters(client, supervisor, tickets):
    client.force_login(supervisor)
    body = client.get(QUEUE, {"antrian": "semua"}).content.decode()
    assert "Filter lainnya" in body
    assert '<details class="console__more">' in body
    for name in ConsoleFilterForm.ADVANCED_FIELDS:
        assert f'name="{name}"' in body
    # Given a link with one of them, the section starts open and the list is filtered
    response = client.get(QUEUE, {"antrian": "semua", "peran": "pokja", "tier_maks": "2"})
    assert '<details class="console__more" open>' in response.content.decode()
    shown = {t.number for t in response.context["page"].object_list}
    assert shown and all(
        t.reporter_role == "pokja" and t.max_tier >= 2
        for t in Ticket.objects.filter(number__in=shown)
    )


GARBAGE = [
    ({"peran": "raja"}, "peran"),
    ({"kategori": "abc"}, "kategori"),
    ({"kategori": "999999999"}, "kategori"),
    ({"umur": "99"}, "umur"),
    ({"sla": "kemarin"}, "sla"),
    ({"ditutup": "'; drop table"}, "ditutup"),
    ({"tier_maks": "9"}, "tier_maks"),
    ({"tier_maks": "dua"}, "tier_maks"),
    ({"bintang": "6"}, "bintang"),
    ({"bintang": "0"}, "bintang"),
    ({"kode": "x" * 300}, "kode"),
    ({"selesai_dari": "31/02/2026"}, "selesai_dari"),
    ({"tutup_sampai": "kemarin"}, "tutup_sampai"),
    ({"tutup_dari": "10/11/2026", "tutup_sampai": "01/11/2026"}, "tutup_sampai"),
    ({"selesai_dari": "10/11/2026", "selesai_sampai": "01/11/2026"}, "selesai_sampai"),
]


@pytest.fixture
def few_tickets(alice):
    """Enough to compare a list with and without a bad filter (a first page and more)."""
    return _ticket_rows(alice, count=30)


@pytest.mark.parametrize(("params", "field"), GARBAGE)
def test_garbage_is_ignored_with_a_message(client, supervisor, few_tickets, params, field):
    client.force_login(supervisor)
    # (A reversed range drops its end only, as the "Dibuat" range always did.)
    kept = {name: value for name, value in params.items() if name != field}
    plain = client.get(QUEUE, {"antrian": "semua", **kept})
    response = client.get(QUEUE, {"antrian": "semua", **params})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    # The bad filter is left out: the same tickets as without it
    assert [t.number for t in response.context["page"].object_list] == [
        t.number for t in plain.context["page"].object_list
    ]
    assert 'class="errors"' in response.content.decode()
    assert Ticket.objects.count() == len(few_tickets)  # nothing changed
