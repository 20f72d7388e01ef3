"""The simulator's data endpoints over real HTTP (and its catalogue, in-process)."""

import datetime
import json
import time
import urllib.error
import urllib.request
from dataclasses import asdict

import pytest

from lib.demo_lpses import LPSE_BY_CODE
from simulator.data import catalogue as data

TENDER_FIELDS = {
    "kd_tender",
    "nama_paket",
    "pagu",
    "hps",
    "kd_rup",
    "kd_klpd",
    "nama_klpd",
    "kd_satker",
    "nama_satker",
    "kd_lpse",
    "nama_lpse",
    "jenis_pengadaan",
    "mtd_pemilihan",
    "status_tender",
    "tahun_anggaran",
    "jadwal",
}
STAGE_FIELDS = {"kd_tahapan", "nama_tahapan", "tgl_awal", "tgl_akhir"}
CATALOG_FIELDS = {
    "kd_paket",
    "nama_paket",
    "nama_penyedia",
    "nama_instansi",
    "status_paket",
    "nilai_kontrak",
    "tanggal_buat",
}
RUP_FIELDS = {
    "kd_rup",
    "nama_paket",
    "kd_klpd",
    "nama_klpd",
    "nama_satker",
    "pagu",
    "mtd_pemilihan",
    "tahun_anggaran",
}
TOKENS = {"dw": "dev-dw-token", "katalog": "dev-katalog-token", "sirup": "dev-sirup-token"}
TENDER_STAGE_NAMES = [stage[1] for stage in data.TENDER_STAGES]
NON_TENDER_STAGE_NAMES = [stage[1] for stage in data.NON_TENDER_STAGES]
HOUR = datetime.timedelta(hours=1)


class Answer:
    def __init__(self, status: int, headers, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body.decode())


def call(
    base_url: str,
    path: str,
    *,
    source: str = "dw",
    token: str | None = None,
    fault: str | None = None,
    method: str = "GET",
    timeout: float = 10,
) -> Answer:
    headers = {"Authorization": f"Bearer {token or TOKENS[source]}"}
    if token == "":
        headers = {}
    if fault is not None:
        headers["X-Simulator-Fault"] = fault
    body = b"{}" if method == "POST" else None
    request = urllib.request.Request(base_url + path, data=body, headers=headers, method=method)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=timeout) as response:
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers, error.read())


def tender(base_url: str, code: int | str, **kwargs) -> dict:
    answer = call(base_url, f"/dw/api/v1/tender/{code}/", **kwargs)
    assert answer.status == 200, answer.body
    return answer.json()


def times(stage: dict) -> tuple[datetime.datetime, datetime.datetime]:
    return (
        datetime.datetime.fromisoformat(stage["tgl_awal"]),
        datetime.datetime.fromisoformat(stage["tgl_akhir"]),
    )


def current_stage(record: dict, now: datetime.datetime) -> dict | None:
    running = [s for s in record["jadwal"] if times(s)[0] <= now < times(s)[1]]
    return running[-1] if running else None


def now_utc() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


# --- endpoints: found, unknown, 401, 405 ------------------------------------------------

ENDPOINTS = [
    ("dw", "/dw/api/v1/tender/9537119/", "/dw/api/v1/tender/1234119/", TENDER_FIELDS),
    ("dw", "/dw/api/v1/nontender/10234119/", "/dw/api/v1/nontender/9537119/", TENDER_FIELDS),
    (
        "katalog",
        "/katalog/api/v1/paket/EPURCH-2026-00123/",
        "/katalog/api/v1/paket/EPURCH-2026-99999/",
        CATALOG_FIELDS,
    ),
    ("sirup", "/sirup/api/v1/rup/44604827/", "/sirup/api/v1/rup/12/", RUP_FIELDS),
]


