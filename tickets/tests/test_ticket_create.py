import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reference.models import Application, Category, TicketType
from tickets.models import Attachment, Ticket, TicketEvent
from tickets.tests import samples

URL = reverse("portal:ticket_create")


@pytest.fixture
def form_data(alice, lpse_119, spse, upload_category, problem_type):
    return {
        "notification_email": "notif.alice@example.go.id",
        "title": "Gagal upload dokumen penawaran",
        "lpse": lpse_119.pk,
        "application": spse.pk,
        "version": spse.versions.get(name="4.5").pk,
        "ticket_type": problem_type.pk,
        "category": upload_category.pk,
        "code": "9537119",
        "error_code": "SPSE-ERR-1001",
        "description": "Upload gagal terus sejak pagi.",
        "submission_key": "a1b2c3",
    }


def _stored_files(media_storage):
    return [os.path.join(d, f) for d, _, files in os.walk(media_storage) for f in files]


def _nothing_written(media_storage):
    return (
        Ticket.objects.count() == 0
        and Attachment.objects.count() == 0
        and TicketEvent.objects.count() == 0
        and _stored_files(media_storage) == []
    )


def test_reporter_creates_a_ticket_with_two_attachments(client, alice, form_data, media_storage):
    # Given a signed-in reporter
    client.force_login(alice)
    # When she sends the form with two files
    form_data["attachments"] = [
        samples.upload("Bukti Unggah.png", samples.PNG),
        samples.upload("kronologi.txt", b"Gagal unggah pukul 09.58 WIB"),
    ]
    response = client.post(URL, form_data, follow=True)
    # Then the ticket exists with the base priority of its category and both files
    ticket = Ticket.objects.get()
    assert ticket.reporter == alice and ticket.reporter_role == "ppk"
    assert ticket.status == "new" and ticket.tier == 1
    assert ticket.priority == "major"
    assert ticket.notification_email == "notif.alice@example.go.id"
    assert ticket.code == "9537119" and not ticket.code_validated
    names = [a.download_name for a in ticket.attachments.all()]
    assert names == [f"{ticket.number}_01_bukti-unggah.png", f"{ticket.number}_02_kronologi.txt"]
    assert [a.original_name for a in ticket.attachments.all()] == [
        "Bukti Unggah.png",
        "kronologi.txt",
    ]
    assert len(_stored_files(media_storage)) == 2
    assert ticket.events.get().kind == "created"
    # And the list says so with the new number
    assert response.redirect_chain[-1][0] == reverse("portal:ticket_list")
    assert (
        f"Tiket berhasil disimpan. Nomor tiket Anda: {ticket.number}." in response.content.decode()
    )


def test_htmx_submission_redirects_the_client(client, alice, form_data):
    client.force_login(alice)
    response = client.post(URL, form_data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("portal:ticket_list")
    assert Ticket.objects.count() == 1


def test_a_double_click_creates_one_ticket(client, alice, form_data):
    # Given the same form (same one-time key) sent twice
    client.force_login(alice)
    client.post(URL, form_data)
    client.post(URL, form_data)
    # Then there is one ticket
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    "missing",
    ["notification_email", "title", "lpse", "application", "version", "ticket_type",
     "category", "description", "code"],
)  # fmt: skip
def test_missing_required_fields_are_refused(client, alice, form_data, media_storage, missing):
    client.force_login(alice)
    form_data.pop(missing)
    form_data["attachments"] = [samples.upload("bukti.png", samples.PNG)]
    response = client.post(URL, form_data)
    assert response.status_code == 200
    assert response.context["form"].errors[missing]
    assert "Tiket belum tersimpan" in response.content.decode()
    assert _nothing_written(media_storage)


