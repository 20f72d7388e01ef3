"""The typed clients and `lookup_code`: parsing against a local server, then the real
simulator over loopback HTTP (its data endpoints and reserved fault codes). Where time
matters (retries, the breaker window) it is a `FakeClock` the test moves."""

import copy
import datetime
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from integrations.clients import (
    LookupResult,
    catalog_package_lookup,
    lookup_code,
    rup_lookup,
    tender_from_snapshot,
    tender_lookup,
)
from integrations.http import SourceBadResponse, SourceNotFound, SourceUnavailable, reset_state
from integrations.tests.test_http import FakeClock, LocalServer, closed_port_url, local_server
from integrations.types import CatalogPackage, RupPackage, Tender

TENDER: dict[str, Any] = {
    "kd_tender": 9537119,
    "nama_paket": "Pembangunan Gedung",
    "pagu": 1_500_000_000,
    "hps": 1_450_000_000,
    "kd_rup": 44604827,
    "kd_klpd": "D123",
    "nama_klpd": "Kota Contoh",
    "kd_satker": "S1",
    "nama_satker": "Dinas PU",
    "kd_lpse": 119,
    "nama_lpse": "LPSE Kota Contoh",
    "jenis_pengadaan": "Pekerjaan Konstruksi",
    "mtd_pemilihan": "Tender",
    "status_tender": "Tender Sedang Berlangsung",
    "tahun_anggaran": 2026,
    "jadwal": [
        {
            "kd_tahapan": "1",
            "nama_tahapan": "Upload Dokumen Penawaran",
            "tgl_awal": "2026-01-05T08:00:00+07:00",
            "tgl_akhir": "2026-01-10T15:00:00+07:00",
        }
    ],
}


@pytest.fixture(autouse=True)
def _fresh_state() -> Iterator[None]:
    reset_state()
    yield
    reset_state()


def point_all_sources_at(settings: Any, url: str) -> None:
    for prefix in ("DW", "KATALOG", "SIRUP"):
        setattr(settings, f"INTEGRATION_{prefix}_URL", url)
    settings.INTEGRATION_DW_TOKEN = "dev-dw-token"
    settings.INTEGRATION_KATALOG_TOKEN = "dev-katalog-token"
    settings.INTEGRATION_SIRUP_TOKEN = "dev-sirup-token"
    settings.INTEGRATION_CONNECT_TIMEOUT = 1.0
    settings.INTEGRATION_READ_TIMEOUT = 1.0
    settings.INTEGRATION_RETRIES = 1
    settings.INTEGRATION_BREAKER_THRESHOLD = 5
    settings.INTEGRATION_BREAKER_SECONDS = 30
    settings.INTEGRATION_CACHE_SECONDS = 60
    settings.INTEGRATION_NOT_FOUND_CACHE_SECONDS = 30


# --- Parsing, against a local server ----------------------------------------------


@pytest.fixture
def local(settings: Any) -> Iterator[LocalServer]:
    with local_server() as server:
        point_all_sources_at(settings, server.url)
        yield server


def test_tender_is_parsed_into_domain_objects(local):
    local.routes["/dw/api/v1/tender/9537119/"] = (200, TENDER)
    tender = tender_lookup(9537119)
    assert isinstance(tender, Tender)
    assert tender.kd_lpse == 119 and tender.kd_rup == 44604827 and not tender.is_non_tender
    [stage] = tender.jadwal
    assert stage.starts_at == datetime.datetime(
        2026, 1, 5, 1, 0, tzinfo=datetime.UTC
    )  # aware, offset kept
    assert stage.is_deadline_bound


def test_non_tender_uses_its_own_endpoint(local):
    local.routes["/dw/api/v1/nontender/777/"] = (200, {**TENDER, "kd_tender": 777})
    tender = tender_lookup("777", non_tender=True)
    assert tender.kd_tender == 777 and tender.is_non_tender


@pytest.mark.parametrize(
    "broken",
    [
        {k: v for k, v in TENDER.items() if k != "kd_lpse"},
        {**TENDER, "pagu": "banyak"},
        {**TENDER, "jadwal": "none"},
        {**TENDER, "jadwal": [{**TENDER["jadwal"][0], "tgl_awal": "2026-01-05T08:00:00"}]},
        {**TENDER, "jadwal": [{**TENDER["jadwal"][0], "tgl_akhir": "kemarin"}]},
        [TENDER],
    ],
    ids=["missing-field", "text-pagu", "jadwal-not-list", "naive-time", "bad-time", "list"],
)
def test_wrong_shape_is_a_bad_response(local, broken):
    local.routes["/dw/api/v1/tender/1/"] = (200, broken)
    with pytest.raises(SourceBadResponse):
        tender_lookup(1)
    result = lookup_code("tender", "1")
    assert (result.found, result.error_code) == (False, "bad_response")
    assert local.hits["/dw/api/v1/tender/1/"] == 2  # a broken answer is not cached