@pytest.mark.parametrize(("source", "found", "unknown", "fields"), ENDPOINTS)
def test_endpoint_answers_found_unknown_unauthorized_and_wrong_method(
    standalone_simulator, source, found, unknown, fields
):
    answer = call(standalone_simulator, found, source=source)
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    assert set(answer.json()) == fields

    missing = call(standalone_simulator, unknown, source=source)
    assert missing.status == 404
    assert missing.headers["Content-Type"] == "application/json; charset=utf-8"
    assert missing.json()["error"] == "not_found"
    assert "tidak ditemukan" in missing.json()["message"]

    for token in ("", "salah"):
        denied = call(standalone_simulator, found, source=source, token=token)
        assert denied.status == 401
        assert denied.json()["error"] == "unauthorized"
    # Each source has its own token.
    other = next(name for name in TOKENS if name != source)
    assert call(standalone_simulator, found, token=TOKENS[other]).status == 401

    for method in ("POST", "PUT", "DELETE"):
        refused = call(standalone_simulator, found, source=source, method=method)
        assert refused.status == 405
        assert refused.headers["Allow"] == "GET"
        assert refused.json()["error"] == "method_not_allowed"


def test_non_numeric_tender_code_is_a_json_404(standalone_simulator):
    answer = call(standalone_simulator, "/dw/api/v1/tender/abc/")
    assert answer.status == 404
    assert answer.json()["error"] == "not_found"


def test_catalog_and_rup_shapes(standalone_simulator):
    package = call(
        standalone_simulator, "/katalog/api/v1/paket/EPURCH-2026-00123/", source="katalog"
    ).json()
    assert package["status_paket"] == "Dalam Pengiriman"
    assert isinstance(package["nilai_kontrak"], int)
    created = datetime.datetime.fromisoformat(package["tanggal_buat"])
    assert created.utcoffset() == 7 * HOUR
    assert created < now_utc()

    plan = call(standalone_simulator, "/sirup/api/v1/rup/44604827/", source="sirup").json()
    assert plan["kd_rup"] == 44604827
    assert plan["tahun_anggaran"] == now_utc().astimezone(created.tzinfo).year
    # The RUP of demo tender 9537119 describes the same package.
    demo = tender(standalone_simulator, 9537119)
    assert demo["kd_rup"] == 44604827
    assert plan["nama_paket"] == demo["nama_paket"]
    assert plan["pagu"] == demo["pagu"]


# --- the fixed demo codes ---------------------------------------------------------------

# code, kind, offset (h), status, running stage (or None), ends_at - now window (hours)
DEMO = [
    (9537119, "tender", 7, data.STATUS_ACTIVE, "Upload Dokumen Penawaran", (4.5, 5)),
    (
        9538119,
        "tender",
        7,
        data.STATUS_ACTIVE,
        "Evaluasi Administrasi, Kualifikasi, Teknis, dan Harga",
        (71, 72),
    ),
    (9541119, "tender", 7, data.STATUS_ACTIVE, "Masa Sanggah", (22.5, 23)),
    (9542119, "tender", 7, data.STATUS_ACTIVE, "Upload Dokumen Penawaran", (24.5, 25)),
    (8801071, "tender", 8, data.STATUS_ACTIVE, "Upload Dokumen Penawaran", (2.5, 3)),
    (8802093, "tender", 9, data.STATUS_ACTIVE, "Pembukaan Dokumen Penawaran", (7.5, 8)),
    (10234119, "nontender", 7, data.STATUS_ACTIVE, "Upload Dokumen Penawaran", (5.5, 6)),
    (9540119, "tender", 7, data.STATUS_CANCELLED, "Upload Dokumen Penawaran", (9.5, 10)),
]


