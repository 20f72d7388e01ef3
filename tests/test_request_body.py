"""How much of a request body is read, and when (lpse_support/middleware.py).

Nothing is written to disk for a request that is not authenticated; the sign-in forms
take only small url-encoded bodies; a signed-in upload stops at the first byte past the
limits and answers 413 with no temporary file left.
"""

import os
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadhandler import FileUploadHandler, TemporaryFileUploadHandler
from django.test import Client, RequestFactory
from django.urls import reverse
from pytest_django.fixtures import Settings as SettingsWrapper

from accounts.models import User
from accounts.tokens import api_token_create
from lpse_support.uploads import UploadLimitHandler, UploadTooLarge
from tickets.models import Attachment, Ticket
from tickets.tests import samples
from tickets.tests.factories import make_ticket

SEEN: list[tuple[str, int]] = []


class SpyHandler(FileUploadHandler):
    """Records every file part and byte that reaches the storing handlers."""

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        SEEN.append((file_name, 0))

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        name, count = SEEN[-1]
        SEEN[-1] = (name, count + len(raw_data))
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


@pytest.fixture
def temp_dir(settings: SettingsWrapper, tmp_path: Path) -> Path:
    """Uploads go to their own folder, always to disk, past the spy."""
    SEEN.clear()
    folder = tmp_path / "upload-tmp"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    settings.FILE_UPLOAD_HANDLERS = [
        "tests.test_request_body.SpyHandler",
        "django.core.files.uploadhandler.TemporaryFileUploadHandler",
    ]
    return folder


def _file(name: str, size: int) -> Any:
    return samples.upload(name, b"%PDF-1.4\n" + b"x" * (size - 9))


ANONYMOUS_TARGETS = [
    "/tiket/buat/",
    "/konsol/",
    "/tidak-ada-halaman-ini/",
    "/api/v1/tickets",
    "/notifikasi/",
]


@pytest.mark.parametrize("path", ANONYMOUS_TARGETS)
def test_an_anonymous_upload_never_reaches_a_file_handler(
    client: Client, temp_dir: Path, reference: None, path: str
) -> None:
    # Given nobody signed in, posting a small form with a file to any URL
    response = client.post(path, {"title": "x", "files": _file("bukti.pdf", 10_000)})
    # Then no file part reached a handler that writes, and nothing is on disk
    assert SEEN == []
    assert list(temp_dir.iterdir()) == []
    assert response.status_code in (302, 401, 403, 404, 405)


@pytest.mark.parametrize("path", ["/tiket/buat/", "/konsol/", "/tidak-ada/"])
def test_a_large_anonymous_body_is_refused_unread(
    client: Client, temp_dir: Path, reference: None, path: str
) -> None:
    response = client.post(path, {"files": _file("besar.pdf", 200_000)})
    assert response.status_code == 413
    assert "belum masuk" in response.content.decode()
    assert SEEN == []


def test_a_large_upload_with_a_bad_token_is_401_unread(
    client: Client, temp_dir: Path, reference: None
) -> None:
    response = client.post(
        "/api/v1/tickets",
        {"files": _file("besar.pdf", 200_000)},
        HTTP_AUTHORIZATION="Bearer lps_bukan_token",
    )
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert SEEN == []


@pytest.mark.parametrize("path", ["/masuk/", "/admin/login/", "/sso/spse/"])
def test_sign_in_endpoints_take_only_small_forms_without_files(
    client: Client, temp_dir: Path, agent: User, path: str
) -> None:
    # Given somebody signed in (sign-in forms never take files, from anybody)
    client.force_login(agent)
    # A file sent to a sign-in form never reaches a handler that writes
    client.post(path, {"username": "x", "files": _file("a.pdf", 1_000)})
    assert SEEN == []
    # A body of more than a few KB is refused before it is read
    big = client.post(
        path,
        "token=" + "a" * 20_000,
        content_type="application/x-www-form-urlencoded",
    )
    assert big.status_code == 413
    assert SEEN == []


