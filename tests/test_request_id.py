"""Request ids (issue 16): one id per request, in the answer, its log lines and its calls
to the sources."""

import logging
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import User
from integrations.http import get_json, reset_state, source_config
from integrations.tests.test_clients import point_all_sources_at
from integrations.tests.test_http import local_server
from lib.requestid import HEADER, RequestIdFilter, request_id, request_id_bound
from testsupport.smtp import SmtpSink, run_mail_worker
from tickets import services
from tickets.tests.factories import make_ticket

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.mark.django_db
def test_every_answer_carries_a_new_id(client: Client) -> None:
    first = client.get("/healthz")[HEADER]
    second = client.get("/")[HEADER]
    assert GENERATED.fullmatch(first) and GENERATED.fullmatch(second)
    assert first != second
    assert request_id() == ""  # nothing leaks out of the request


@pytest.mark.django_db
@pytest.mark.parametrize("incoming", ["0f4c2a9e8b7d6c5b4a3f2e1d0c9b8a7f", "lb-01:7d1c0e1a-2b3c"])
def test_the_proxys_well_formed_id_is_kept(client: Client, incoming: str) -> None:
    assert client.get("/healthz", headers={HEADER: incoming})[HEADER] == incoming


@pytest.mark.django_db
@pytest.mark.parametrize(
    "incoming",
    ["short", "x" * 65, "abc def ghi", "abcdefgh\r\nSet-Cookie: x=1", "abcdefgh<script>"],
)
def test_an_odd_id_is_replaced_by_a_new_one(client: Client, incoming: str) -> None:
    assert GENERATED.fullmatch(client.get("/healthz", headers={HEADER: incoming})[HEADER])


def test_log_lines_carry_the_id() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    with request_id_bound("req-12345678"):
        assert RequestIdFilter().filter(record)
        assert getattr(record, "request_id", None) == "req-12345678"
    RequestIdFilter().filter(record)
    assert getattr(record, "request_id", None) == "-"
    logging_config: dict[str, Any] = settings.LOGGING
    console = logging_config["handlers"]["console"]
    assert "request_id" in console["filters"]
    assert "%(request_id)s" in logging_config["formatters"][console["formatter"]]["format"]


def test_calls_to_a_source_carry_the_id(settings) -> None:
    reset_state()
    with local_server() as server:
        point_all_sources_at(settings, server.url)
        with request_id_bound("req-abcdef12"):
            get_json(source_config("dw"), "/ok/1")
        get_json(source_config("dw"), "/ok/2")  # outside a request: no id is made up
    reset_state()
    assert server.headers[0][HEADER] == "req-abcdef12"
    assert HEADER not in server.headers[1]


@pytest.mark.django_db(transaction=True)
def test_a_requests_background_tasks_run_under_its_id(
    client: Client, alice: User, agent: User, smtp_sink: SmtpSink, caplog: pytest.LogCaptureFixture
) -> None:
    # Given an agent who replies to alice on the console, under the proxy's request id
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    run_mail_worker()
    client.force_login(agent)
    response = client.post(
        reverse("console:ticket_action", args=[ticket.number, "reply"]),
        {"revision": ticket.revision, "body": "Silakan coba lagi."},
        headers={HEADER: "req-reply-0001"},
    )
    assert response[HEADER] == "req-reply-0001"
    # When the worker delivers alice's mail later, outside the request
    caplog.handler.addFilter(RequestIdFilter())
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="notifications.mail"):
        run_mail_worker()
    # Then its log line carries the request's id
    [sent] = [r for r in caplog.records if r.name == "notifications.mail" and "sent" in r.msg]
    assert getattr(sent, "request_id", None) == "req-reply-0001"
    assert smtp_sink.to(alice.email)