@pytest.mark.parametrize(("code", "kind", "offset", "status", "stage", "window"), DEMO)
def test_demo_code_is_in_its_promised_stage(
    standalone_simulator, code, kind, offset, status, stage, window
):
    before = now_utc()
    record = call(standalone_simulator, f"/dw/api/v1/{kind}/{code}/").json()
    assert set(record) == TENDER_FIELDS
    assert record["kd_tender"] == code
    assert record["status_tender"] == status
    assert record["kd_lpse"] == code % 1000
    assert record["nama_lpse"] == LPSE_BY_CODE[code % 1000].nama_lpse
    assert_schedule_is_consistent(record, kind == "nontender", offset)

    running = current_stage(record, before)
    assert running is not None
    assert running["nama_tahapan"] == stage
    remaining = (times(running)[1] - before) / HOUR
    assert window[0] <= remaining <= window[1]


def assert_schedule_is_consistent(record: dict, non_tender: bool, offset_hours: int) -> None:
    names = NON_TENDER_STAGE_NAMES if non_tender else TENDER_STAGE_NAMES
    assert [stage["nama_tahapan"] for stage in record["jadwal"]] == names
    previous_end = None
    for stage in record["jadwal"]:
        assert set(stage) == STAGE_FIELDS
        start, end = times(stage)
        assert start.utcoffset() == end.utcoffset() == offset_hours * HOUR
        assert start.isoformat().endswith(f"+{offset_hours:02d}:00")
        assert start < end
        if previous_end is not None:
            assert previous_end <= start
        previous_end = end


def test_finished_and_failed_demo_tenders_lie_wholly_in_the_past(standalone_simulator):
    now = now_utc()
    for code, status in ((9539119, data.STATUS_FINISHED), (9543119, data.STATUS_FAILED)):
        record = tender(standalone_simulator, code)
        assert record["status_tender"] == status
        assert_schedule_is_consistent(record, False, 7)
        assert all(times(stage)[1] < now for stage in record["jadwal"])


def test_tahun_anggaran_is_the_current_year(standalone_simulator):
    record = tender(standalone_simulator, 8802093)
    assert record["tahun_anggaran"] == now_utc().astimezone(LPSE_BY_CODE[93].tzinfo).year


# --- code shape and determinism ---------------------------------------------------------


def test_every_code_ends_in_its_zero_padded_kd_lpse():
    cat = data.catalogue()
    specs = [*cat.tenders.values(), *cat.non_tenders.values()]
    assert len(cat.tenders) >= 300
    assert {spec.kd_lpse for spec in specs} == set(LPSE_BY_CODE)
    for spec in specs:
        text = str(spec.kd_tender)
        assert 7 <= len(text) <= 11
        assert text[-3:] == f"{spec.kd_lpse:03d}"
        assert data.reserved_fault(text) is None
    assert all(len(str(code)) == 8 for code in cat.rups)
    assert len(cat.rups) >= 300
    assert len(cat.catalog) == 300


def test_generated_codes_answer_over_http(standalone_simulator):
    cat = data.catalogue()
    # An LPSE 10 code ends in 010 and names that LPSE.
    code = next(code for code, spec in cat.tenders.items() if spec.kd_lpse == 10)
    assert str(code).endswith("010")
    assert tender(standalone_simulator, code)["nama_lpse"] == "LPSE Kota Surabaya"
    kd_rup = cat.tenders[code].kd_rup
    plan = call(standalone_simulator, f"/sirup/api/v1/rup/{kd_rup}/", source="sirup")
    assert plan.status == 200


def without_times(record: dict) -> dict:
    return {
        **record,
        "jadwal": [
            {key: value for key, value in stage.items() if not key.startswith("tgl_")}
            for stage in record["jadwal"]
        ],
    }


def test_two_requests_agree_apart_from_times(standalone_simulator):
    code = sorted(data.catalogue().tenders)[17]
    first = tender(standalone_simulator, code)
    second = tender(standalone_simulator, code)
    assert without_times(first) == without_times(second)
    # The process serving HTTP builds the same catalogue as this one (same default seed).
    in_process = data.render_tender(data.catalogue().tenders[code])
    assert without_times(first) == without_times(in_process)