def test_staff_still_sign_in_with_a_normal_form(
    client: Client, agent: User, settings: SettingsWrapper
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    agent.set_password("rahasia-123")
    agent.save()
    response = client.post("/masuk/", {"username": agent.username, "password": "rahasia-123"})
    assert response.status_code == 302
    assert client.get(reverse("console:queue")).status_code == 200


@pytest.fixture
def small_limits(settings: SettingsWrapper) -> None:
    settings.ATTACHMENT_MAX_BYTES = 100_000
    settings.ATTACHMENT_MAX_FILES = 3


def test_a_signed_in_upload_stops_at_the_first_byte_past_the_file_limit(
    client: Client, temp_dir: Path, small_limits: None, alice: User
) -> None:
    # Given alice, signed in, sending a 1 MB file while the limit is 100 KB
    client.force_login(alice)
    before = Ticket.objects.count()
    response = client.post(
        reverse("portal:ticket_create"),
        {"title": "Uji", "attachments": _file("besar.pdf", 1_000_000)},
    )
    # Then the answer is 413 with the reason, in Indonesian
    assert response.status_code == 413
    assert "melebihi batas" in response.content.decode()
    # and reading stopped within one chunk of the limit; nothing was kept
    assert len(SEEN) == 1
    assert SEEN[0][1] <= 100_000 + 64 * 1024
    assert list(temp_dir.iterdir()) == []
    assert Ticket.objects.count() == before


def test_a_signed_in_upload_stops_when_the_body_passes_all_files_together(
    client: Client, temp_dir: Path, small_limits: None, alice: User, settings: SettingsWrapper
) -> None:
    # Given limits where four files under the per-file limit pass the total
    settings.ATTACHMENT_MAX_FILES = 1
    client.force_login(alice)
    files = [_file(f"b{n}.pdf", 90_000) for n in range(14)]
    response = client.post(reverse("portal:ticket_create"), {"attachments": files})
    assert response.status_code == 413
    assert list(temp_dir.iterdir()) == []


def test_a_body_announced_larger_than_the_limits_is_refused_unread(
    client: Client, temp_dir: Path, small_limits: None, alice: User
) -> None:
    client.force_login(alice)
    response = client.post(
        reverse("portal:ticket_create"),
        {"attachments": _file("a.pdf", 1_000)},
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert SEEN == []


def test_an_api_upload_past_the_limit_is_413_in_the_api_format(
    client: Client, temp_dir: Path, small_limits: None, alice: User
) -> None:
    raw = api_token_create(user=alice, name="uji")[1]
    response = client.post(
        "/api/v1/tickets",
        {"title": "Uji", "files": _file("besar.pdf", 500_000)},
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert list(temp_dir.iterdir()) == []


def test_an_upload_within_the_limits_still_goes_through(
    client: Client, temp_dir: Path, small_limits: None, alice: User, agent: User
) -> None:
    # Given a ticket of alice's waiting for her feedback
    from tickets import services

    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    ticket = services.ticket_request_feedback(ticket=ticket, actor=agent, body="Kirim bukti.")
    client.force_login(alice)
    response = client.post(
        reverse("portal:ticket_feedback", args=[ticket.number]),
        {
            "body": "Ini buktinya.",
            "revision": ticket.revision,
            "attachments": _file("b.pdf", 90_000),
        },
    )
    assert response.status_code == 302, response.content[:300]
    assert Attachment.objects.filter(ticket=ticket).count() == 1
    assert SEEN and SEEN[0][1] == 90_000


def test_a_form_body_sent_to_a_json_endpoint_is_400_not_500(
    client: Client, alice: User, agent: User
) -> None:
    ticket = make_ticket(alice)
    raw = api_token_create(user=agent, name="uji")[1]
    response = client.post(
        f"/api/v1/tickets/{ticket.number}/take",
        {"revision": "1"},
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_the_limit_handler_removes_the_file_being_written(
    tmp_path: Path, settings: SettingsWrapper
) -> None:
    # Given the limit handler in front of Django's temporary-file handler
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    request = RequestFactory().post("/")
    storing = TemporaryFileUploadHandler(request)
    limit = UploadLimitHandler(request, max_bytes=1000, max_total=10_000)
    request.upload_handlers = [limit, storing]
    for handler in request.upload_handlers:
        handler.new_file("files", "a.pdf", "application/pdf", None)
    path = storing.file.temporary_file_path()
    passed = limit.receive_data_chunk(b"x" * 800, 0)
    assert passed is not None
    storing.receive_data_chunk(passed, 0)
    assert os.path.exists(path)
    # When the next chunk passes the limit
    with pytest.raises(UploadTooLarge) as raised:
        limit.receive_data_chunk(b"x" * 800, 800)
    # Then the file being written is gone at once
    assert raised.value.per_file
    assert not os.path.exists(path)
