"""The primary database is down: 503 with the Indonesian page (API: its JSON error
format) and Retry-After, never a 500 (issue 16)."""

import json
from pathlib import Path

import pytest
from django.db import DatabaseError, connection
from django.db.utils import load_backend

from lpse_support.unavailable import is_connection_failure
from tests.test_health import run_without_database

PROBE = """
import json, django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
host = "support.lpse.example.go.id"
client.cookies["lpsesupport_session"] = "x" * 32
answers = {}
for method, path, headers in [
    ("get", "/tiket/", {}),
    ("get", "/konsol/", {}),
    ("post", "/tiket/buat/", {}),
    ("get", "/api/v1/tickets", {"Authorization": "Bearer lpse_abcdefghijklmnopqrstuvwxyz"}),
]:
    response = getattr(client, method)(path, secure=True, headers={"host": host, **headers})
    answers[f"{method} {path}"] = {
        "status": response.status_code,
        "retry_after": response.get("Retry-After"),
        "type": response.get("Content-Type"),
        "body": response.content.decode(),
    }
print(json.dumps(answers))
"""


def test_every_page_answers_503_with_the_error_page_while_the_database_is_down(
    tmp_path: Path,
) -> None:
    # Given a production start whose database does not answer
    # When a signed-in person opens pages, files a ticket and calls the API
    answers, log = run_without_database(tmp_path, PROBE)
    # Then every answer is 503 with a retry hint: the page in Indonesian, the API in JSON
    for name, answer in answers.items():
        assert answer["status"] == 503, (name, answer)
        assert answer["retry_after"] == "30", name
    for name in ("get /tiket/", "get /konsol/", "post /tiket/buat/"):
        assert answers[name]["type"].startswith("text/html")
        assert "Layanan sedang tidak tersedia sementara" in answers[name]["body"]
        assert "coba lagi dalam 30 detik" in answers[name]["body"]
    api = answers["get /api/v1/tickets"]
    assert api["type"] == "application/json"
    body = json.loads(api["body"])
    assert body["code"] == "unavailable" and body["fields"] == {}
    assert "tidak tersedia" in body["message"]
    # And the failure is logged, not hidden
    assert "Service Unavailable" in log


@pytest.mark.django_db
def test_an_unreachable_server_is_a_connection_failure() -> None:
    # Given a real connection attempt to a port nothing listens on
    settings_dict = {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": 9}
    if connection.vendor != "postgresql":
        pytest.skip("a database server to fail to reach is a PostgreSQL thing")
    backend = load_backend(settings_dict["ENGINE"])
    unreachable = backend.DatabaseWrapper(settings_dict, "unreachable")
    with pytest.raises(DatabaseError) as failure:
        unreachable.ensure_connection()
    assert is_connection_failure(failure.value)


@pytest.mark.django_db
def test_a_query_that_fails_is_not_a_connection_failure() -> None:
    # Given the database answers but refuses or cancels the query
    if connection.vendor != "postgresql":
        pytest.skip("statement_timeout is PostgreSQL's")
    with pytest.raises(DatabaseError) as cancelled, connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 1; SELECT pg_sleep(5)")
    # Then it stays a server error (500), not "come back later"
    assert not is_connection_failure(cancelled.value)
    assert not is_connection_failure(ValueError("not a database error"))