def test_same_seed_same_data_and_schedules_move_with_now():
    one, two = data.build_catalogue(7), data.build_catalogue(7)
    assert [asdict(spec) for spec in one.tenders.values()] == [
        asdict(spec) for spec in two.tenders.values()
    ]
    assert one.catalog == two.catalog
    assert one.rups == two.rups
    other = data.build_catalogue(8)
    assert set(other.tenders) != set(one.tenders)
    assert 9537119 in other.tenders  # demo codes do not depend on the seed

    spec = one.tenders[9537119]
    now = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)
    later = now + datetime.timedelta(hours=6)
    a, b = data.render_tender(spec, now), data.render_tender(spec, later)
    assert without_times(a) == without_times(b)
    for stage_a, stage_b in zip(a["jadwal"], b["jadwal"], strict=True):
        assert times(stage_b)[0] - times(stage_a)[0] == datetime.timedelta(hours=6)


# --- statistics over the generated tenders -----------------------------------------------


def category(record: dict, now: datetime.datetime) -> str:
    status = record["status_tender"]
    if status != data.STATUS_ACTIVE:
        return status
    stage = current_stage(record, now)
    if stage is None:
        return "active, between stages"
    if stage["nama_tahapan"] in data.DEADLINE_BOUND_STAGES and times(stage)[1] - now <= 24 * HOUR:
        return "deadline"
    return "active"


@pytest.mark.parametrize("non_tender", [False, True])
def test_every_category_is_represented_at_any_moment(non_tender):
    for now in (now_utc(), now_utc() + datetime.timedelta(days=40)):
        counts: dict[str, int] = {}
        for record in data.all_tenders(now, non_tender=non_tender):
            name = category(record, now)
            counts[name] = counts.get(name, 0) + 1
        assert counts.get("active, between stages", 0) == 0
        minimum = 3 if non_tender else 10
        for name in (
            "deadline",
            "active",
            data.STATUS_FINISHED,
            data.STATUS_CANCELLED,
            data.STATUS_FAILED,
        ):
            assert counts.get(name, 0) >= minimum, (name, counts)


# --- faults ------------------------------------------------------------------------------


def test_slow_fault_by_header_times_out_a_short_client(standalone_simulator):
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        call(standalone_simulator, "/dw/api/v1/tender/9537119/", fault="slow=1", timeout=0.5)
    started = time.monotonic()
    answer = call(standalone_simulator, "/dw/api/v1/tender/9537119/", fault="slow=1")
    assert answer.status == 200
    assert time.monotonic() - started >= 1


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("/dw/api/v1/tender/9991119/", "dw"),
        ("/dw/api/v1/nontender/9991119/", "dw"),
        ("/katalog/api/v1/paket/EPURCH-SLOW-1/", "katalog"),
        ("/sirup/api/v1/rup/99910001/", "sirup"),
    ],
)
def test_slow_fault_by_reserved_code(standalone_simulator, path, source):
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        call(standalone_simulator, path, source=source, timeout=0.5)


@pytest.mark.parametrize(
    ("path", "source", "fault", "status"),
    [
        ("/dw/api/v1/tender/9537119/", "dw", "error=503", 503),
        ("/dw/api/v1/tender/9537119/", "dw", "error=500", 500),
        ("/dw/api/v1/tender/9995119/", "dw", None, 503),
        ("/dw/api/v1/nontender/9995119/", "dw", None, 503),
        ("/katalog/api/v1/paket/EPURCH-2026-00123/", "katalog", "error=502", 502),
        ("/katalog/api/v1/paket/EPURCH-ERROR-1/", "katalog", None, 503),
        ("/sirup/api/v1/rup/44604827/", "sirup", "error=503", 503),
        ("/sirup/api/v1/rup/99950001/", "sirup", None, 503),
    ],
)
def test_error_fault(standalone_simulator, path, source, fault, status):
    answer = call(standalone_simulator, path, source=source, fault=fault)
    assert answer.status == status
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    assert answer.json()["error"] == "server_error"


