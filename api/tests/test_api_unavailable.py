"""The database connection drops while the API builds its answer: 503 with the API's
error format and Retry-After, as anywhere else, never a 500 (issue 16).

django-ninja validates the answer after the view returned; a database read there fails
inside pydantic, which hides the database error from the 503 handler. The views read
everything themselves (`api.detail.ticket_answer`): these tests close the server side
of the connection right before such a read."""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.db.utils import load_backend
from django.test import Client

from accounts.models import User
from api.tests.test_api_access import API, ticket_form, token_for
from tickets.models import Ticket

# The read of a ticket's own attachments (not a message's): what the answer read last.
INITIAL_ATTACHMENTS = '"tickets_attachment"."message_id" IS NULL'


def terminate_own_backend() -> None:
    """Close the server side of this thread's connection, from a second connection, and
    wait until that backend is gone (PostgreSQL ends it asynchronously)."""
    pid = connection.connection.info.backend_pid
    other = load_backend(connection.settings_dict["ENGINE"]).DatabaseWrapper(
        connection.settings_dict, "terminator"
    )
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
                if cursor.fetchone()[0] == 0:
                    return
                time.sleep(0.05)
        raise AssertionError(f"backend {pid} still there after 30 s")
    finally:
        other.close()


@contextmanager
def connection_dropped_before(marker: str) -> Iterator[list[str]]:
    """The first query containing `marker` runs on a connection the server closed; the
    broken connection is closed at the end (the next query opens a new one)."""
    seen: list[str] = []

    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        if marker in sql and not seen:
            seen.append(sql)
            terminate_own_backend()
        return execute(sql, params, many, context)

    try:
        with connection.execute_wrapper(wrapper):
            yield seen
    finally:
        connection.close()


def assert_unavailable(response: Any, dropped: list[str]) -> None:
    """503 in the API's error format, with the retry advice."""
    assert dropped, "the answer never read the ticket's attachments"
    assert response.status_code == 503, response.content
    assert response["Retry-After"] == "30"
    body = response.json()
    assert body["code"] == "unavailable" and body["fields"] == {}


@pytest.fixture
def client(alice: User) -> Client:
    """A client that answers as a server does (no exception raised into the test)."""
    if connection.vendor != "postgresql":
        pytest.skip("closing the server side of a connection is a PostgreSQL thing")
    return Client(raise_request_exception=False)


@pytest.mark.django_db(transaction=True)
def test_the_connection_dropping_while_a_retried_filing_is_answered_is_503(
    client: Client, alice: User
) -> None:
    raw = token_for(alice)
    headers: dict[str, Any] = {
        "HTTP_AUTHORIZATION": f"Bearer {raw}",
        "HTTP_IDEMPOTENCY_KEY": "putus-1",
    }
    # Given a ticket filed with a key: its answer is built from the rows just written,
    # so nothing is read once it is filed (issue 19)
    with connection_dropped_before(INITIAL_ATTACHMENTS) as dropped:
        first = client.post(API + "/tickets", ticket_form(alice), **headers)
    assert first.status_code == 201, first.content
    assert dropped == []
    # When the connection drops while a retry with the same key is answered (the retry
    # reads the filed ticket)
    with connection_dropped_before(INITIAL_ATTACHMENTS) as dropped:
        response = client.post(API + "/tickets", ticket_form(alice), **headers)
    # Then the client is told to come back later, in the API's error format
    assert_unavailable(response, dropped)
    # And the next retry (on a new connection) answers the filed ticket
    again = client.post(API + "/tickets", ticket_form(alice), **headers)
    assert again.status_code == 200, again.content
    assert again.json()["number"] == first.json()["number"]
    assert [first.json()["number"]] == list(Ticket.objects.values_list("number", flat=True))


@pytest.mark.django_db(transaction=True)
def test_the_connection_dropping_while_a_ticket_is_read_is_503(client: Client, alice: User) -> None:
    raw = token_for(alice)
    filed = client.post(
        API + "/tickets", ticket_form(alice), HTTP_AUTHORIZATION=f"Bearer {raw}"
    ).json()
    with connection_dropped_before(INITIAL_ATTACHMENTS) as dropped:
        response = client.get(
            f"{API}/tickets/{filed['number']}", HTTP_AUTHORIZATION=f"Bearer {raw}"
        )
    assert_unavailable(response, dropped)