def test_invalid_codes_are_not_found_without_asking(local):
    for code in ("", "12a", "../admin", "1" * 21):
        with pytest.raises(SourceNotFound):
            tender_lookup(code)
        assert lookup_code("rup", code).error_code == "not_found"
    with pytest.raises(SourceNotFound):
        catalog_package_lookup("EPURCH/../x")
    assert sum(local.hits.values()) == 0


def test_lookup_snapshot_is_a_json_copy_of_the_answer(local):
    local.routes["/dw/api/v1/tender/9537119/"] = (200, TENDER)
    result = lookup_code("tender", "9537119")
    assert result.found and result.error_code == ""
    assert result.snapshot == TENDER
    json.dumps(result.snapshot)
    result.snapshot["jadwal"].clear()  # the cached answer is not touched
    assert lookup_code("tender", "9537119").snapshot == TENDER
    assert local.hits["/dw/api/v1/tender/9537119/"] == 1


def test_a_kept_snapshot_reads_back_as_the_same_tender_without_asking(local):
    # Given the answer a ticket kept when its code was checked
    local.routes["/dw/api/v1/tender/9537119/"] = (200, TENDER)
    kept = lookup_code("tender", "9537119").snapshot
    # When it is read back
    tender = tender_from_snapshot(kept)
    # Then it is the tender the source answered, and the source was asked only once
    assert tender == tender_lookup(9537119)
    non_tender = tender_from_snapshot(kept, non_tender=True)
    assert non_tender is not None and non_tender.is_non_tender
    assert local.hits["/dw/api/v1/tender/9537119/"] == 1


@pytest.mark.parametrize(
    "kept",
    [{}, {k: v for k, v in TENDER.items() if k != "jadwal"}, {**TENDER, "pagu": "banyak"}, [1]],
    ids=["empty", "missing-field", "text-pagu", "not-an-object"],
)
def test_a_snapshot_that_cannot_be_read_is_no_tender(kept):
    assert tender_from_snapshot(kept) is None


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        lookup_code("none", "1")


# --- Against the real simulator ---------------------------------------------------


@pytest.fixture
def simulator(settings: Any, standalone_simulator: str) -> str:
    point_all_sources_at(settings, standalone_simulator)
    return standalone_simulator


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def http_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="integrations.http")
    return caplog


def network_attempts(caplog: pytest.LogCaptureFixture) -> int:
    return sum(
        1
        for record in caplog.records
        if record.name == "integrations.http" and getattr(record, "attempt", 0) > 0
    )


def test_tender_found(simulator):
    tender = tender_lookup("9537119")
    assert tender.kd_tender == 9537119
    assert tender.kd_lpse == 119
    assert tender.jadwal
    assert all(stage.starts_at.tzinfo is not None for stage in tender.jadwal)
    stage = tender.current_stage(datetime.datetime.now(datetime.UTC))
    assert stage is not None and stage.nama_tahapan == "Upload Dokumen Penawaran"
    assert stage.is_deadline_bound


def test_finished_tender_found(simulator):
    tender = tender_lookup(9539119)
    assert tender.kd_tender == 9539119
    assert tender.current_stage(datetime.datetime.now(datetime.UTC)) is None


def test_lookup_code_found(simulator):
    result = lookup_code("tender", "9537119")
    assert isinstance(result, LookupResult)
    assert result.found and isinstance(result.data, Tender)
    assert result.snapshot["kd_tender"] in (9537119, "9537119")
    assert result.snapshot == json.loads(json.dumps(result.snapshot))


def test_unknown_tender_is_not_found(simulator):
    with pytest.raises(SourceNotFound):
        tender_lookup("1234567119")
    result = lookup_code("tender", "1234567119")
    assert (result.found, result.data, result.snapshot) == (False, None, {})
    assert result.error_code == "not_found"
    assert result.message == (
        "Kode tidak ditemukan di Data Warehouse LKPP; isi data tender secara manual."
    )


def test_slow_source_times_out_within_the_bound(simulator, settings, clock, http_log):
    # The simulator holds "9991…" answers for 5 s; the read timeout ends each attempt, so
    # the lookup is bounded by (retries + 1) × read timeout plus the one wait below.
    settings.INTEGRATION_READ_TIMEOUT = 0.2
    settings.INTEGRATION_RETRIES = 1
    result = lookup_code("tender", "9991119", clock=clock)
    assert (result.found, result.error_code) == (False, "timeout")
    assert result.message == (
        "Data Warehouse LKPP sedang tidak dapat dihubungi; isi data tender secara manual."
    )
    assert network_attempts(http_log) == 2
    [wait] = clock.waits
    assert 0.1 <= wait <= 0.2  # one jittered backoff