@pytest.mark.parametrize(
    ("path", "source", "fault"),
    [
        ("/dw/api/v1/tender/9537119/", "dw", "malformed"),
        ("/dw/api/v1/tender/9997119/", "dw", None),
        ("/dw/api/v1/nontender/9997119/", "dw", None),
        ("/katalog/api/v1/paket/EPURCH-2026-00123/", "katalog", "malformed"),
        ("/katalog/api/v1/paket/EPURCH-BROKEN-1/", "katalog", None),
        ("/sirup/api/v1/rup/44604827/", "sirup", "malformed"),
        ("/sirup/api/v1/rup/99970001/", "sirup", None),
    ],
)
def test_malformed_fault(standalone_simulator, path, source, fault):
    answer = call(standalone_simulator, path, source=source, fault=fault)
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    assert answer.body
    with pytest.raises(json.JSONDecodeError):
        json.loads(answer.body.decode())


def test_faults_still_require_the_token(standalone_simulator):
    answer = call(standalone_simulator, "/dw/api/v1/tender/9995119/", token="salah")
    assert answer.status == 401


@pytest.mark.parametrize("value", ["slow=31", "slow=x", "error=404", "explode", "malformed=1"])
def test_unknown_fault_header_is_a_400(standalone_simulator, value):
    answer = call(standalone_simulator, "/dw/api/v1/tender/9537119/", fault=value)
    assert answer.status == 400
    assert answer.json()["error"] == "bad_fault"


def test_existing_index_page_still_works(standalone_simulator):
    answer = call(standalone_simulator, "/", token="")
    assert answer.status == 200
    assert b"<html" in answer.body.lower()


# --- "paket saya": whose packages are whose ------------------------------------------


def test_own_packages_of_the_demo_ppk_and_pa_kpa(standalone_simulator):
    dw = call(standalone_simulator, "/dw/api/v1/paket-saya/?kd_lpse=119&user_id=ppk1&peran=ppk")
    assert dw.status == 200
    assert [item["kode"] for item in dw.json()["paket"]][:1] == ["9537119"]
    assert set(dw.json()["paket"][0]) == {
        "jenis", "kode", "nama_paket", "peran", "status", "tahun_anggaran"
    }  # fmt: skip
    sirup = call(
        standalone_simulator,
        "/sirup/api/v1/paket-saya/?kd_lpse=0&user_id=pakpa1&peran=pa_kpa",
        source="sirup",
    )
    assert sirup.status == 200
    assert sirup.json()["paket"][0] == {
        "jenis": "rup",
        "kode": "44604827",
        "nama_paket": "Pengadaan Perangkat Jaringan dan Server Pusat Data LKPP",
        "peran": "pa_kpa",
        "status": "Terumumkan",
        "tahun_anggaran": sirup.json()["paket"][0]["tahun_anggaran"],
    }


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?kd_lpse=x&user_id=ppk1&peran=ppk",
        "?kd_lpse=119&peran=ppk",
        "?kd_lpse=119&user_id=ppk1",
    ],
)
def test_own_packages_needs_the_whole_identity(standalone_simulator, query):
    answer = call(standalone_simulator, "/dw/api/v1/paket-saya/" + query)
    assert answer.status == 400 and answer.json()["error"] == "bad_request"


def test_own_packages_needs_the_token_and_honours_faults(standalone_simulator):
    path = "/dw/api/v1/paket-saya/?kd_lpse=119&user_id=ppk1&peran=ppk"
    assert call(standalone_simulator, path, token="wrong").status == 401
    assert call(standalone_simulator, path, fault="error=503").status == 503
    unknown = call(standalone_simulator, "/dw/api/v1/paket-saya/?kd_lpse=999&user_id=z&peran=ppk")
    assert unknown.status == 200 and unknown.json() == {"paket": []}
