"""`own_packages` ("Pilih dari paket saya"): off unless configured, the assumed contract
against a local server, then the simulator's endpoints over loopback HTTP."""

from collections.abc import Iterator
from typing import Any

import pytest

from integrations.clients import own_packages
from integrations.http import SourceBadResponse, SourceUnavailable, reset_state
from integrations.tests.test_clients import point_all_sources_at
from integrations.tests.test_http import FakeClock, LocalServer, closed_port_url, local_server
from integrations.types import OwnPackage

DW_PATH = "/dw/api/v1/paket-saya/"
SIRUP_PATH = "/sirup/api/v1/paket-saya/"
PPK1_QUERY = "?kd_lpse=119&user_id=ppk1&peran=ppk"


@pytest.fixture(autouse=True)
def _fresh_state() -> Iterator[None]:
    reset_state()
    yield
    reset_state()


def switch_on(settings: Any) -> None:
    settings.INTEGRATION_DW_MY_PACKAGES_PATH = DW_PATH
    settings.INTEGRATION_SIRUP_MY_PACKAGES_PATH = SIRUP_PATH


@pytest.fixture
def local(settings: Any) -> Iterator[LocalServer]:
    with local_server() as server:
        point_all_sources_at(settings, server.url)
        switch_on(settings)
        yield server


def ppk1(**kwargs: Any) -> tuple[OwnPackage, ...]:
    return own_packages("dw", kd_lpse=119, user_id="ppk1", role="ppk", **kwargs)


def test_off_by_default_asks_nothing(settings: Any) -> None:
    # Given a source with no path configured (the default), even one that is down
    with local_server() as server:
        point_all_sources_at(settings, server.url)
        settings.INTEGRATION_DW_MY_PACKAGES_PATH = ""
        # When the reporter's packages are asked for, then there are none, unasked
        assert ppk1() == ()
        assert sum(server.hits.values()) == 0


def test_the_contract_is_parsed_and_odd_items_are_skipped(local: LocalServer) -> None:
    local.routes[DW_PATH + PPK1_QUERY] = (
        200,
        {
            "paket": [
                {
                    "jenis": "tender",
                    "kode": "9537119",
                    "nama_paket": "Pengadaan Server",
                    "peran": "ppk",
                    "status": "Tender Sedang Berlangsung",
                    "tahun_anggaran": 2026,
                },
                {"jenis": "non_tender", "kode": 10234119, "nama_paket": "ATK"},
                {"jenis": "rup", "kode": "44604827", "nama_paket": "Not the DW's kind"},
                {"jenis": "tender", "kode": "../x", "nama_paket": "No usable code"},
            ]
        },
    )
    assert ppk1() == (
        OwnPackage(
            "tender", "9537119", "Pengadaan Server", "ppk", "Tender Sedang Berlangsung", 2026
        ),
        OwnPackage("non_tender", "10234119", "ATK"),
    )
    assert local.headers[-1]["Authorization"] == "Bearer dev-dw-token"


@pytest.mark.parametrize(
    "answer", [[], {"packages": []}, {"paket": "none"}, {"paket": [{"jenis": "tender"}]}]
)
def test_a_wrong_shape_is_a_bad_response(local: LocalServer, answer: Any) -> None:
    local.routes[DW_PATH + PPK1_QUERY] = (200, answer)
    with pytest.raises(SourceBadResponse):
        ppk1()


def test_unknown_person_is_no_packages(local: LocalServer) -> None:
    local.routes[DW_PATH + PPK1_QUERY] = (404, {"error": "not_found"})
    assert ppk1() == ()


def test_source_down_is_unavailable(settings: Any) -> None:
    point_all_sources_at(settings, closed_port_url())
    switch_on(settings)
    settings.INTEGRATION_RETRIES = 0
    with pytest.raises(SourceUnavailable):
        ppk1(clock=FakeClock())


# --- The simulator over loopback HTTP ------------------------------------------------


@pytest.fixture
def simulator(settings: Any, standalone_simulator: str) -> str:
    point_all_sources_at(settings, standalone_simulator)
    switch_on(settings)
    return standalone_simulator


def test_ppk1_at_lpse_119_gets_the_demo_tenders(simulator: str) -> None:
    packages = ppk1()
    assert [(p.kind, p.code) for p in packages][:2] == [
        ("tender", "9537119"),
        ("tender", "9541119"),
    ]
    assert ("non_tender", "10234119") in [(p.kind, p.code) for p in packages]
    first = packages[0]
    assert first.peran == "ppk" and first.status == "Tender Sedang Berlangsung"
    assert first.nama_paket == "Pengadaan Perangkat Jaringan dan Server Pusat Data LKPP"


def test_pakpa1_gets_rup_44604827_from_sirup(simulator: str) -> None:
    packages = own_packages("sirup", kd_lpse=0, user_id="pakpa1", role="pa_kpa")
    assert packages[0].kind == "rup" and packages[0].code == "44604827"
    assert {p.kind for p in packages} == {"rup"}


def test_the_same_user_id_at_another_lpse_is_another_person(simulator: str) -> None:
    other = own_packages("dw", kd_lpse=10, user_id="ppk1", role="ppk")
    assert other and all(p.code.endswith("010") for p in other)
    assert other == own_packages("dw", kd_lpse=10, user_id="ppk1", role="ppk")  # deterministic
    assert {p.code for p in other}.isdisjoint({p.code for p in ppk1()})


def test_a_bidder_is_listed_as_participant_and_kuppbj_gets_none(simulator: str) -> None:
    bidder = own_packages("dw", kd_lpse=119, user_id="penyedia1", role="pelaku_usaha")
    assert bidder and {p.peran for p in bidder} == {"peserta"}
    assert own_packages("dw", kd_lpse=119, user_id="kuppbj1", role="kuppbj") == ()
