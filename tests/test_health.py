"""`/healthz` and `/readyz` (issue 16): each failing check, and what never fails them."""

import datetime
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage, storages
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from notifications.models import MailStatus, OutgoingMail
from tests.test_production_start import ROOT, production_environment
from tickets.tests.factories import make_ticket


def test_healthz_answers_without_the_database_over_http_with_any_host(
    client: Client, settings
) -> None:
    # (No django_db mark: any use of the database here would raise.)
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz", HTTP_HOST="10.20.30.40:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_is_ok_when_everything_is(client: Client) -> None:
    response = client.get("/readyz", HTTP_HOST="10.20.30.40")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok", "tasks": "ok", "mail": "ok", "cache": "ok", "storage": "ok",
        "replica": "ok",
    }  # fmt: skip


@pytest.fixture
def an_hour_later(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    def advance() -> None:
        later = timezone.now() + datetime.timedelta(hours=1)
        monkeypatch.setattr(timezone, "now", lambda: later)

    return advance


def _ready(client: Client) -> tuple[int, dict]:
    response = client.get("/readyz")
    return response.status_code, response.json()


@pytest.mark.django_db
def test_mail_an_hour_late_degrades_readiness_but_keeps_the_server_in(
    client: Client, alice: User, an_hour_later: Callable[[], None]
) -> None:
    # Given mails due an hour ago (the mail server is down) whose tasks already ran
    make_ticket(alice)
    DBTaskResult.objects.all().delete()
    an_hour_later()
    assert OutgoingMail.objects.filter(status=MailStatus.PENDING).exists()
    status, body = _ready(client)
    assert status == 200
    assert body["status"] == "degraded"
    assert body["checks"]["mail"]["status"] == "degraded"
    assert body["checks"]["mail"]["oldest_due_late_seconds"] >= 3600
    assert body["checks"]["tasks"]["status"] == "ok"


@pytest.mark.django_db
def test_tasks_an_hour_late_degrade_readiness(
    client: Client,
    alice: User,
    an_hour_later: Callable[[], None],
    django_capture_on_commit_callbacks,
) -> None:
    # Given tasks nobody ran for an hour (no worker), for mails already sent
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(alice)
    assert DBTaskResult.objects.exists()
    OutgoingMail.objects.update(status=MailStatus.SENT)
    an_hour_later()
    status, body = _ready(client)
    assert (status, body["status"]) == (200, "degraded")
    assert body["checks"]["tasks"]["status"] == "degraded"
    assert body["checks"]["mail"]["status"] == "ok"


@pytest.mark.django_db
def test_a_cache_that_keeps_nothing_degrades_readiness(client: Client, settings) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    status, body = _ready(client)
    assert (status, body["status"], body["checks"]["cache"]["status"]) == (
        200,
        "degraded",
        "degraded",
    )


@pytest.mark.django_db
def test_storage_that_cannot_take_files_degrades_readiness(
    client: Client, settings, tmp_path: Path
) -> None:
    # Given attachments stored under a path that is a file, not a folder
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocked / "media")},
        },
    }
    storage = storages["default"]
    assert isinstance(storage, FileSystemStorage) and storage.location == str(blocked / "media")
    status, body = _ready(client)
    assert (status, body["status"], body["checks"]["storage"]["status"]) == (
        200,
        "degraded",
        "degraded",
    )


def test_a_post_is_refused_without_reading_the_body(client: Client) -> None:
    for path in ("/healthz", "/readyz"):
        response = client.post(path, data=b"x" * 100_000, content_type="application/octet-stream")
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD"


PROBE = """
import json, django
django.setup()
from django.test import Client
client = Client()
answers = {}
for path in ("/healthz", "/readyz"):
    response = client.get(path, HTTP_HOST="10.20.30.40")
    answers[path] = [response.status_code, json.loads(response.content)]
print(json.dumps(answers))
"""


def run_without_database(tmp_path: Path, script: str) -> tuple[Any, str]:
    """Run `script` in a production start whose database does not answer (nothing
    listens on port 9); its last output line as JSON, and its log."""
    env = production_environment(tmp_path)
    env["DATABASE_URL"] = "postgres://lpse:secret@127.0.0.1:9/lpse_support"
    env["DJANGO_SETTINGS_MODULE"] = "lpse_support.settings"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stderr


def test_readyz_is_503_only_when_the_primary_database_cannot_be_reached(tmp_path: Path) -> None:
    # Given a production start whose database does not answer
    answers, _log = run_without_database(tmp_path, PROBE)
    # Then the process is alive, and not ready, saying why
    assert answers["/healthz"] == [200, {"status": "ok"}]
    assert answers["/readyz"] == [
        503, {"status": "unavailable", "checks": {"database": {"status": "down"}}},
    ]  # fmt: skip