def test_htmx_errors_are_sent_next_to_each_field(client, alice, form_data, media_storage):
    client.force_login(alice)
    form_data["title"] = ""
    response = client.post(URL, form_data, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert 'id="error-title" aria-live="polite" hx-swap-oob="true"><li>' in body
    assert "Bidang ini tidak boleh kosong" in body
    assert _nothing_written(media_storage)


def test_version_and_category_of_another_application_are_refused(
    client, alice, form_data, media_storage
):
    client.force_login(alice)
    sirup = Application.objects.get(code="SIRUP")
    form_data["version"] = sirup.versions.get().pk
    form_data["category"] = Category.objects.filter(application=sirup, is_leaf=True)[0].pk
    response = client.post(URL, form_data)
    errors = response.context["form"].errors
    assert "Pilih versi yang tersedia untuk aplikasi ini." in errors["version"]
    assert "Pilih kategori yang tersedia untuk aplikasi ini." in errors["category"]
    assert _nothing_written(media_storage)


@pytest.mark.parametrize(
    ("field", "value"), [("application", "99999"), ("application", "abc"), ("lpse", "99999"),
                         ("ticket_type", "0"), ("category", "-1")],
)  # fmt: skip
def test_unknown_choices_are_refused(client, alice, form_data, media_storage, field, value):
    client.force_login(alice)
    form_data[field] = value
    response = client.post(URL, form_data)
    assert response.context["form"].errors[field]
    assert _nothing_written(media_storage)


def test_a_group_category_is_not_a_valid_choice(client, alice, form_data, media_storage, spse):
    client.force_login(alice)
    form_data["category"] = Category.objects.get(application=spse, name="Penawaran").pk
    response = client.post(URL, form_data)
    assert response.context["form"].errors["category"]
    assert _nothing_written(media_storage)


def test_an_exe_renamed_to_pdf_is_refused_and_nothing_is_kept(
    client, alice, form_data, media_storage
):
    client.force_login(alice)
    form_data["attachments"] = [
        samples.upload("bukti.png", samples.PNG),
        samples.upload("surat.pdf", samples.EXE),
    ]
    response = client.post(URL, form_data)
    errors = response.context["form"].errors["attachments"]
    assert errors == ["Berkas surat.pdf: isi berkas tidak sesuai dengan ekstensi .pdf."]
    assert _nothing_written(media_storage)


def test_a_file_of_50_mb_plus_one_byte_is_refused(client, alice, form_data, media_storage):
    client.force_login(alice)
    big = SimpleUploadedFile("besar.pdf", samples.PDF + b"\x00" * (52_428_801 - len(samples.PDF)))
    form_data["attachments"] = [big]
    response = client.post(URL, form_data)
    # Reading stops at the first byte past the limit (lpse_support/middleware.py): 413
    assert response.status_code == 413
    assert "melebihi batas 50,0\xa0MB per berkas" in response.content.decode()
    assert _nothing_written(media_storage)


def test_more_than_twenty_files_are_refused(client, alice, form_data, media_storage):
    client.force_login(alice)
    form_data["attachments"] = [samples.upload(f"b{i}.png", samples.PNG) for i in range(21)]
    response = client.post(URL, form_data)
    assert "Paling banyak 20 berkas per pesan." in response.context["form"].errors["attachments"]
    assert _nothing_written(media_storage)


def test_dangerous_file_names_are_cleaned_and_stored_safely(
    client, alice, form_data, media_storage
):
    client.force_login(alice)
    form_data["attachments"] = [samples.upload("../../../etc/pass\x1bwd\u202e.txt", b"isi aman")]
    client.post(URL, form_data)
    attachment = Attachment.objects.get()
    assert attachment.original_name == "passwd.txt"
    assert attachment.download_name.endswith("_01_passwd.txt")
    stored = _stored_files(media_storage)
    assert len(stored) == 1 and os.path.realpath(stored[0]).startswith(
        os.path.realpath(media_storage)
    )


def test_html_in_title_and_description_is_shown_as_text(client, alice, form_data):
    client.force_login(alice)
    form_data["title"] = '<script>alert("x")</script> Gagal'
    form_data["description"] = '<img src=x onerror="alert(1)"> deskripsi'
    client.post(URL, form_data)
    ticket = Ticket.objects.get()
    body = client.get(ticket.get_absolute_url()).content.decode()
    assert "<script>alert" not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Gagal" in body
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; deskripsi" in body
    listing = client.get(reverse("portal:ticket_list")).content.decode()
    assert "<script>alert" not in listing


@pytest.mark.parametrize("code", ["95371l9", "12", "9537119; DROP TABLE"])
def test_a_malformed_tender_code_is_refused(client, alice, form_data, media_storage, code):
    client.force_login(alice)
    form_data["code"] = code
    response = client.post(URL, form_data)
    assert "Kode tender berupa 5–12 angka" in response.context["form"].errors["code"][0]
    assert _nothing_written(media_storage)


def test_the_code_is_optional_unless_the_category_requires_it(client, alice, form_data, spse):
    client.force_login(alice)
    form_data["category"] = Category.objects.get(
        application=spse, name="Apendo / SPAMKODOK gagal enkripsi"
    ).pk
    form_data["code"] = ""
    client.post(URL, form_data)
    assert Ticket.objects.get().code == ""


def test_the_code_is_dropped_when_the_category_expects_none(client, alice, form_data, spse):
    client.force_login(alice)
    form_data["category"] = Category.objects.get(
        application=spse, name="Halaman error dengan kode error"
    ).pk
    form_data["code"] = "9537119"
    client.post(URL, form_data)
    ticket = Ticket.objects.get()
    assert ticket.code == "" and ticket.code_kind == "none"


def test_dependent_choices_follow_the_application(client, alice, spse, problem_type):
    client.force_login(alice)
    sirup = Application.objects.get(code="SIRUP")
    response = client.get(
        reverse("portal:ticket_form_choices"),
        {"application": sirup.pk},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert ">2.3<" in body and ">4.5<" not in body
    assert "RUP › Revisi RUP" in body and "Penawaran" not in body


def test_the_code_field_follows_the_category(client, alice, spse, upload_category):
    client.force_login(alice)
    url = reverse("portal:ticket_form_choices")
    tender = client.get(url, {"application": spse.pk, "category": upload_category.pk})
    assert "Kode Tender" in tender.content.decode()
    none_kind = Category.objects.get(application=spse, name="Halaman error dengan kode error")
    hidden = client.get(
        url, {"application": spse.pk, "category": none_kind.pk, "code": "9537119"}
    ).content.decode()
    # Hidden, with what was typed kept for when the category changes back.
    assert '<div class="code-block" id="code-block" hidden>' in hidden
    assert 'name="code" value="9537119"' in hidden
    rup = Category.objects.get(application=spse, name="Kode RUP tidak muncul saat membuat paket")
    assert (
        "Kode RUP" in client.get(url, {"application": spse.pk, "category": rup.pk}).content.decode()
    )


def test_the_form_offers_the_profile_email_and_the_reporters_lpse(client, alice):
    client.force_login(alice)
    form = client.get(URL).context["form"]
    assert form.initial["notification_email"] == alice.email
    assert form.initial["lpse"] == alice.lpse_id
    assert list(form.fields) == [
        "notification_email", "title", "lpse", "application", "version", "code",
        "ticket_type", "category", "error_code", "description", "manual_nama_paket",
        "manual_instansi", "manual_tahap", "manual_jadwal_berakhir", "attachments",
        "submission_key",
    ]  # fmt: skip


def test_ticket_types_are_seeded(reference):
    assert list(TicketType.objects.values_list("name", flat=True)) == [
        "Permasalahan", "Usulan", "Permintaan Layanan",
    ]  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_copies_of_one_submission_make_one_ticket(reference, alice, media_storage):
    import threading

    from django.db import connection

    from tickets.attachments import attachment_check
    from tickets.services import ticket_create
    from tickets.tests.factories import make_draft

    # Given the same submission arriving twice at the same moment, each with a file
    barrier = threading.Barrier(2)
    numbers: list[str] = []

    def submit():
        try:
            checked = [attachment_check(samples.upload("bukti.png", samples.PNG))]
            barrier.wait(timeout=10)
            ticket = ticket_create(
                reporter=alice, draft=make_draft(alice), files=checked, submission_key="k-1"
            )
            numbers.append(ticket.number)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # Then both answers name the one ticket, and only its file is kept
    assert Ticket.objects.count() == 1
    assert numbers == [Ticket.objects.get().number] * 2
    assert len(_stored_files(media_storage)) == 1
