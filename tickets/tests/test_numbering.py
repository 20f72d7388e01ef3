import datetime
import re
import threading

import pytest
from django.db import connection
from django.utils import timezone

from reference.models import Application, Lpse
from tickets.models import Ticket, TicketSequence
from tickets.numbering import ticket_number_allocate
from tickets.tests.factories import make_ticket

NUMBER = re.compile(r"^[A-Z]+-\d{8}-\d{5}$")


def test_numbers_follow_the_pattern_and_count_per_application_and_day(alice):
    # Given two SPSE tickets and one SiRUP ticket on the same day
    first = make_ticket(alice)
    second = make_ticket(alice)
    sirup = Application.objects.get(code="SIRUP")
    third = make_ticket(
        alice,
        application=sirup,
        version=sirup.versions.first(),
        category=sirup.categories.filter(is_leaf=True).first(),
        code="",
    )
    # Then each application has its own daily sequence
    assert NUMBER.match(first.number)
    assert first.number.endswith("-00001") and second.number.endswith("-00002")
    assert third.number.startswith("SIRUP-") and third.number.endswith("-00001")


def test_the_date_is_that_of_the_handling_lpse(reference, monkeypatch):
    # Given 16:30 UTC on 28 November: 23:30 in Jakarta (WIB), 01:30 next day in Jayapura (WIT)
    moment = datetime.datetime(2026, 11, 28, 16, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    jayapura = Lpse.objects.get(kd_lpse=93)
    # When numbers are taken for an LPSE in each zone
    wib = ticket_number_allocate(application_code="SPSE", tz_name="Asia/Jakarta")
    wit = ticket_number_allocate(application_code="SPSE", tz_name=jayapura.timezone)
    # Then each carries its own LPSE's date
    assert wib.startswith("SPSE-20261128-")
    assert wit.startswith("SPSE-20261129-")


def test_numbers_are_never_reused_after_a_failed_ticket(alice):
    # Given a number that was taken but whose ticket never came to be
    taken = ticket_number_allocate(application_code="SPSE", tz_name="Asia/Jakarta")
    # When the next ticket is created
    ticket = make_ticket(alice)
    # Then it gets the next number, not the abandoned one
    assert ticket.number != taken
    assert int(ticket.number[-5:]) == int(taken[-5:]) + 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_creation_gives_unique_numbers(reference, alice, bob):
    # Given 8 threads, each with its own database connection, creating tickets at once
    results: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def create(reporter):
        try:
            barrier.wait(timeout=10)
            for _ in range(3):
                results.append(make_ticket(reporter).number)
        except BaseException as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(alice if i % 2 else bob,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # Then all 24 tickets exist with 24 different, consecutive numbers
    assert errors == []
    assert len(results) == 24 == len(set(results))
    assert Ticket.objects.count() == 24
    assert sorted(int(n[-5:]) for n in results) == list(range(1, 25))
    assert TicketSequence.objects.get().last_value == 24


@pytest.mark.django_db(transaction=True)
def test_only_the_number_commits_without_waiting_for_the_disk(reference):
    # Given a number taken on PostgreSQL (its own transaction skips the flush wait)
    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO on")  # as in production (the tests' is off)
    ticket_number_allocate(application_code="SPSE", tz_name="Asia/Jakarta")
    # Then the setting ended with that transaction: everything else still waits for it
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)
        cursor.execute("RESET synchronous_commit")
