"""The read replica (issue 16): which reads go there, read-your-writes, falling back.

The replica of these tests is real and STALE: a second database in the same PostgreSQL
cluster, copied from the test database at a chosen moment (`stale_replica`), so a row
written after the copy is on the primary only. A page that shows it read the primary; a
page that misses it read the replica. Without the stickiness the reporter's list would
miss her new ticket, and these tests would fail.
"""

from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from django.core.cache import cache
from django.db import connection, connections, router, transaction
from django.db.utils import load_backend
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from accounts.models import User
from api.tests.test_api_access import api_form, api_get, ticket_form, token_for
from lib.replica import replica_reads, request_bound
from lpse_support.dbrouter import forget_replica_state
from lpse_support.replica import STICKY_COOKIE
from tickets.models import Ticket
from tickets.tests.factories import make_ticket
from tickets.tests.test_ticket_create import form_data  # noqa: F401  (a fixture)

STALE = "stale_replica"

pytestmark = pytest.mark.django_db(transaction=True)
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a second real database needs PostgreSQL"
)


def _admin_connection(settings_dict: dict[str, Any]) -> psycopg.Connection[Any]:
    return psycopg.connect(
        host=settings_dict["HOST"], port=settings_dict["PORT"], user=settings_dict["USER"],
        password=settings_dict["PASSWORD"], dbname="postgres", autocommit=True,
    )  # fmt: skip


def _use_replica(settings: Settings, settings_dict: dict[str, Any]) -> None:
    """Make `settings_dict` the replica, as an alias created at run time."""
    backend = load_backend(settings_dict["ENGINE"])
    connections[STALE] = backend.DatabaseWrapper(settings_dict, STALE)
    settings.REPLICA_DATABASE = STALE
    forget_replica_state()


def _forget_replica() -> None:
    connections[STALE].close()
    del connections[STALE]
    forget_replica_state()


@pytest.fixture
def stale_replica(settings: Settings) -> Iterator[Callable[[], None]]:
    """Call it to copy the primary now and read from the copy from then on."""
    primary = connection.settings_dict
    name = f"{primary['NAME']}_stale"
    made: list[str] = []

    def copy_now() -> None:
        # A database is copied from a template nobody is connected to.
        connections.close_all()
        with _admin_connection(primary) as admin:
            # A session an earlier test left behind (a thread's connection not yet
            # collected, a child process on its way out) would block the copy: the test
            # database is this test's alone now, so end them (waiting up to 10 s each).
            # Only the clients' sessions: an autovacuum worker there (a superuser's
            # process, which this role may not end) is stopped by CREATE DATABASE itself.
            admin.execute(
                "SELECT pg_terminate_backend(a.pid, 10000) FROM pg_stat_activity a"
                " JOIN pg_roles r ON r.oid = a.usesysid"
                " WHERE a.datname = %s AND a.pid <> pg_backend_pid()"
                " AND a.backend_type = 'client backend' AND NOT r.rolsuper",
                [primary["NAME"]],
            )
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{primary["NAME"]}"')
        made.append(name)
        _use_replica(settings, {**primary, "NAME": name})

    yield copy_now
    if made:
        _forget_replica()
        with _admin_connection(primary) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(autouse=True)
def fresh_marks() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _exists_on(ticket: Ticket) -> bool:
    return Ticket.objects.filter(pk=ticket.pk).exists()


@postgres_only
def test_router_reads_the_replica_only_in_scope_and_never_for_writes(
    alice: User, stale_replica: Callable[[], None]
) -> None:
    # Given a replica copied before alice's ticket was filed
    stale_replica()
    ticket = make_ticket(alice)
    # Then reads outside the scope see it (primary), reads inside do not (replica)
    assert _exists_on(ticket)
    with replica_reads():
        assert not _exists_on(ticket)
        assert router.db_for_read(Ticket) == STALE
        # And writes, sign-in tables and atomic blocks stay on the primary
        assert router.db_for_write(Ticket) == "default"
        assert router.db_for_read(User) == "default"
        assert Ticket.objects.filter(pk=ticket.pk).update(title="Diubah") == 1
        with transaction.atomic():
            assert _exists_on(ticket)
        # And a request that has written reads its own writes
        with request_bound(lambda: False):
            assert not _exists_on(ticket)
            Ticket.objects.filter(pk=ticket.pk).update(title="Diubah lagi")
            assert _exists_on(ticket)
        # And a person marked as a recent writer reads the primary
        with request_bound(lambda: True):
            assert _exists_on(ticket)
    assert Ticket.objects.get(pk=ticket.pk).title == "Diubah lagi"


def _in_list(client: Client, number: str) -> bool:
    response = client.get(reverse("portal:ticket_list"))
    assert response.status_code == 200
    return reverse("portal:ticket_detail", args=[number]) in response.content.decode()


def _in_console(client: Client, number: str) -> bool:
    response = client.get(reverse("console:queue"), {"antrian": "semua"})
    assert response.status_code == 200
    return reverse("console:ticket_detail", args=[number]) in response.content.decode()


