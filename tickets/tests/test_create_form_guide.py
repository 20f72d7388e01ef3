"""Buat Tiket in the guide's order (issue 15, guide §4.3.1): the code field right after
Versi with a label by the kinds the application takes, narrowed by the category and
hidden (value kept) when it takes none; *Ubah Email*; the file picker's words; and
*Pilih dari paket saya* (the reporter's own packages, from the simulator over HTTP)."""

import re
from typing import Any

import pytest
from django.urls import reverse

from accounts.services import reporter_upsert
from integrations import http as integrations_http
from lib.ports import free_port
from reference.models import Application, Category
from tickets.forms import TicketCreateForm, code_label

CREATE = reverse("portal:ticket_create")
CHOICES = reverse("portal:ticket_form_choices")
MINE = reverse("portal:ticket_my_packages")
LOOKUP = reverse("portal:ticket_code_lookup")


@pytest.fixture(autouse=True)
def fresh_sources():
    integrations_http.reset_state()
    yield
    integrations_http.reset_state()


def _point_at(settings: Any, url: str, *, on: bool = True) -> None:
    for prefix in ("DW", "KATALOG", "SIRUP"):
        setattr(settings, f"INTEGRATION_{prefix}_URL", url)
    settings.INTEGRATION_READ_TIMEOUT = 1
    settings.INTEGRATION_CONNECT_TIMEOUT = 1
    settings.INTEGRATION_RETRIES = 0
    settings.INTEGRATION_DW_MY_PACKAGES_PATH = "/dw/api/v1/paket-saya/" if on else ""
    settings.INTEGRATION_SIRUP_MY_PACKAGES_PATH = "/sirup/api/v1/paket-saya/" if on else ""


@pytest.fixture
def simulator(settings, standalone_simulator: str) -> str:
    _point_at(settings, standalone_simulator)
    return standalone_simulator


def _closed_port_url() -> str:
    # Nothing listens there (lib/ports.py: below the ephemeral range).
    return f"http://127.0.0.1:{free_port()}"


def _app(code: str) -> Application:
    return Application.objects.get(code=code)


def _label_of_code(html: str) -> str:
    match = re.search(r'<label for="id_code"[^>]*>([^<]*)</label>', html)
    assert match, "no code label"
    return match.group(1)


# --- The code field: label by kinds, narrowed, hidden with its value kept -------------


def test_code_label_names_the_kinds():
    assert code_label(["tender", "non_tender", "rup"]) == "Kode Tender / Non Tender / RUP"
    assert code_label(["catalog"]) == "Kode Paket Katalog"
    assert code_label(["rup"]) == "Kode RUP"


@pytest.mark.parametrize(
    ("application", "label"),
    [
        ("SPSE", "Kode Tender / Non Tender / RUP"),
        ("EPURCH", "Kode Paket Katalog"),
        ("KATALOG", "Kode Paket Katalog"),
        ("SIRUP", "Kode RUP"),
    ],
)
def test_code_is_shown_as_soon_as_the_application_is_chosen(client, alice, application, label):
    # Given a reporter who has chosen only the application
    client.force_login(alice)
    html = client.get(CHOICES, {"application": _app(application).pk}).content.decode()
    # Then the code field is shown, named by the kinds the application's categories take
    assert '<div class="code-block" id="code-block">' in html
    assert _label_of_code(html) == label


def test_code_field_comes_right_after_versi_and_before_tipe_and_kategori(client, alice, spse):
    client.force_login(alice)
    html = client.get(CHOICES, {"application": spse.pk}).content.decode()
    positions = [html.index(f'id="field-{name}"') for name in ("version", "code", "ticket_type")]
    assert positions == sorted(positions) and positions[2] < html.index('id="field-category"')
    page = client.get(CREATE).content.decode()
    order = ["email-notice", "field-notification_email", "field-title", "field-lpse",
             "field-application", "field-version", "field-code", "field-ticket_type",
             "field-category", "field-error_code", "field-description",
             "field-attachments"]  # fmt: skip
    found = [page.index(f'id="{anchor}"') for anchor in order]
    assert found == sorted(found)


