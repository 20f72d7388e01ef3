"""Storage keys with a unique part, the SHA-256 of each upload, and the one visible name
`<nomor>_<NN>_<nama>.<ext>` in lists, single downloads, the zip and the API (DESIGN §3)."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from accounts.models import User
from api.tests.test_api_access import api_get, token_for
from tickets import services
from tickets.attachments import attachment_check, attachment_store, stored_files_delete
from tickets.models import Attachment
from tickets.tests import samples
from tickets.tests.factories import make_ticket


@pytest.fixture
def overwriting_storage(settings: Settings, media_storage: str) -> str:
    """A storage that, like S3 (django-storages' default), silently replaces a file
    written under an existing key instead of picking a free name."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media_storage, "allow_overwrite": True},
        },
    }
    return media_storage


def test_two_tickets_with_same_named_files_get_different_storage_keys(
    alice: User, bob: User, overwriting_storage: str
) -> None:
    # Given two tickets that each upload "bukti.png"
    first = make_ticket(alice, files={"bukti.png": samples.PNG})
    second = make_ticket(bob, files={"bukti.png": samples.PNG + b"lain"})
    # Then their keys differ, each under its own ticket, and both files are intact
    one, two = first.attachments.get(), second.attachments.get()
    assert one.file.name != two.file.name
    assert f"/{first.number}/" in one.file.name and f"/{second.number}/" in two.file.name
    assert default_storage.open(one.file.name).read() == samples.PNG
    assert default_storage.open(two.file.name).read() == samples.PNG + b"lain"


def test_cleaning_up_a_duplicate_write_never_deletes_the_first_file(
    alice: User, overwriting_storage: str
) -> None:
    # Given the same file written twice for the same ticket and sequence, as two
    # concurrent submissions of one form do before one of them loses the race
    checked = attachment_check(samples.upload("bukti.png", samples.PNG))
    kept = attachment_store(ticket_number="SPSE-20261205-00001", sequence=1, checked=checked)
    duplicate = attachment_store(ticket_number="SPSE-20261205-00001", sequence=1, checked=checked)
    # When the loser cleans up what it wrote
    assert kept != duplicate
    stored_files_delete([duplicate])
    # Then the winner's file is still there, whole
    assert not default_storage.exists(duplicate)
    assert default_storage.open(kept).read() == samples.PNG


def test_the_sha256_of_each_upload_is_recorded(alice: User, agent: User) -> None:
    # Given a ticket filed with two files and a reply with a third
    ticket = make_ticket(alice, files={"bukti.png": samples.PNG, "surat.pdf": samples.PDF})
    ticket = services.ticket_take(ticket=ticket, actor=agent)
    reply = attachment_check(samples.upload("panduan.txt", b"Langkah 1: muat ulang."))
    services.ticket_reply(ticket=ticket, actor=agent, body="Silakan coba.", files=[reply])
    # Then every attachment row holds the SHA-256 of its content
    recorded = {a.original_name: a.sha256 for a in Attachment.objects.all()}
    assert recorded["bukti.png"] == hashlib.sha256(samples.PNG).hexdigest()
    assert recorded["surat.pdf"] == hashlib.sha256(samples.PDF).hexdigest()
    assert recorded["panduan.txt"] == hashlib.sha256(b"Langkah 1: muat ulang.").hexdigest()


def test_the_list_the_download_and_the_zip_use_the_naming_pattern(
    client: Client, alice: User, agent: User
) -> None:
    # Given a ticket with a file with spaces and capitals in its name
    ticket = make_ticket(alice, files={"Bukti Unggah (1).PNG": samples.PNG})
    expected = f"{ticket.number}_01_bukti-unggah-1.png"
    client.force_login(alice)
    # Then the reporter's page lists it under the pattern
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert expected in page
    # And the single download carries that name
    response = client.get(reverse("portal:attachment_download", args=[ticket.number, 1]))
    assert f'filename="{expected}"' in response["Content-Disposition"]
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert content == samples.PNG
    # And the zip holds it under that name
    response = client.get(reverse("portal:attachments_zip", args=[ticket.number]))
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert archive.namelist() == [expected]
    # And the console shows the same name to staff
    client.force_login(agent)
    console = client.get(reverse("console:ticket_detail", args=[ticket.number]))
    assert expected in console.content.decode()


def test_the_api_gives_the_download_name_next_to_the_original(client: Client, alice: User) -> None:
    # Given a ticket with one file, read through the API
    ticket = make_ticket(alice, files={"Surat Kuasa.pdf": samples.PDF})
    body = api_get(client, token_for(alice), f"/tickets/{ticket.number}").json()
    # Then the attachment has both names
    (attachment,) = body["attachments"]
    assert attachment["name"] == "Surat Kuasa.pdf"
    assert attachment["file_name"] == f"{ticket.number}_01_surat-kuasa.pdf"