@postgres_only
def test_a_reporter_sees_the_ticket_she_just_filed_though_the_replica_is_stale(
    client: Client,
    alice: User,
    agent: User,
    form_data: dict[str, Any],  # noqa: F811
    stale_replica: Callable[[], None],
) -> None:
    # Given a replica that will not receive what alice files
    stale_replica()
    client.force_login(alice)
    # When she files a ticket and follows the redirect to her list
    response = client.post(reverse("portal:ticket_create"), form_data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:ticket_list")
    number = Ticket.objects.get().number
    # Then the list shows it (she is held on the primary)…
    assert reverse("portal:ticket_detail", args=[number]) in response.content.decode()
    assert _in_list(client, number)
    sticky = client.cookies[STICKY_COOKIE]
    assert sticky.value and sticky["httponly"] and sticky["samesite"] == "Lax"
    assert sticky["max-age"] == 10
    # …also without her cookie, from another app server (the shared cache's mark)
    elsewhere = Client()
    elsewhere.force_login(alice)
    assert _in_list(elsewhere, number)
    # And an agent who wrote nothing reads the replica, which does not have it yet
    staff = Client()
    staff.force_login(agent)
    assert not _in_console(staff, number)
    # And once the marks are gone, alice reads the replica too
    cache.clear()
    assert not _in_list(elsewhere, number)


@postgres_only
def test_an_api_client_reads_its_own_new_ticket_without_cookies(
    alice: User, stale_replica: Callable[[], None]
) -> None:
    # Given a reporter's script with a token, and a stale replica
    raw = token_for(alice)
    stale_replica()
    # When it files a ticket and lists at once, each call without cookies
    created = api_form(Client(), raw, "/tickets", ticket_form(alice))
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    listed = api_get(Client(), raw, "/tickets")
    # Then the list holds the new ticket: the user is marked in the shared cache
    assert number in [item["number"] for item in listed.json()["items"]]
    # And without the mark the list comes from the replica
    cache.clear()
    assert number not in [
        item["number"] for item in api_get(Client(), raw, "/tickets").json()["items"]
    ]


@postgres_only
@pytest.mark.parametrize(
    "cookie",
    [
        "1",  # unsigned
        "1:1tQ9ZZ:forgedsignatureforgedsignatureforged",  # forged signature
        "\x00garbled;=,\u00ff",  # not a cookie value at all
        "",  # empty
    ],
)
def test_a_forged_or_garbled_stickiness_cookie_is_ignored(
    client: Client, alice: User, stale_replica: Callable[[], None], cookie: str
) -> None:
    # Given a ticket the stale replica does not have
    stale_replica()
    ticket = make_ticket(alice)
    client.force_login(alice)
    # When alice's browser sends a stickiness cookie that was not signed by the server
    client.cookies[STICKY_COOKIE] = cookie
    # Then the page answers normally, from the replica (the cookie counts for nothing)
    assert not _in_list(client, ticket.number)


@postgres_only
def test_an_expired_stickiness_cookie_is_ignored(
    client: Client, alice: User, settings: Settings, stale_replica: Callable[[], None]
) -> None:
    # Given a cookie the server signed, now older than REPLICA_STICKY_SECONDS
    stale_replica()
    ticket = make_ticket(alice)
    client.force_login(alice)
    response = client.post(reverse("accounts:logout"))  # any successful write signs one
    assert client.cookies[STICKY_COOKIE].value
    client.force_login(alice)
    cache.clear()
    settings.REPLICA_STICKY_SECONDS = -1
    # Then it no longer holds alice on the primary
    assert response.status_code == 302
    assert not _in_list(client, ticket.number)


@postgres_only
def test_an_unreachable_replica_falls_back_to_the_primary_and_degrades_readiness(
    client: Client, alice: User, agent: User, settings: Settings
) -> None:
    # Given a replica on a port where nothing listens
    _use_replica(settings, {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": 9})
    try:
        ticket = make_ticket(alice)
        client.force_login(agent)
        # When the agent opens the console list: it answers from the primary
        assert _in_console(client, ticket.number)
        # And /readyz stays 200, reporting the replica degraded
        ready = Client().get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"]["replica"] == {"status": "degraded", "reachable": False}
    finally:
        _forget_replica()


@postgres_only
def test_a_replica_lost_while_a_page_reads_it_answers_again_from_the_primary(
    client: Client, alice: User, agent: User, stale_replica: Callable[[], None]
) -> None:
    # Given a replica copied before alice's ticket, which the agent's console reads
    stale_replica()
    ticket = make_ticket(alice)
    client.force_login(agent)
    assert not _in_console(client, ticket.number)
    replica = connections[STALE]

    def server_ends_it(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        # What a replica stop does to a query in flight: its server ends the connection.
        if "tickets_ticket" in sql:
            with _admin_connection(connection.settings_dict) as admin:
                admin.execute(
                    "SELECT pg_terminate_backend(%s, 10000)",
                    [replica.connection.info.backend_pid],
                )
        return execute(sql, params, many, context)

    # When the replica ends the connection the page is reading on
    with replica.execute_wrapper(server_ends_it):
        # Then the page answers, from the primary (the new ticket is in the list)
        assert _in_console(client, ticket.number)
    # And the replica is left alone for a few seconds, as when it cannot be reached
    assert _in_console(client, ticket.number)


@postgres_only
def test_readyz_reports_a_reachable_replica_ok(
    client: Client, alice: User, stale_replica: Callable[[], None]
) -> None:
    stale_replica()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["replica"] == {
        "status": "ok",
        "reachable": True,
        "lag_seconds": 0.0,
    }


def test_without_a_replica_everything_reads_the_primary_and_nobody_is_marked(
    client: Client,
    alice: User,
    form_data: dict[str, Any],  # noqa: F811
    settings: Settings,
) -> None:
    # Given no DATABASE_REPLICA_URL
    settings.REPLICA_DATABASE = ""
    client.force_login(alice)
    # When alice files a ticket
    response = client.post(reverse("portal:ticket_create"), form_data, follow=True)
    # Then she sees it, no stickiness cookie is set and the opt-in scope reads the primary
    number = Ticket.objects.get().number
    assert reverse("portal:ticket_detail", args=[number]) in response.content.decode()
    assert STICKY_COOKIE not in client.cookies
    with replica_reads():
        assert router.db_for_read(Ticket) == "default"