def test_an_application_without_codes_hides_the_field(client, alice):
    client.force_login(alice)
    monev = Application.objects.get(code="EPROC")
    assert not Category.objects.filter(application=monev).exclude(code_kind="none").exists()
    html = client.get(CHOICES, {"application": monev.pk}).content.decode()
    assert '<div class="code-block" id="code-block" hidden>' in html


def test_the_category_narrows_the_label_and_sends_the_code_along(
    client, alice, spse, upload_category
):
    # (Hidden with its value kept: test_ticket_create.test_the_code_field_follows_the_category.)
    client.force_login(alice)
    html = client.get(
        CHOICES, {"application": spse.pk, "category": upload_category.pk, "code": "9537119"}
    ).content.decode()
    assert _label_of_code(html) == "Kode Tender"
    # The category select sends the code along, so changing back to a kind restores it.
    select = re.search(r'<select name="category"[^>]*>', html, re.S)
    assert select is not None and "#id_code" in select.group(0)


def test_validation_still_follows_the_category(alice, spse, lpse_119, problem_type):
    none_kind = Category.objects.get(application=spse, name="Halaman error dengan kode error")
    rup = Category.objects.get(application=spse, name="Kode RUP tidak muncul saat membuat paket")
    data = {
        "notification_email": "a@example.go.id",
        "title": "Judul",
        "lpse": lpse_119.pk,
        "application": spse.pk,
        "version": spse.versions.get(name="4.5").pk,
        "ticket_type": problem_type.pk,
        "description": "Deskripsi",
    }
    kept = TicketCreateForm({**data, "category": none_kind.pk, "code": "95x"}, reporter=alice)
    assert kept.is_valid(), kept.errors
    assert kept.cleaned_data["code"] == ""  # hidden: what stayed in the page counts for nothing
    required = TicketCreateForm({**data, "category": rup.pk, "code": ""}, reporter=alice)
    assert not required.is_valid() and "code" in required.errors


def test_a_single_kind_application_checks_the_code_before_the_category(alice):
    sirup = _app("SIRUP")
    form = TicketCreateForm(initial={"application": sirup.pk}, reporter=alice)
    assert form.fields["code"].widget.attrs["hx-vals"] == '{"kind": "rup"}'
    spse = TicketCreateForm(initial={"application": _app("SPSE").pk}, reporter=alice)
    assert "hx-vals" not in spse.fields["code"].widget.attrs


def test_the_lookup_takes_the_kind_when_no_category_is_chosen(client, alice, simulator):
    client.force_login(alice)
    html = client.get(LOOKUP, {"category": "", "kind": "tender", "code": "9537119"}).content
    assert "Tervalidasi" in html.decode()
    odd = client.get(LOOKUP, {"kind": "<script>", "code": "9537119"}).content.decode()
    assert "Tervalidasi" not in odd and 'data-manual="hide"' in odd


# --- Ubah Email and the file picker's words ---------------------------------------------


def test_ubah_email_shows_the_address_with_a_button(client, alice):
    client.force_login(alice)
    html = client.get(CREATE).content.decode()
    notice = html[html.index('id="email-notice"') : html.index('id="field-notification_email"')]
    assert alice.email in notice and ">Ubah Email<" in notice
    assert 'aria-controls="field-notification_email"' in notice
    # Without JS the notice stays hidden and the field is simply shown.
    assert '<div class="email-notice" id="email-notice" hidden>' in html
    assert f'name="notification_email" value="{alice.email}"' in html


def test_the_file_picker_uses_the_guides_words(client, alice):
    client.force_login(alice)
    html = client.get(CREATE).content.decode()
    assert ">Tambah File<" in html
    assert 'data-text-replace="Ubah file"' in html and 'data-text-remove="Hapus file"' in html
    assert 'data-file-picker="id_attachments-picked"' in html


# --- Pilih dari paket saya --------------------------------------------------------------


