"""Request ids (issue 16): one id per request, in the answer, its log lines and its calls
to the sources."""

import logging
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from integrations.http import get_json, reset_state, source_config
from integrations.tests.test_clients import point_all_sources_at
from integrations.tests.test_http import local_server
from lib.requestid import HEADER, RequestIdFilter, request_id, request_id_bound

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
