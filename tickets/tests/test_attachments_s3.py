"""Attachments on S3-compatible object storage (issue 16): every flow against a real
`moto_server` over HTTP, the same behaviour as the local folder, and an outage that
answers with a message instead of a 500."""

import hashlib
import io
import logging
import os
import tracemalloc
import zipfile
from collections.abc import Iterator

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.db import DatabaseError
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from accounts.models import User
from api.tests.test_api_access import api_form, api_get, assert_error, ticket_form, token_for
from lpse_support.storage import AttachmentS3Storage
from testsupport.s3 import S3Bucket
from tickets import services
from tickets.attachments import attachment_check, attachment_store, stored_files_delete
from tickets.models import Attachment, Message, Ticket
from tickets.tests import samples
from tickets.tests.factories import make_draft, make_ticket

MB = 1024 * 1024


@pytest.fixture
def form_data(alice: User) -> dict:
    """A complete Buat Tiket form (the API's fields, and the page's one-time key)."""
    return {**ticket_form(alice), "submission_key": "s3-uji"}


def _reply_with_a_file(client: Client, ticket: Ticket) -> HttpResponse:
    """The console's reply form, sent with one PDF."""
    return client.post(  # type: ignore[return-value]
        reverse("console:ticket_action", args=[ticket.number, "reply"]),
        {
            "revision": ticket.revision,
            "body": "Silakan ikuti panduan terlampir.",
            "attachments": [samples.upload("panduan.pdf", samples.PDF)],
        },
    )


# --- Uploads, downloads and the zip on S3 ---------------------------------------------------


def test_buat_tiket_stores_the_files_in_the_bucket_with_their_sha256(
    client: Client, alice: User, form_data: dict, s3_bucket: S3Bucket
) -> None:
    # Given alice signed in, with the attachments going to the bucket
    client.force_login(alice)
    assert isinstance(storages["default"], AttachmentS3Storage)
    # When she files a ticket with two files on Buat Tiket
    form_data["attachments"] = [
        samples.upload("Bukti Unggah.png", samples.PNG),
        samples.upload("surat.pdf", samples.PDF),
    ]
    response = client.post(reverse("portal:ticket_create"), form_data)
    assert response.status_code == 302
    # Then each row names an object in the bucket whose bytes hash to the recorded SHA-256
    ticket = Ticket.objects.get()
    rows = list(ticket.attachments.all())
    assert s3_bucket.keys() == sorted(row.file.name for row in rows)
    for row, content in zip(rows, [samples.PNG, samples.PDF], strict=True):
        stored = s3_bucket.read(row.file.name)
        assert stored == content
        assert row.sha256 == hashlib.sha256(stored).hexdigest()
        assert row.file.name.startswith("lampiran/") and f"/{ticket.number}/" in row.file.name
    # And no object is readable by anybody but the owner (no ACL was set)
    grants = s3_bucket.server.client().get_object_acl(Bucket=s3_bucket.name, Key=rows[0].file.name)
    assert [grant["Permission"] for grant in grants["Grants"]] == ["FULL_CONTROL"]


def test_a_reply_with_a_file_goes_to_the_bucket(
    client: Client, alice: User, agent: User, s3_bucket: S3Bucket
) -> None:
    # Given a ticket taken by the agent
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    client.force_login(agent)
    # When the agent replies with a file from the console
    response = _reply_with_a_file(client, ticket)
    assert response.status_code == 302
    # Then the file is in the bucket, tied to the reply
    attachment = Attachment.objects.get()
    assert attachment.message is not None and attachment.message.kind == "reply"
    assert s3_bucket.keys() == [attachment.file.name]
    assert s3_bucket.read(attachment.file.name) == samples.PDF


def test_the_api_upload_stores_in_the_bucket_and_downloads_from_it(
    client: Client, alice: User, s3_bucket: S3Bucket
) -> None:
    # Given a ticket filed through the API with a file
    token = token_for(alice)
    form = {**ticket_form(alice), "files": [samples.upload("bukti.png", samples.PNG)]}
    response = api_form(client, token, "/tickets", form, HTTP_IDEMPOTENCY_KEY="s3")
    assert response.status_code == 201, response.content
    number = response.json()["number"]
    # Then the object is in the bucket
    (key,) = s3_bucket.keys()
    assert s3_bucket.read(key) == samples.PNG
    # And the API gives it back, whole, and in the zip
    download = api_get(client, token, f"/tickets/{number}/attachments/1")
    assert b"".join(download.streaming_content) == samples.PNG
    assert download["Content-Length"] == str(len(samples.PNG))
    archive = api_get(client, token, f"/tickets/{number}/attachments.zip")
    names = zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))).namelist()
    assert names == [f"{number}_01_bukti.png"]


