"""The app's half of X-Accel-Redirect downloads (`ATTACHMENT_X_ACCEL_PREFIX`): what it
answers, for which storage, and what it refuses. nginx's half, with real processes, is
tests/test_xaccel_downloads.py."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils.http import content_disposition_header
from pytest_django.fixtures import Settings

from accounts.models import User
from api.tests.test_api_access import api_get, token_for
from tickets.models import Attachment, Ticket
from tickets.tests import samples
from tickets.tests.factories import make_ticket

PREFIX = "/_lampiran"


@pytest.fixture
def accel(settings: Settings) -> None:
    settings.ATTACHMENT_X_ACCEL_PREFIX = PREFIX


def _ticket(alice: User) -> Ticket:
    return make_ticket(alice, files={"Bukti Unggah.png": samples.PNG})


def _download(client: Client, ticket: Ticket) -> Any:
    return client.get(reverse("portal:attachment_download", args=[ticket.number, 1]))


def test_a_permitted_download_is_headers_only_with_the_internal_path(
    client, alice: User, accel: None
) -> None:
    ticket = _ticket(alice)
    attachment = ticket.attachments.get()
    client.force_login(alice)

    response = _download(client, ticket)

    assert response.status_code == 200
    assert not response.streaming and response.content == b""
    assert response["X-Accel-Redirect"] == f"{PREFIX}/{attachment.file.name}"
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == content_disposition_header(
        as_attachment=True, filename=f"{ticket.number}_01_bukti-unggah.png"
    )


def test_the_api_answers_the_same_way(client, alice: User, accel: None) -> None:
    ticket = _ticket(alice)
    attachment = ticket.attachments.get()

    response = api_get(client, token_for(alice), f"/tickets/{ticket.number}/attachments/1")

    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"{PREFIX}/{attachment.file.name}"


def test_the_stored_name_is_percent_encoded(client, alice: User, accel: None) -> None:
    ticket = _ticket(alice)
    odd = "lampiran/lama/Berkas uji ü ?#%;.png"
    stored = default_storage.save(odd, ContentFile(samples.PNG))
    Attachment.objects.filter(ticket=ticket).update(file=stored)
    client.force_login(alice)

    response = _download(client, ticket)

    assert response["X-Accel-Redirect"].startswith(
        f"{PREFIX}/lampiran/lama/Berkas%20uji%20%C3%BC%20%3F%23%25%3B"
    )
    assert response["X-Accel-Redirect"].isascii() and " " not in response["X-Accel-Redirect"]


def test_a_name_that_leaves_the_storage_folder_is_refused(
    client, alice: User, accel: None, tmp_path: Path
) -> None:
    ticket = _ticket(alice)
    client.force_login(alice)
    # A name with .. (the storage refuses it), and a symbolic link inside the folder that
    # points outside it
    outside = tmp_path / "rahasia.png"
    outside.write_bytes(samples.PNG)
    Path(default_storage.path("tautan.png")).symlink_to(outside)
    for name in ("../rahasia.png", "tautan.png", "/etc/passwd"):
        Attachment.objects.filter(ticket=ticket).update(file=name)

        response = _download(client, ticket)

        assert response.status_code == 400, name
        assert "X-Accel-Redirect" not in response


def test_a_missing_file_is_the_same_503_as_when_the_app_streams(
    client, alice: User, settings: Settings
) -> None:
    ticket = _ticket(alice)
    default_storage.delete(ticket.attachments.get().file.name)
    client.force_login(alice)

    streamed = _download(client, ticket)
    settings.ATTACHMENT_X_ACCEL_PREFIX = PREFIX
    accelerated = _download(client, ticket)

    assert streamed.status_code == accelerated.status_code == 503
    assert "X-Accel-Redirect" not in accelerated
    assert "penyimpanan berkas sedang tidak dapat" in accelerated.content.decode()


def test_not_yours_is_the_same_404_and_no_header(
    client, alice: User, carol: User, accel: None
) -> None:
    ticket = _ticket(alice)
    client.force_login(carol)

    response = _download(client, ticket)
    unknown = client.get(reverse("portal:attachment_download", args=["SPSE-20000101-99999", 1]))

    assert response.status_code == unknown.status_code == 404
    assert "X-Accel-Redirect" not in response


def test_storage_that_is_not_a_local_folder_is_streamed(
    client, alice: User, accel: None, settings: Settings
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    ticket = _ticket(alice)
    client.force_login(alice)

    response = _download(client, ticket)

    assert response.streaming and b"".join(response.streaming_content) == samples.PNG
    assert "X-Accel-Redirect" not in response


def test_the_zip_is_always_streamed(client, alice: User, accel: None) -> None:
    ticket = _ticket(alice)
    client.force_login(alice)

    response = client.get(reverse("portal:attachments_zip", args=[ticket.number]))

    assert response.streaming and "X-Accel-Redirect" not in response


def test_without_the_setting_nothing_changes(client, alice: User) -> None:
    assert django_settings.ATTACHMENT_X_ACCEL_PREFIX == ""
    ticket = _ticket(alice)
    client.force_login(alice)

    response = _download(client, ticket)

    assert response.streaming and b"".join(response.streaming_content) == samples.PNG
    assert response["Content-Length"] == str(len(samples.PNG))
    assert "X-Accel-Redirect" not in response


@pytest.mark.parametrize("prefix", ["lampiran", "/a b", "/x?y", "/../etc", "/%2e", "/a/./b"])
def test_a_malformed_prefix_stops_the_start(prefix: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import lpse_support.settings"],
        env={**os.environ, "ATTACHMENT_X_ACCEL_PREFIX": prefix},
        capture_output=True,
        text=True,
        check=False,
        cwd=django_settings.BASE_DIR,
    )
    assert result.returncode != 0
    assert "ATTACHMENT_X_ACCEL_PREFIX" in result.stderr
