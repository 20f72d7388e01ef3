"""The code lookup on Buat Tiket (HTMX partial), against the running simulator."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from integrations import http as integrations_http
from integrations.clients import tender_lookup
from lib.ports import free_port
from reference.models import Category, CodeKind
from tickets.forms import TicketCreateForm

URL = reverse("portal:ticket_code_lookup")

NOT_FOUND = "Kode tidak ditemukan di Data Warehouse LKPP; isi data tender secara manual."
UNAVAILABLE = "Data Warehouse LKPP sedang tidak dapat dihubungi; isi data tender secara manual."
SLOW = "Sumber data lambat menjawab"
BROKEN = "Data Warehouse LKPP sedang mengalami gangguan; isi data tender secara manual."


def _closed_port_url() -> str:
    # Nothing listens there (lib/ports.py: below the ephemeral range).
    return f"http://127.0.0.1:{free_port()}"


def _point_at(settings, url: str) -> None:
    settings.INTEGRATION_DW_URL = url
    settings.INTEGRATION_KATALOG_URL = url
    settings.INTEGRATION_SIRUP_URL = url
    settings.INTEGRATION_READ_TIMEOUT = 1
    settings.INTEGRATION_CONNECT_TIMEOUT = 1
    settings.INTEGRATION_RETRIES = 0


@pytest.fixture(autouse=True)
def fresh_sources():
    integrations_http.reset_state()
    yield
    integrations_http.reset_state()


@pytest.fixture
def simulator(settings, standalone_simulator: str) -> str:
    _point_at(settings, standalone_simulator)
    return standalone_simulator


@pytest.fixture
def reporter_client(client, alice):
    client.force_login(alice)
    return client


def _lookup(client, category: Category, code: str):
    response = client.get(URL, {"category": category.pk, "code": code}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def _category(kind: str) -> Category | None:
    return Category.objects.filter(code_kind=kind, is_leaf=True, is_active=True).first()


def test_found_tender_is_validated_with_its_stage_in_wib(
    reporter_client, simulator, upload_category, lpse_119
):
    html = _lookup(reporter_client, upload_category, "9537119")
    assert "Tervalidasi" in html
    assert "Upload Dokumen Penawaran" in html
    assert "WIB" in html
    assert 'data-manual="hide"' in html
    assert f'data-lpse-pk="{lpse_119.pk}"' in html


def test_found_tender_shows_the_package_name(reporter_client, simulator, upload_category):
    tender = tender_lookup("9537119")
    html = _lookup(reporter_client, upload_category, "9537119")
    assert escape(tender.nama_paket) in html
    assert escape(tender.nama_klpd) in html and escape(tender.nama_satker) in html
    assert escape(tender.nama_lpse) in html


def test_tender_of_a_wita_lpse_shows_its_deadline_in_wita(
    reporter_client, simulator, upload_category
):
    html = _lookup(reporter_client, upload_category, "8801071")
    assert "Tervalidasi" in html
    assert "WITA" in html


def test_unknown_code_asks_for_the_data_by_hand(reporter_client, simulator, upload_category):
    html = _lookup(reporter_client, upload_category, "1234567119")
    assert NOT_FOUND in html
    assert 'data-manual="show"' in html
    assert "Tervalidasi" not in html


def test_source_answering_503_asks_for_the_data_by_hand(
    reporter_client, simulator, upload_category
):
    html = _lookup(reporter_client, upload_category, "9995119")
    assert UNAVAILABLE in html or BROKEN in html
    assert 'data-manual="show"' in html


def test_slow_source_is_said_to_be_slow_and_the_ticket_can_still_be_sent(
    reporter_client, simulator, upload_category
):
    html = _lookup(reporter_client, upload_category, "9991119")
    assert SLOW in html
    assert "Tiket tetap dapat dikirim" in html
    assert 'data-manual="show"' in html
    assert UNAVAILABLE not in html


def test_the_lookup_stops_waiting_at_its_budget_whatever_the_timeouts(
    reporter_client, simulator, upload_category, settings
):
    # Given timeouts far longer than the page's budget (the simulator answers in 5 s)
    settings.INTEGRATION_READ_TIMEOUT = 30
    settings.INTEGRATION_RETRIES = 3
    settings.INTEGRATION_LOOKUP_WAIT_SECONDS = 0.3
    # When the reporter types the slow code, then the page says the source is slow
    html = _lookup(reporter_client, upload_category, "9991119")
    assert SLOW in html
    assert 'data-manual="show"' in html


def test_source_down_asks_for_the_data_by_hand(reporter_client, settings, upload_category):
    _point_at(settings, _closed_port_url())
    html = _lookup(reporter_client, upload_category, "9537119")
    assert UNAVAILABLE in html
    assert 'data-manual="show"' in html


def test_catalog_and_rup_packages_are_shown(reporter_client, simulator, reference):
    catalog = _category(CodeKind.CATALOG)
    rup = _category(CodeKind.RUP)
    if catalog is not None:
        html = _lookup(reporter_client, catalog, "EPURCH-2026-00123")
        assert "Tervalidasi" in html and "Dalam Pengiriman" in html
    if rup is not None:
        html = _lookup(reporter_client, rup, "44604827")
        assert "Tervalidasi" in html and "Rp " in html


@pytest.mark.parametrize("code", ["", "12", "95371x9", "9" * 13, "<script>"])
def test_ill_formed_code_gives_an_empty_partial_without_asking(
    reporter_client, upload_category, monkeypatch, code
):
    def no_lookup(*args, **kwargs):
        raise AssertionError("no request expected")

    monkeypatch.setattr("tickets.views.portal.lookup_code", no_lookup)
    html = _lookup(reporter_client, upload_category, code)
    assert 'data-manual="hide"' in html
    assert "Tervalidasi" not in html and "isi data" not in html


def test_category_without_code_or_unknown_category_gives_an_empty_partial(
    reporter_client, reference, monkeypatch
):
    monkeypatch.setattr("tickets.views.portal.lookup_code", lambda *a, **k: 1 / 0)
    no_code = Category.objects.filter(code_kind=CodeKind.NONE, is_leaf=True).first()
    assert no_code is not None
    assert 'data-manual="hide"' in _lookup(reporter_client, no_code, "9537119")
    response = reporter_client.get(URL, {"category": "abc", "code": "9537119"})
    assert response.status_code == 200 and 'data-manual="hide"' in response.content.decode()


def test_unexpected_failure_still_answers_200(reporter_client, upload_category, monkeypatch):
    monkeypatch.setattr("tickets.views.portal.lookup_code", lambda *a, **k: 1 / 0)
    html = _lookup(reporter_client, upload_category, "9537119")
    assert 'data-manual="show"' in html
    assert "isi data secara manual" in html


def test_staff_get_404(client, agent, upload_category):
    client.force_login(agent)
    response = client.get(URL, {"category": upload_category.pk, "code": "9537119"})
    assert response.status_code == 404


def test_any_reporter_may_look_a_code_up(client, carol, upload_category, monkeypatch):
    # The lookup is not tied to a ticket: a reporter of another LPSE may use it too.
    monkeypatch.setattr("tickets.views.portal.lookup_code", lambda *a, **k: 1 / 0)
    client.force_login(carol)
    response = client.get(URL, {"category": upload_category.pk, "code": "9537119"})
    assert response.status_code == 200


def test_anonymous_is_sent_to_sign_in(client, upload_category):
    response = client.get(URL, {"category": upload_category.pk, "code": "9537119"})
    assert response.status_code == 302


def test_code_input_looks_the_code_up_as_the_reporter_types(alice, spse, upload_category):
    form = TicketCreateForm(
        initial={"application": spse.pk, "category": upload_category.pk}, reporter=alice
    )
    attrs = form.fields["code"].widget.attrs
    assert attrs["hx-get"] == URL
    assert attrs["hx-trigger"] == "input changed delay:500ms, change"
    assert attrs["hx-target"] == "#code-lookup"
    assert "#id_category" in attrs["hx-include"] and "#id_code" in attrs["hx-include"]


def test_manual_fields_go_into_the_draft(alice, spse, lpse_119, upload_category, problem_type):
    data = {
        "notification_email": "a@example.go.id",
        "title": "Judul",
        "lpse": lpse_119.pk,
        "application": spse.pk,
        "version": spse.versions.get(name="4.5").pk,
        "ticket_type": problem_type.pk,
        "category": upload_category.pk,
        "code": "1234567119",
        "description": "Deskripsi",
        "manual_nama_paket": "  Pengadaan   Laptop ",
        "manual_instansi": "Dinas Kominfo",
        "manual_tahap": "",
        "manual_jadwal_berakhir": "",
    }
    form = TicketCreateForm(data, reporter=alice)
    assert form.is_valid(), form.errors
    assert form.manual_data() == {"nama_paket": "Pengadaan Laptop", "instansi": "Dinas Kominfo"}
    assert form.to_draft().manual_data == form.manual_data()
