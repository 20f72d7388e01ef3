"""LOG_FORMAT=json (issue 16): every log line is one JSON object with the time, level,
logger, message, the request id and the fields the code passes along; the id follows the
request into its call to a source and into the tasks it enqueued."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from accounts.models import User
from integrations.tests.test_http import closed_port_url
from testsupport.processes import run_app_script
from tickets.tests.test_ticket_create import form_data  # noqa: F401 (a fixture)

ROOT = Path(settings.BASE_DIR)
REQUEST_ID = "req-json-logs-0001"

# A process of the app with LOG_FORMAT=json: the reporter files a ticket under the
# proxy's request id while the Data Warehouse is down, then a worker runs what the filing
# enqueued (mail delivery, the code re-check).
APP_PROCESS = """
import json
from django.core.management import call_command
from django.test import Client
from accounts.models import User
from integrations.tests.test_http import closed_port_url
from testsupport.processes import run_app_script
client = Client()
client.force_login(User.objects.get(pk=int(sys.argv[2])))
form, request_id = json.loads(sys.argv[3]), sys.argv[4]
response = client.post("/tiket/buat/", form, headers={"X-Request-ID": request_id})
assert response.status_code == 302, response.status_code
call_command(
    "db_worker", batch=True, startup_delay=False, reload=False, interval=0,
    queue_name="*", worker_id="json-logs", verbosity=1,
)
"""


@pytest.mark.django_db(transaction=True)
def test_json_log_lines_carry_the_request_id_into_calls_and_tasks(
    alice: User, request: pytest.FixtureRequest
) -> None:
    # Given the app with LOG_FORMAT=json, its sources and mail server not answering
    dead = closed_port_url()
    env = {
        **os.environ,
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        "INTEGRATION_DW_URL": dead,
        "INTEGRATION_KATALOG_URL": dead,
        "INTEGRATION_SIRUP_URL": dead,
        "INTEGRATION_RETRIES": "0",
        "EMAIL_PORT": closed_port_url().rsplit(":", 1)[1],
    }
    form = {**request.getfixturevalue("form_data"), "submission_key": "json-logs-1"}
    # When a ticket is filed under the proxy's request id and a worker runs its tasks
    result = run_app_script(
        APP_PROCESS,
        str(alice.pk),
        json.dumps({key: str(value) for key, value in form.items()}),
        REQUEST_ID,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    # Then every log line is one JSON object with the named fields
    lines: list[dict[str, Any]] = [json.loads(line) for line in result.stderr.splitlines()]
    assert lines
    for line in lines:
        assert {"time", "level", "logger", "message", "request_id"} <= line.keys(), line
    ours = [line for line in lines if line["request_id"] == REQUEST_ID]
    # And the call to the Data Warehouse during the request, with its structured fields
    calls = [line for line in ours if line["logger"] == "integrations.http"]
    assert len(calls) >= 2, lines  # at filing, and again from the background re-check
    assert all(call["source"] == "dw" and call["outcome"] == "down" for call in calls)
    assert all({"path", "status", "duration_ms", "attempt"} <= call.keys() for call in calls)
    # And the worker's lines for the tasks the request enqueued
    assert any(line["logger"] == "notifications.mail" for line in ours), lines
    # (the worker's own lines around a task are outside it: no request id there)
    assert any(line["logger"] == "django_tasks" for line in lines), lines


def test_plain_stays_the_default() -> None:
    logging_config: dict[str, Any] = settings.LOGGING
    assert settings.LOG_FORMAT == "plain"
    assert logging_config["handlers"]["console"]["formatter"] == "plain"


@pytest.mark.parametrize("value", ["xml", "JSONL", "1"])
def test_an_unknown_log_format_stops_the_start(value: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "lpse_support.settings",
            "LOG_FORMAT": value,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "LOG_FORMAT must be 'plain' or 'json'" in result.stderr