def _mine(client, **params: Any) -> str:
    response = client.get(MINE, params, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.content.decode()


def test_the_form_offers_the_list_only_when_the_source_is_on(client, alice, settings, spse):
    client.force_login(alice)
    _point_at(settings, _closed_port_url(), on=False)
    assert 'id="my-packages"' not in client.get(CHOICES, {"application": spse.pk}).content.decode()
    settings.INTEGRATION_DW_MY_PACKAGES_PATH = "/dw/api/v1/paket-saya/"
    assert 'id="my-packages"' in client.get(CHOICES, {"application": spse.pk}).content.decode()


def test_ppk_gets_her_tenders_to_pick_from(client, alice, simulator, spse):
    client.force_login(alice)
    html = _mine(client, application=spse.pk)
    assert "Pilih dari paket saya" in html
    assert 'data-pick-code="9537119"' in html and 'data-pick-code="10234119"' in html
    assert "Pengadaan Perangkat Jaringan dan Server Pusat Data LKPP" in html
    assert "Kode Tender · PPK" in html
    assert f'hx-get="{LOOKUP}"' in html


def test_the_category_narrows_the_list_to_its_kind(client, alice, simulator, spse, upload_category):
    client.force_login(alice)
    html = _mine(client, application=spse.pk, category=upload_category.pk)
    assert 'data-pick-code="9537119"' in html and 'data-pick-code="10234119"' not in html
    # An application whose codes the Data Warehouse does not list offers nothing.
    assert _mine(client, application=_app("EPURCH").pk).strip() == ""


def test_pa_kpa_gets_his_rup_packages(client, dave, simulator):
    client.force_login(dave)
    html = _mine(client, application=_app("SIRUP").pk)
    assert 'data-pick-code="44604827"' in html and "Kode RUP · PA/KPA" in html


def test_each_reporter_sees_only_their_own_packages(client, bob, carol, simulator, spse):
    # bob (Pokja at LPSE 119) and carol (the other ppk1, at LPSE 10) get their own lists.
    client.force_login(bob)
    assert "Kode Tender · Pokja" in _mine(client, application=spse.pk)
    client.force_login(carol)
    html = _mine(client, application=spse.pk)
    assert 'data-pick-code="9537119"' not in html
    assert re.search(r'data-pick-code="\d+010"', html)


def test_off_or_down_gives_an_empty_answer(client, alice, settings, spse):
    client.force_login(alice)
    _point_at(settings, _closed_port_url(), on=False)
    assert _mine(client, application=spse.pk).strip() == ""
    _point_at(settings, _closed_port_url(), on=True)
    assert _mine(client, application=spse.pk).strip() == ""


def test_a_role_without_packages_is_offered_nothing(client, reference, simulator, spse):
    kuppbj = reporter_upsert(
        source="spse", kd_lpse=119, user_id="kuppbj1", name="Rina", email="rina@example.go.id",
        role="kuppbj", instansi="UKPBJ",
    )  # fmt: skip
    client.force_login(kuppbj)
    assert 'id="my-packages"' not in client.get(CHOICES, {"application": spse.pk}).content.decode()
    assert _mine(client, application=spse.pk).strip() == ""


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"application": "abc"},
        {"application": "999999"},
        {"category": "x" * 500},
        {"application": "-1", "category": "-3"},
    ],
)
def test_bad_input_gives_an_empty_list_never_an_error(client, alice, simulator, params):
    client.force_login(alice)
    assert "data-pick-code" not in _mine(client, **params)


def test_staff_get_404(client, agent, simulator):
    client.force_login(agent)
    assert client.get(MINE).status_code == 404


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(MINE)
    assert response.status_code == 302 and "data-pick-code" not in response.content.decode()


def test_the_list_costs_a_bounded_number_of_queries(
    client, alice, simulator, spse, django_assert_max_num_queries
):
    client.force_login(alice)
    _mine(client, application=spse.pk)  # warm the source's cache
    with django_assert_max_num_queries(6):
        assert 'data-pick-code="9537119"' in _mine(client, application=spse.pk)