def test_server_error_after_retries(simulator, clock, http_log):
    result = lookup_code("tender", "9995119", clock=clock)
    assert (result.found, result.error_code) == (False, "error")
    assert network_attempts(http_log) == 2  # INTEGRATION_RETRIES = 1
    assert len(clock.waits) == 1
    assert "gangguan" in result.message


def test_malformed_json_is_bad_response(simulator):
    with pytest.raises(SourceBadResponse):
        tender_lookup(9997119)
    assert lookup_code("tender", "9997119").error_code == "bad_response"


def test_wrong_token_is_an_error(simulator, settings):
    settings.INTEGRATION_DW_TOKEN = "not-the-token"
    with pytest.raises(SourceUnavailable) as caught:
        tender_lookup(9537119)
    assert caught.value.reason == "error"


def test_closed_port_is_down(settings, clock):
    point_all_sources_at(settings, closed_port_url())
    result = lookup_code("rup", "44604827", clock=clock)
    assert (result.found, result.error_code) == (False, "down")
    assert len(clock.waits) == 1  # INTEGRATION_RETRIES = 1
    assert result.message == "SiRUP sedang tidak dapat dihubungi; isi data RUP secara manual."


def test_circuit_breaker_opens_then_half_opens(simulator, settings, clock, http_log):
    settings.INTEGRATION_RETRIES = 0
    settings.INTEGRATION_BREAKER_THRESHOLD = 2
    settings.INTEGRATION_BREAKER_SECONDS = 30
    assert lookup_code("tender", "9995119", clock=clock).error_code == "error"
    assert lookup_code("tender", "9995120", clock=clock).error_code == "error"
    assert network_attempts(http_log) == 2

    clock.advance(29.5)
    # A good code, but the circuit is open: answered without a network attempt.
    result = lookup_code("tender", "9537119", clock=clock)
    assert result.error_code == "circuit_open"
    assert network_attempts(http_log) == 2
    assert "tidak dapat dihubungi" in result.message
    # Other sources are not affected.
    assert lookup_code("rup", "44604827", clock=clock).found

    clock.advance(0.5)
    result = lookup_code("tender", "9537119", clock=clock)  # the half-open trial succeeds
    assert result.found
    assert lookup_code("tender", "9539119", clock=clock).found  # closed again
    assert clock.waits == []


def test_cache_answers_the_second_lookup(simulator, http_log):
    first = lookup_code("tender", "9537119")
    second = lookup_code("tender", "9537119")
    assert first.found and second.found and first.data == second.data
    assert network_attempts(http_log) == 1
    outcomes = [r.outcome for r in http_log.records if r.name == "integrations.http"]
    assert outcomes[-1] == "cache_hit"


def test_catalog_package(simulator):
    package = catalog_package_lookup("EPURCH-2026-00123")
    assert isinstance(package, CatalogPackage)
    assert package.kd_paket == "EPURCH-2026-00123"
    assert package.tanggal_buat.tzinfo is not None
    result = lookup_code("catalog", "EPURCH-2026-00123")
    assert result.found and result.snapshot["kd_paket"] == "EPURCH-2026-00123"


def test_catalog_faults(simulator):
    assert lookup_code("catalog", "EPURCH-ERROR-1").error_code == "error"
    assert lookup_code("catalog", "EPURCH-BROKEN-1").error_code == "bad_response"
    result = lookup_code("catalog", "EPURCH-2000-99999")
    assert result.error_code == "not_found"
    assert result.message == (
        "Kode tidak ditemukan di Katalog Elektronik; isi data paket katalog secara manual."
    )


def test_rup(simulator):
    package = rup_lookup(44604827)
    assert isinstance(package, RupPackage)
    assert package.kd_rup == 44604827
    assert lookup_code("rup", "44604827").found
    assert lookup_code("rup", "1234567119").error_code == "not_found"
    assert lookup_code("rup", "9997119").error_code == "bad_response"


def test_non_tender_lookup(simulator):
    result = lookup_code("non_tender", "1234567119")
    assert result.error_code == "not_found"
    assert "data non tender" in result.message


def test_results_are_independent_copies(simulator):
    first = lookup_code("rup", "44604827")
    snapshot = copy.deepcopy(first.snapshot)
    first.snapshot.clear()
    assert lookup_code("rup", "44604827").snapshot == snapshot