def test_single_download_and_zip_stream_from_the_bucket(
    client: Client, alice: User, s3_bucket: S3Bucket
) -> None:
    # Given a ticket with two files in the bucket
    ticket = make_ticket(alice, files={"layar.jpg": samples.JPEG, "surat.pdf": samples.PDF})
    client.force_login(alice)
    # When alice downloads one file
    response = client.get(reverse("portal:attachment_download", args=[ticket.number, 2]))
    # Then it comes whole, with its length, type and download name
    assert b"".join(response.streaming_content) == samples.PDF  # type: ignore[attr-defined]
    assert response["Content-Length"] == str(len(samples.PDF))
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{ticket.number}_02_surat.pdf"' in response["Content-Disposition"]
    # And "Download semua lampiran" holds both under their names
    response = client.get(reverse("portal:attachments_zip", args=[ticket.number]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    assert archive.namelist() == [f"{ticket.number}_01_layar.jpg", f"{ticket.number}_02_surat.pdf"]
    assert archive.read(f"{ticket.number}_01_layar.jpg") == samples.JPEG


def test_another_reporter_cannot_download_from_the_bucket(
    client: Client, alice: User, bob: User, s3_bucket: S3Bucket
) -> None:
    ticket = make_ticket(alice, files={"bukti.png": samples.PNG})
    client.force_login(bob)
    one = client.get(reverse("portal:attachment_download", args=[ticket.number, 1]))
    every = client.get(reverse("portal:attachments_zip", args=[ticket.number]))
    assert one.status_code == every.status_code == 404


def test_the_storage_never_gives_a_url_of_its_own(s3_bucket: S3Bucket, alice: User) -> None:
    # Downloads stay behind the access checks: no direct or pre-signed link exists.
    ticket = make_ticket(alice, files={"bukti.png": samples.PNG})
    with pytest.raises(NotImplementedError):
        ticket.attachments.get().file.url  # noqa: B018


# --- No orphans: the same on S3 as in the local folder --------------------------------------


@pytest.fixture(params=["local", "s3"])
def storage_keys(request: pytest.FixtureRequest, media_storage: str) -> Iterator:
    """What the attachment storage holds, for the local folder and for a bucket."""
    if request.param == "local":
        yield lambda: sorted(
            os.path.relpath(os.path.join(root, name), media_storage)
            for root, _dirs, names in os.walk(media_storage)
            for name in names
        )
    else:
        bucket = request.getfixturevalue("s3_bucket")
        yield bucket.keys


def _fail_late_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the database part of a change fail after its files and its first rows were
    written (a new ticket's report fact, a message's search words)."""

    def fail(*args: object, **kwargs: object) -> None:
        raise DatabaseError("the database went away half way")

    monkeypatch.setattr(services, "ticket_fact_write_new", fail)
    monkeypatch.setattr(services, "search_add_message", fail)


def test_a_create_that_fails_half_way_leaves_no_file(
    alice: User, storage_keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the database failing after the two files were written
    _fail_late_writes(monkeypatch)
    # When a ticket with two files is filed
    with pytest.raises(DatabaseError):
        make_ticket(alice, files={"bukti.png": samples.PNG, "surat.pdf": samples.PDF})
    # Then neither a row nor a file is left
    assert not Ticket.objects.exists() and not Attachment.objects.exists()
    assert storage_keys() == []


def test_a_reply_that_fails_half_way_leaves_no_file(
    alice: User, agent: User, storage_keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    _fail_late_writes(monkeypatch)
    reply = attachment_check(samples.upload("panduan.pdf", samples.PDF))
    with pytest.raises(DatabaseError):
        services.ticket_reply(ticket=ticket, actor=agent, body="Terlampir.", files=[reply])
    assert not Attachment.objects.exists()
    assert storage_keys() == []


# --- The storage is down --------------------------------------------------------------------


def test_buat_tiket_with_the_storage_down_says_so_and_files_nothing(
    client: Client, alice: User, form_data: dict, s3_outage: S3Bucket
) -> None:
    # Given the object store stopped
    client.force_login(alice)
    s3_outage.stop()
    # When alice files a ticket with a file
    form_data["attachments"] = [samples.upload("bukti.png", samples.PNG)]
    response = client.post(reverse("portal:ticket_create"), form_data)
    # Then the form comes back with a clear message, and nothing was filed
    assert response.status_code == 503
    body = response.content.decode()
    assert "Tiket belum tersimpan" in body
    assert "penyimpanan berkas sedang tidak dapat dihubungi" in body
    assert not Ticket.objects.exists() and not Attachment.objects.exists()
    # And over htmx only the message is swapped in (typed text and chosen files stay)
    form_data["attachments"] = [samples.upload("bukti.png", samples.PNG)]
    response = client.post(
        reverse("portal:ticket_create"), form_data, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "penyimpanan berkas sedang tidak dapat dihubungi" in response.content.decode()
    # And once the store is back, the same form files the ticket
    s3_outage.start()
    form_data["attachments"] = [samples.upload("bukti.png", samples.PNG)]
    assert client.post(reverse("portal:ticket_create"), form_data).status_code == 302
    assert s3_outage.keys() == [Attachment.objects.get().file.name]


def test_a_ticket_without_files_is_filed_while_the_storage_is_down(
    client: Client, alice: User, form_data: dict, s3_outage: S3Bucket
) -> None:
    client.force_login(alice)
    s3_outage.stop()
    assert client.post(reverse("portal:ticket_create"), form_data).status_code == 302
    assert Ticket.objects.count() == 1


def test_a_reply_with_the_storage_down_is_refused_with_a_message(
    client: Client, alice: User, agent: User, s3_outage: S3Bucket
) -> None:
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    messages_before = Message.objects.count()
    client.force_login(agent)
    s3_outage.stop()
    response = _reply_with_a_file(client, ticket)
    assert response.status_code == 503
    assert "penyimpanan berkas sedang tidak dapat dihubungi" in response.content.decode()
    assert Message.objects.count() == messages_before
    assert not Attachment.objects.exists()
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"


def test_feedback_with_a_file_over_htmx_explains_the_outage_in_place(
    client: Client, alice: User, agent: User, s3_outage: S3Bucket
) -> None:
    # Given a ticket waiting for alice's feedback, and the store stopped
    ticket = services.ticket_take(ticket=make_ticket(alice), actor=agent)
    ticket = services.ticket_request_feedback(ticket=ticket, actor=agent, body="Kirim bukti.")
    client.force_login(alice)
    s3_outage.stop()
    # When she sends her feedback with a file from the page (htmx)
    response = client.post(
        reverse("portal:ticket_feedback", args=[ticket.number]),
        {
            "revision": ticket.revision,
            "body": "Terlampir tangkapan layar.",
            "attachments": [samples.upload("bukti.png", samples.PNG)],
        },
        headers={"HX-Request": "true"},
    )
    # Then the explanation replaces the page content (app.js swaps a retargeted 503)
    assert response.status_code == 503
    assert response["HX-Retarget"] == "#konten"
    body = response.content.decode()
    assert "Penyimpanan berkas sedang bermasalah" in body
    assert "Tidak ada perubahan yang disimpan." in body
    # And nothing changed
    ticket.refresh_from_db()
    assert ticket.status == "awaiting_feedback"
    assert not ticket.messages.filter(kind="feedback").exists()
    assert not Attachment.objects.exists()


def test_the_api_answers_503_when_the_storage_is_down(
    client: Client, alice: User, s3_outage: S3Bucket
) -> None:
    token = token_for(alice)
    s3_outage.stop()
    form = {**ticket_form(alice), "files": [samples.upload("bukti.png", samples.PNG)]}
    response = api_form(client, token, "/tickets", form, HTTP_IDEMPOTENCY_KEY="down")
    body = assert_error(response, 503)
    assert body["code"] == "unavailable"
    assert "penyimpanan berkas" in body["message"]
    assert not Ticket.objects.exists()


def test_downloads_with_the_storage_down_answer_an_error_page(
    client: Client, alice: User, s3_outage: S3Bucket
) -> None:
    # Given a ticket whose file is in the store, and then the store stopped
    ticket = make_ticket(alice, files={"bukti.png": samples.PNG})
    client.force_login(alice)
    s3_outage.stop()
    # Then the single download and the zip answer a page that says why, not a 500
    downloads: list[tuple[str, list[object]]] = [
        ("portal:attachment_download", [ticket.number, 1]),
        ("portal:attachments_zip", [ticket.number]),
    ]
    for name, args in downloads:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 503, name
        body = response.content.decode()
        assert "Penyimpanan berkas sedang bermasalah" in body
        assert "Lampiran tidak dapat diunduh" in body
        assert "Traceback" not in body
    # And the API answers its error format
    api = api_get(client, token_for(alice), f"/tickets/{ticket.number}/attachments/1")
    assert assert_error(api, 503)["code"] == "unavailable"


def test_a_clean_up_that_cannot_reach_the_storage_logs_the_orphan(
    alice: User, s3_outage: S3Bucket, caplog: pytest.LogCaptureFixture
) -> None:
    checked = attachment_check(samples.upload("bukti.png", samples.PNG))
    name = attachment_store(ticket_number="SPSE-20261206-00001", sequence=1, checked=checked)
    s3_outage.stop()
    with caplog.at_level(logging.ERROR):
        stored_files_delete([name])  # never raises over the error being handled
    assert f"orphan attachment left in storage: {name}" in caplog.text


@pytest.mark.django_db
def test_readyz_reports_the_bucket_ok_and_then_degraded(
    client: Client, s3_outage: S3Bucket
) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["storage"] == {"status": "ok"}
    s3_outage.stop()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["storage"] == {"status": "degraded"}


@pytest.mark.django_db
def test_readyz_reports_a_missing_bucket_as_degraded(client: Client, s3_bucket: S3Bucket) -> None:
    s3_bucket.server.client().delete_bucket(Bucket=s3_bucket.name)
    assert client.get("/readyz").json()["checks"]["storage"] == {"status": "degraded"}


# --- Large files never held in memory -------------------------------------------------------

# A file well above boto3's multipart threshold, and a bound well below its size: a
# save or a zip that held the file (or several of its parts) would pass the bound.
# scripts/bench_storage.py measures the same at 50 MB and prints the numbers.
LARGE_BYTES = 20 * MB
HEAP_BOUND_BYTES = 8 * MB


@pytest.fixture
def large_upload(settings) -> Iterator[TemporaryUploadedFile]:
    """A PDF of LARGE_BYTES in Django's temporary upload file, as the parser leaves it."""
    upload = TemporaryUploadedFile("besar.pdf", "application/pdf", LARGE_BYTES, None)
    block = os.urandom(MB)
    upload.write(b"%PDF-1.4\n" + block[9:])
    for _ in range(LARGE_BYTES // MB - 1):
        upload.write(block)
    upload.flush()
    upload.seek(0)
    try:
        yield upload
    finally:
        upload.close()


def test_a_large_upload_and_its_zip_stream_without_holding_the_file(
    client: Client, alice: User, large_upload: TemporaryUploadedFile, s3_bucket: S3Bucket
) -> None:
    # Given a large file checked as the form checks it, and the storage's client made (a
    # process makes it once: parsing the S3 service model takes ~13 MB of heap by itself)
    checked = attachment_check(large_upload)
    storages["default"].exists("warm-up")
    # When a ticket is filed with it, under tracemalloc
    tracemalloc.start()
    try:
        ticket = services.ticket_create(reporter=alice, draft=make_draft(alice), files=[checked])
        _current, upload_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Then the Python heap never came near the file's size
    assert upload_peak < HEAP_BOUND_BYTES, upload_peak
    (key,) = s3_bucket.keys()
    assert s3_bucket.head(key)["ContentLength"] == LARGE_BYTES
    # When the zip of it is downloaded, chunk by chunk
    client.force_login(alice)
    digest = hashlib.sha256()
    tracemalloc.start()
    try:
        response = client.get(reverse("portal:attachments_zip", args=[ticket.number]))
        size = 0
        for chunk in response.streaming_content:  # type: ignore[attr-defined]
            size += len(chunk)
        _current, zip_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Then it streamed with the same bound, and held the whole file
    assert zip_peak < HEAP_BOUND_BYTES, zip_peak
    assert size > LARGE_BYTES
    # And the single download streams the same bytes that were hashed at upload
    response = client.get(reverse("portal:attachment_download", args=[ticket.number, 1]))
    for chunk in response.streaming_content:  # type: ignore[attr-defined]
        digest.update(chunk)
    assert digest.hexdigest() == checked.sha256 == ticket.attachments.get().sha256
