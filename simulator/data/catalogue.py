"""The synthetic data of the Data Warehouse LKPP, Katalog and SiRUP endpoints.

Everything is built once from a seed (``random.Random(seed)``): the same seed gives the
same packages, codes and values. Tender schedules are stored as offsets from "now" and
turned into times per request (`render_tender`), so the data is deterministic yet always
live: a tender promised to be in "Upload Dokumen Penawaran" is in it whenever you ask.
"Now" is floored to the minute, so two requests in the same minute agree exactly.

Fixed demo codes (the same for every seed; ``E`` = Emergency, ``J`` = Major, DESIGN §5:
blocking category + deadline-bound stage ending within 24 h → Emergency; an active
tender raises the base priority one level, at most to Major; finished/cancelled/failed
never raise):

==================  ====  ==============================================  ==========================
Code                LPSE  Stage / status (relative to now)                Priority it should give
==================  ====  ==============================================  ==========================
9537119 (tender)    119   Upload Dokumen Penawaran, ends in ~5 h;         E if blocking, else base+1
                          Tender Sedang Berlangsung                       (max J)
9538119 (tender)    119   Evaluasi Administrasi, Kualifikasi, Teknis,     base+1 (max J)
                          dan Harga, ends in ~3 days; berlangsung
9539119 (tender)    119   Tender Sudah Selesai, all stages in the past    base (never raised)
9540119 (tender)    119   Tender Batal (its plan still shows Upload       base (never raised)
                          Dokumen Penawaran ending in ~10 h)
9541119 (tender)    119   Masa Sanggah, ends in ~23 h; berlangsung        E if blocking, else base+1
9542119 (tender)    119   Upload Dokumen Penawaran, ends in ~25 h         base+1 (max J): just past
                          (just outside 24 h); berlangsung                the 24 h window
9543119 (tender)    119   Tender Gagal, all stages in the past            base (never raised)
8801071 (tender)    71    WITA (+08:00) Upload Dokumen Penawaran,         E if blocking, else base+1
                          ends in ~3 h; berlangsung
8802093 (tender)    93    WIT (+09:00) Pembukaan Dokumen Penawaran,       E if blocking, else base+1
                          ends in ~8 h; berlangsung
10234119 (non-      119   Pengadaan Langsung, Upload Dokumen Penawaran,   E if blocking, else base+1
tender)                   ends in ~6 h; berlangsung
EPURCH-2026-00123   -     Katalog package, "Dalam Pengiriman"             base (no tender rule)
44604827 (RUP)      -     SiRUP entry of tender 9537119                   base (no tender rule)
==================  ====  ==============================================  ==========================

Reserved codes trigger a fault without any request header (so a fault can be provoked
from the app's UI): tender/non-tender/RUP codes starting with ``9991`` answer after 5 s,
``9995`` answer 503, ``9997`` answer 200 with malformed JSON (e.g. 9991119, 9995119,
9997119, 99910001); katalog codes ``EPURCH-SLOW-…``, ``EPURCH-ERROR-…``, ``EPURCH-BROKEN-…``
likewise.
"""

import datetime
import functools
import os
import random
from dataclasses import dataclass
from typing import Any

from lib.demo_lpses import LPSE_BY_CODE, LPSES, Klpd, Lpse

DEFAULT_SEED = 20260101
TENDER_COUNT = 360
NON_TENDER_COUNT = 90
EXTRA_RUP_COUNT = 120
CATALOG_COUNT = 300

STATUS_ACTIVE = "Tender Sedang Berlangsung"
STATUS_FINISHED = "Tender Sudah Selesai"
STATUS_CANCELLED = "Tender Batal"
STATUS_FAILED = "Tender Gagal"

HOUR = 3600
DAY = 24 * HOUR

# (kd_tahapan, nama_tahapan, shortest and longest duration in hours), in order (REFERENCE).
TENDER_STAGES: tuple[tuple[str, str, int, int], ...] = (
    ("PENGUMUMAN_LELANG", "Pengumuman Pascakualifikasi", 24, 72),
    ("AMBIL_DOKUMEN", "Download Dokumen Pemilihan", 48, 96),
    ("PENJELASAN", "Pemberian Penjelasan", 24, 72),
    ("PEMASUKAN_PENAWARAN", "Upload Dokumen Penawaran", 72, 168),
    ("PEMBUKAAN_PENAWARAN", "Pembukaan Dokumen Penawaran", 12, 24),
    ("EVALUASI_PENAWARAN", "Evaluasi Administrasi, Kualifikasi, Teknis, dan Harga", 96, 168),
    ("PEMBUKTIAN_KUALIFIKASI", "Pembuktian Kualifikasi", 24, 72),
    ("PENETAPAN_PEMENANG_AKHIR", "Penetapan Pemenang", 24, 48),
    ("PENGUMUMAN_PEMENANG_AKHIR", "Pengumuman Pemenang", 24, 48),
    ("MASA_SANGGAH_AKHIR", "Masa Sanggah", 72, 120),
    ("PENUNJUKAN_PEMENANG", "Surat Penunjukan Penyedia Barang/Jasa", 48, 120),
    ("TANDATANGAN_KONTRAK", "Penandatanganan Kontrak", 48, 168),
)
# Pengadaan/Penunjukan Langsung: shorter, with negotiation and no Masa Sanggah.
NON_TENDER_STAGES: tuple[tuple[str, str, int, int], ...] = (
    ("PENGUMUMAN_NON_TENDER", "Pengumuman Non Tender", 24, 48),
    ("AMBIL_DOKUMEN", "Download Dokumen Pemilihan", 24, 72),
    ("PENJELASAN", "Pemberian Penjelasan", 12, 24),
    ("PEMASUKAN_PENAWARAN", "Upload Dokumen Penawaran", 48, 96),
    ("PEMBUKAAN_PENAWARAN", "Pembukaan Dokumen Penawaran", 12, 24),
    ("EVALUASI_PENAWARAN", "Evaluasi Penawaran", 24, 72),
    ("KLARIFIKASI_NEGOSIASI", "Klarifikasi dan Negosiasi Teknis dan Biaya", 24, 72),
    ("PENETAPAN_PEMENANG", "Penetapan Pemenang", 12, 24),
    ("PENGUMUMAN_PEMENANG", "Pengumuman Pemenang", 12, 24),
    ("TANDATANGAN_KONTRAK", "Penandatanganan Kontrak", 24, 96),
)
DEADLINE_BOUND_STAGES = frozenset(
    {"Upload Dokumen Penawaran", "Pembukaan Dokumen Penawaran", "Masa Sanggah"}
)

JENIS_PENGADAAN = (
    "Pengadaan Barang",
    "Pekerjaan Konstruksi",
    "Jasa Konsultansi Badan Usaha",
    "Jasa Lainnya",
)
CATALOG_STATUSES = (
    "Menunggu Persetujuan PPK",
    "Proses Negosiasi",
    "Dalam Pengiriman",
    "Selesai",
)

# Reserved code prefixes → fault, for tender, non-tender and RUP codes.
RESERVED_PREFIXES: dict[str, str] = {"9991": "slow", "9995": "error", "9997": "malformed"}
RESERVED_CATALOG_PREFIXES: dict[str, str] = {
    "EPURCH-SLOW-": "slow",
    "EPURCH-ERROR-": "error",
    "EPURCH-BROKEN-": "malformed",
}


@dataclass(frozen=True)
class TenderSpec:
    """A tender or non-tender, its schedule kept as (start, end) seconds from now."""

    kd_tender: int
    nama_paket: str
    pagu: int
    hps: int
    kd_rup: int
    klpd: Klpd
    kd_satker: str
    nama_satker: str
    kd_lpse: int
    jenis_pengadaan: str
    mtd_pemilihan: str
    status_tender: str
    is_non_tender: bool
    offsets: tuple[tuple[int, int], ...]

    @property
    def lpse(self) -> Lpse:
        return LPSE_BY_CODE[self.kd_lpse]

    @property
    def stages(self) -> tuple[tuple[str, str, int, int], ...]:
        return NON_TENDER_STAGES if self.is_non_tender else TENDER_STAGES


@dataclass(frozen=True)
class CatalogSpec:
    kd_paket: str
    nama_paket: str
    nama_penyedia: str
    nama_instansi: str
    status_paket: str
    nilai_kontrak: int
    created_offset: int  # seconds before now


@dataclass(frozen=True)
class RupSpec:
    kd_rup: int
    nama_paket: str
    klpd: Klpd
    nama_satker: str
    pagu: int
    mtd_pemilihan: str


@dataclass(frozen=True)
class Catalogue:
    tenders: dict[int, TenderSpec]
    non_tenders: dict[int, TenderSpec]
    catalog: dict[str, CatalogSpec]
    rups: dict[int, RupSpec]


# --- rendering ------------------------------------------------------------------------


def floor_now(now: datetime.datetime | None = None) -> datetime.datetime:
    """Now (aware, UTC) floored to the minute, the instant schedules are placed from."""
    now = now or datetime.datetime.now(datetime.UTC)
    return now.astimezone(datetime.UTC).replace(second=0, microsecond=0)


def render_tender(spec: TenderSpec, now: datetime.datetime | None = None) -> dict[str, Any]:
    """The Data Warehouse JSON of a tender, its schedule placed relative to `now`."""
    base = floor_now(now)
    tz = spec.lpse.tzinfo
    jadwal = [
        {
            "kd_tahapan": kd_tahapan,
            "nama_tahapan": nama_tahapan,
            "tgl_awal": (base + datetime.timedelta(seconds=start)).astimezone(tz).isoformat(),
            "tgl_akhir": (base + datetime.timedelta(seconds=end)).astimezone(tz).isoformat(),
        }
        for (kd_tahapan, nama_tahapan, _, _), (start, end) in zip(
            spec.stages, spec.offsets, strict=True
        )
    ]
    return {
        "kd_tender": spec.kd_tender,
        "nama_paket": spec.nama_paket,
        "pagu": spec.pagu,
        "hps": spec.hps,
        "kd_rup": spec.kd_rup,
        "kd_klpd": spec.klpd.kd_klpd,
        "nama_klpd": spec.klpd.nama_klpd,
        "kd_satker": spec.kd_satker,
        "nama_satker": spec.nama_satker,
        "kd_lpse": spec.kd_lpse,
        "nama_lpse": spec.lpse.nama_lpse,
        "jenis_pengadaan": spec.jenis_pengadaan,
        "mtd_pemilihan": spec.mtd_pemilihan,
        "status_tender": spec.status_tender,
        "tahun_anggaran": base.astimezone(tz).year,
        "jadwal": jadwal,
    }


def render_catalog(spec: CatalogSpec, now: datetime.datetime | None = None) -> dict[str, Any]:
    """The Katalog JSON of a package; Katalog is national and speaks WIB."""
    wib = LPSE_BY_CODE[119].tzinfo
    created = floor_now(now) - datetime.timedelta(seconds=spec.created_offset)
    return {
        "kd_paket": spec.kd_paket,
        "nama_paket": spec.nama_paket,
        "nama_penyedia": spec.nama_penyedia,
        "nama_instansi": spec.nama_instansi,
        "status_paket": spec.status_paket,
        "nilai_kontrak": spec.nilai_kontrak,
        "tanggal_buat": created.astimezone(wib).isoformat(),
    }


def render_rup(spec: RupSpec, now: datetime.datetime | None = None) -> dict[str, Any]:
    """The SiRUP JSON of a procurement plan entry."""
    wib = LPSE_BY_CODE[119].tzinfo
    return {
        "kd_rup": spec.kd_rup,
        "nama_paket": spec.nama_paket,
        "kd_klpd": spec.klpd.kd_klpd,
        "nama_klpd": spec.klpd.nama_klpd,
        "nama_satker": spec.nama_satker,
        "pagu": spec.pagu,
        "mtd_pemilihan": spec.mtd_pemilihan,
        "tahun_anggaran": floor_now(now).astimezone(wib).year,
    }


# --- schedules ------------------------------------------------------------------------


def _durations(rng: random.Random, stages: tuple[tuple[str, str, int, int], ...]) -> list[int]:
    return [rng.randint(low, high) * HOUR for _, _, low, high in stages]


def _schedule(durations: list[int], index: int, ends_in: int) -> tuple[tuple[int, int], ...]:
    """Back-to-back stages where stage `index` ends `ends_in` seconds from now."""
    end = ends_in
    for duration in durations[index + 1 :]:
        end += duration
    offsets: list[tuple[int, int]] = []
    for duration in reversed(durations):
        offsets.append((end - duration, end))
        end -= duration
    return tuple(reversed(offsets))


def _stage_index(stages: tuple[tuple[str, str, int, int], ...], name: str) -> int:
    return next(i for i, stage in enumerate(stages) if stage[1] == name)


def _minutes(seconds: float) -> int:
    # Whole minutes keep rendered times tidy (…:00 seconds) like SPSE's.
    return int(seconds) // 60 * 60


def _random_schedule(
    rng: random.Random, category: str, non_tender: bool
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A status and a schedule for one of the categories the statistics test counts."""
    stages = NON_TENDER_STAGES if non_tender else TENDER_STAGES
    durations = _durations(rng, stages)
    deadline = [i for i, stage in enumerate(stages) if stage[1] in DEADLINE_BOUND_STAGES]
    if category == "deadline":
        index = rng.choice(deadline)
        ends_in = rng.randint(20 * 60, 23 * HOUR + 30 * 60)
        durations[index] = max(durations[index], ends_in + HOUR)
        return STATUS_ACTIVE, _schedule(durations, index, _minutes(ends_in))
    if category == "active":
        index = rng.randrange(len(stages))
        # Deadline-bound stages here end beyond 24 h: the "deadline" category is separate.
        low = 25 * HOUR if index in deadline else 30 * 60
        durations[index] = max(durations[index], low + HOUR)
        ends_in = rng.randint(low, durations[index])
        return STATUS_ACTIVE, _schedule(durations, index, _minutes(ends_in))
    if category == "finished":
        ended_ago = rng.randint(1 * DAY, 120 * DAY)
        return STATUS_FINISHED, _schedule(durations, len(stages) - 1, -_minutes(ended_ago))
    # Cancelled or failed packages keep the schedule they were planned with.
    index = rng.randrange(len(stages))
    ends_in = rng.randint(-30 * DAY, 7 * DAY)
    status = STATUS_CANCELLED if category == "cancelled" else STATUS_FAILED
    return status, _schedule(durations, index, _minutes(ends_in))


# --- names and values -----------------------------------------------------------------

_REGIONAL_SATKERS = (
    "Dinas Pekerjaan Umum dan Penataan Ruang",
    "Dinas Kesehatan",
    "Dinas Pendidikan",
    "Dinas Perhubungan",
    "Dinas Lingkungan Hidup",
    "Badan Penanggulangan Bencana Daerah",
    "Sekretariat Daerah",
    "Rumah Sakit Umum Daerah",
    "Dinas Komunikasi dan Informatika",
    "Dinas Perumahan Rakyat dan Kawasan Permukiman",
)
_CENTRAL_SATKERS = (
    "Sekretariat Jenderal",
    "Biro Umum",
    "Biro Perencanaan dan Keuangan",
    "Pusat Data dan Informasi",
    "Direktorat Jenderal Bina Marga",
    "Inspektorat Jenderal",
    "Pusat Pendidikan dan Pelatihan",
)
_GOODS = (
    "Alat Kesehatan",
    "Komputer dan Laptop",
    "Kendaraan Operasional Roda Empat",
    "Meubelair Kantor",
    "Obat-obatan dan Bahan Medis Habis Pakai",
    "Perangkat Jaringan dan Server",
    "Alat Tulis Kantor",
    "Pakaian Dinas Harian",
    "Buku Bacaan Perpustakaan Sekolah",
    "Genset dan Panel Listrik",
)
_BUILDINGS = (
    "Gedung Kantor",
    "Puskesmas",
    "Gedung Sekolah Dasar",
    "Pasar Rakyat",
    "Gedung Serbaguna",
    "Rumah Susun",
)
_ROADS = ("Jalan Lingkar", "Jalan Poros Desa", "Jalan Kabupaten", "Jembatan Gantung")
_SERVICES = (
    "Jasa Kebersihan Gedung Kantor",
    "Jasa Keamanan Gedung Kantor",
    "Sewa Kendaraan Operasional",
    "Jasa Pemeliharaan AC dan Instalasi Listrik",
    "Jasa Penyelenggaraan Kegiatan Bimbingan Teknis",
    "Jasa Katering Rapat",
    "Jasa Asuransi Barang Milik Negara",
)
_CONSULTING = (
    "Jasa Konsultansi Perencanaan Pembangunan {what}",
    "Jasa Konsultansi Pengawasan Pembangunan {what}",
    "Penyusunan Detail Engineering Design (DED) {what}",
    "Penyusunan Studi Kelayakan {what}",
)
_COMPANY_WORDS = (
    "Karya",
    "Mandiri",
    "Sejahtera",
    "Nusantara",
    "Abadi",
    "Jaya",
    "Utama",
    "Sentosa",
    "Prima",
    "Makmur",
    "Indah",
    "Teknik",
)
_CATALOG_ITEMS = (
    ("Laptop Core i5 RAM 16 GB", 12_500_000),
    ("Printer Multifungsi A4", 4_200_000),
    ("Kertas HVS A4 80 gram (rim)", 55_000),
    ("Meja Kerja Staf", 2_100_000),
    ("Kursi Kerja Ergonomis", 1_650_000),
    ("Mobil Dinas Jenis MPV", 310_000_000),
    ("Sepeda Motor Dinas 150 cc", 28_000_000),
    ("Tablet Pembelajaran Siswa", 3_400_000),
    ("Proyektor LCD 4000 Lumen", 8_700_000),
    ("Ambulans Tipe Transportasi", 650_000_000),
    ("Tempat Tidur Pasien Elektrik", 42_000_000),
    ("Air Conditioner Split 2 PK", 7_900_000),
)


def _company(rng: random.Random) -> str:
    words = rng.sample(_COMPANY_WORDS, 2)
    return f"{rng.choice(('PT', 'PT', 'CV'))} {words[0]} {words[1]}"


def _satkers(rng: random.Random, klpd: Klpd) -> list[tuple[str, str]]:
    pool = _REGIONAL_SATKERS if klpd.is_regional else _CENTRAL_SATKERS
    names = rng.sample(pool, 5)
    if klpd.is_regional:
        names = [f"{name} {klpd.nama_klpd}" for name in names]
    return [(str(rng.randint(100_000, 999_999)), name) for name in names]


def _package(rng: random.Random, jenis: str, place: str) -> str:
    if jenis == "Pengadaan Barang":
        return f"Pengadaan {rng.choice(_GOODS)} {place}"
    if jenis == "Pekerjaan Konstruksi":
        if rng.random() < 0.5:
            verb = rng.choice(("Pembangunan", "Rehabilitasi", "Renovasi"))
            return f"{verb} {rng.choice(_BUILDINGS)} {place}"
        verb = rng.choice(("Peningkatan", "Rekonstruksi", "Pemeliharaan Berkala"))
        return f"{verb} {rng.choice(_ROADS)} Ruas {rng.randint(1, 40):02d} {place}"
    if jenis == "Jasa Konsultansi Badan Usaha":
        what = f"{rng.choice(_BUILDINGS)} {place}"
        return rng.choice(_CONSULTING).format(what=what)
    return f"{rng.choice(_SERVICES)} {place}"


def _place(klpd: Klpd) -> str:
    for prefix in ("Provinsi ", "Kabupaten ", "Kota "):
        if klpd.nama_klpd.startswith(prefix):
            return klpd.nama_klpd
    return ""


def _methods(rng: random.Random, jenis: str, non_tender: bool) -> tuple[str, int]:
    """Selection method and a pagu (rupiah) fitting its thresholds."""
    if non_tender:
        if rng.random() < 0.8:
            ceiling = 100_000_000 if jenis == "Jasa Konsultansi Badan Usaha" else 200_000_000
            return "Pengadaan Langsung", rng.randint(10_000, ceiling // 1000) * 1000
        return "Penunjukan Langsung", rng.randint(150_000, 5_000_000) * 1000
    if jenis == "Jasa Konsultansi Badan Usaha":
        return "Seleksi", rng.randint(150_000, 8_000_000) * 1000
    method = "Tender Cepat" if rng.random() < 0.15 else "Tender"
    # Works run far larger than goods or services (ceilings in thousands of rupiah).
    ceiling = 60_000_000 if jenis == "Pekerjaan Konstruksi" else 8_000_000
    return method, rng.randint(250_000, ceiling) * 1000


def _hps(rng: random.Random, pagu: int) -> int:
    # HPS is estimated below the ceiling and is rarely a round number.
    return int(pagu * rng.uniform(0.86, 0.995)) // 100 * 100


def _new_code(rng: random.Random, kd_lpse: int, taken: set[int]) -> int:
    """A fresh code of 7–11 digits ending in the zero-padded kd_lpse."""
    while True:
        digits = rng.choice((4, 5, 5, 5, 6, 7, 8))
        prefix = rng.randint(10 ** (digits - 1), 10**digits - 1)
        code = prefix * 1000 + kd_lpse
        if code not in taken and str(code)[:4] not in RESERVED_PREFIXES:
            taken.add(code)
            return code


def _random_tender(
    rng: random.Random,
    code: int,
    lpse: Lpse,
    kd_rup: int,
    non_tender: bool,
    category: str,
    satkers: dict[str, list[tuple[str, str]]],
) -> TenderSpec:
    klpd = rng.choice(lpse.klpds)
    kd_satker, nama_satker = rng.choice(satkers[klpd.kd_klpd])
    jenis = rng.choice(JENIS_PENGADAAN)
    method, pagu = _methods(rng, jenis, non_tender)
    status, offsets = _random_schedule(rng, category, non_tender)
    return TenderSpec(
        kd_tender=code,
        nama_paket=_package(rng, jenis, _place(klpd)).strip(),
        pagu=pagu,
        hps=_hps(rng, pagu),
        kd_rup=kd_rup,
        klpd=klpd,
        kd_satker=kd_satker,
        nama_satker=nama_satker,
        kd_lpse=lpse.kd_lpse,
        jenis_pengadaan=jenis,
        mtd_pemilihan=method,
        status_tender=status,
        is_non_tender=non_tender,
        offsets=offsets,
    )


_CATEGORIES = ("deadline", "active", "finished", "cancelled", "failed")
_CATEGORY_WEIGHTS = (12, 45, 23, 10, 10)


# --- fixed demo data --------------------------------------------------------------------


def _fixed_schedule(
    stage: str, ends_in_hours: float, non_tender: bool = False
) -> tuple[tuple[int, int], ...]:
    stages = NON_TENDER_STAGES if non_tender else TENDER_STAGES
    # Fixed durations (the midpoint of each range) so the demo schedule never changes.
    durations = [(low + high) // 2 * HOUR for _, _, low, high in stages]
    index = _stage_index(stages, stage)
    ends_in = int(ends_in_hours * HOUR)
    durations[index] = max(durations[index], ends_in + 2 * HOUR)
    return _schedule(durations, index, ends_in)


def _fixed_tenders() -> list[TenderSpec]:
    lkpp = LPSE_BY_CODE[119].klpds[0]
    makassar = LPSE_BY_CODE[71].klpds[0]
    jayapura = LPSE_BY_CODE[93].klpds[0]
    last = TENDER_STAGES[-1][1]

    def tender(
        code: int,
        name: str,
        status: str,
        offsets: tuple[tuple[int, int], ...],
        *,
        kd_rup: int,
        pagu: int,
        jenis: str = "Pengadaan Barang",
        method: str = "Tender",
        klpd: Klpd = lkpp,
        satker: tuple[str, str] = ("663721", "Biro Umum dan Keuangan"),
        non_tender: bool = False,
    ) -> TenderSpec:
        return TenderSpec(
            kd_tender=code,
            nama_paket=name,
            pagu=pagu,
            hps=pagu * 97 // 100 // 100 * 100,
            kd_rup=kd_rup,
            klpd=klpd,
            kd_satker=satker[0],
            nama_satker=satker[1],
            kd_lpse=code % 1000,
            jenis_pengadaan=jenis,
            mtd_pemilihan=method,
            status_tender=status,
            is_non_tender=non_tender,
            offsets=offsets,
        )

    dinas_pu_makassar = ("412087", "Dinas Pekerjaan Umum Kota Makassar")
    dinkes_jayapura = ("518844", "Dinas Kesehatan Kota Jayapura")
    return [
        tender(
            9537119,
            "Pengadaan Perangkat Jaringan dan Server Pusat Data LKPP",
            STATUS_ACTIVE,
            _fixed_schedule("Upload Dokumen Penawaran", 5),
            kd_rup=44604827,
            pagu=4_750_000_000,
        ),
        tender(
            9538119,
            "Jasa Konsultansi Pengembangan Sistem Informasi Pengadaan",
            STATUS_ACTIVE,
            _fixed_schedule("Evaluasi Administrasi, Kualifikasi, Teknis, dan Harga", 72),
            kd_rup=44604828,
            pagu=2_300_000_000,
            jenis="Jasa Konsultansi Badan Usaha",
            method="Seleksi",
        ),
        tender(
            9539119,
            "Pengadaan Meubelair Gedung Kantor LKPP",
            STATUS_FINISHED,
            _fixed_schedule(last, -10 * 24),
            kd_rup=44604829,
            pagu=850_000_000,
        ),
        tender(
            9540119,
            "Jasa Kebersihan Gedung Kantor LKPP",
            STATUS_CANCELLED,
            _fixed_schedule("Upload Dokumen Penawaran", 10),
            kd_rup=44604830,
            pagu=1_200_000_000,
            jenis="Jasa Lainnya",
        ),
        tender(
            9541119,
            "Renovasi Gedung Pusat Pendidikan dan Pelatihan Pengadaan",
            STATUS_ACTIVE,
            _fixed_schedule("Masa Sanggah", 23),
            kd_rup=44604831,
            pagu=6_400_000_000,
            jenis="Pekerjaan Konstruksi",
        ),
        tender(
            9542119,
            "Pengadaan Laptop dan Komputer Kerja Pegawai",
            STATUS_ACTIVE,
            _fixed_schedule("Upload Dokumen Penawaran", 25),
            kd_rup=44604832,
            pagu=1_950_000_000,
        ),
        tender(
            9543119,
            "Sewa Kendaraan Operasional Kantor",
            STATUS_FAILED,
            _fixed_schedule(last, -20 * 24),
            kd_rup=44604833,
            pagu=640_000_000,
            jenis="Jasa Lainnya",
        ),
        tender(
            8801071,
            "Peningkatan Jalan Lingkar Ruas 07 Kota Makassar",
            STATUS_ACTIVE,
            _fixed_schedule("Upload Dokumen Penawaran", 3),
            kd_rup=31207744,
            pagu=12_800_000_000,
            jenis="Pekerjaan Konstruksi",
            klpd=makassar,
            satker=dinas_pu_makassar,
        ),
        tender(
            8802093,
            "Pengadaan Alat Kesehatan Puskesmas Kota Jayapura",
            STATUS_ACTIVE,
            _fixed_schedule("Pembukaan Dokumen Penawaran", 8),
            kd_rup=38812093,
            pagu=3_150_000_000,
            klpd=jayapura,
            satker=dinkes_jayapura,
        ),
    ]


def _fixed_non_tenders() -> list[TenderSpec]:
    lkpp = LPSE_BY_CODE[119].klpds[0]
    return [
        TenderSpec(
            kd_tender=10234119,
            nama_paket="Pengadaan Alat Tulis Kantor Direktorat Pengembangan Sistem Katalog",
            pagu=185_000_000,
            hps=179_450_000,
            kd_rup=44604840,
            klpd=lkpp,
            kd_satker="663721",
            nama_satker="Biro Umum dan Keuangan",
            kd_lpse=119,
            jenis_pengadaan="Pengadaan Barang",
            mtd_pemilihan="Pengadaan Langsung",
            status_tender=STATUS_ACTIVE,
            is_non_tender=True,
            offsets=_fixed_schedule("Upload Dokumen Penawaran", 6, non_tender=True),
        )
    ]


FIXED_CATALOG = CatalogSpec(
    kd_paket="EPURCH-2026-00123",
    nama_paket="Laptop Core i5 RAM 16 GB untuk Sekolah Dasar (120 unit)",
    nama_penyedia="PT Nusantara Prima Teknologi",
    nama_instansi="Dinas Pendidikan Kota Surabaya",
    status_paket="Dalam Pengiriman",
    nilai_kontrak=1_500_000_000,
    created_offset=12 * DAY,
)


# --- the catalogue ----------------------------------------------------------------------


def _rup_from(spec: TenderSpec) -> RupSpec:
    return RupSpec(
        kd_rup=spec.kd_rup,
        nama_paket=spec.nama_paket,
        klpd=spec.klpd,
        nama_satker=spec.nama_satker,
        pagu=spec.pagu,
        mtd_pemilihan=spec.mtd_pemilihan,
    )


def _new_rup_code(rng: random.Random, taken: set[int]) -> int:
    while True:
        # 8 digits, below 9991…: never a reserved fault code.
        code = rng.randint(10_000_000, 89_999_999)
        if code not in taken:
            taken.add(code)
            return code


def build_catalogue(seed: int = DEFAULT_SEED) -> Catalogue:
    """Build every package from `seed`; the fixed demo codes are the same for any seed."""
    rng = random.Random(seed)
    fixed = _fixed_tenders()
    fixed_nt = _fixed_non_tenders()
    tenders = {spec.kd_tender: spec for spec in fixed}
    non_tenders = {spec.kd_tender: spec for spec in fixed_nt}
    rups = {spec.kd_rup: _rup_from(spec) for spec in [*fixed, *fixed_nt]}
    taken_codes = set(tenders) | set(non_tenders)
    taken_rups = set(rups)
    satkers = {klpd.kd_klpd: _satkers(rng, klpd) for lpse in LPSES for klpd in lpse.klpds}

    for count, non_tender, target in (
        (TENDER_COUNT, False, tenders),
        (NON_TENDER_COUNT, True, non_tenders),
    ):
        for _ in range(count):
            lpse = rng.choice(LPSES)
            category = rng.choices(_CATEGORIES, weights=_CATEGORY_WEIGHTS)[0]
            code = _new_code(rng, lpse.kd_lpse, taken_codes)
            kd_rup = _new_rup_code(rng, taken_rups)
            spec = _random_tender(rng, code, lpse, kd_rup, non_tender, category, satkers)
            target[code] = spec
            rups[kd_rup] = _rup_from(spec)

    # Plans not (yet) tendered: e-purchasing, self-managed work and future tenders.
    for _ in range(EXTRA_RUP_COUNT):
        klpd = rng.choice(rng.choice(LPSES).klpds)
        jenis = rng.choice(JENIS_PENGADAAN)
        method = rng.choice(("E-Purchasing", "E-Purchasing", "Swakelola", "Tender"))
        kd_rup = _new_rup_code(rng, taken_rups)
        rups[kd_rup] = RupSpec(
            kd_rup=kd_rup,
            nama_paket=_package(rng, jenis, _place(klpd)).strip(),
            klpd=klpd,
            nama_satker=rng.choice(satkers[klpd.kd_klpd])[1],
            pagu=rng.randint(50_000, 20_000_000) * 1000,
            mtd_pemilihan=method,
        )

    catalog: dict[str, CatalogSpec] = {}
    for number in range(1, CATALOG_COUNT + 1):
        catalog_spec = _random_catalog(rng, f"EPURCH-2026-{number:05d}", satkers)
        catalog[catalog_spec.kd_paket] = catalog_spec
    catalog[FIXED_CATALOG.kd_paket] = FIXED_CATALOG
    return Catalogue(tenders=tenders, non_tenders=non_tenders, catalog=catalog, rups=rups)


def _random_catalog(
    rng: random.Random, kd_paket: str, satkers: dict[str, list[tuple[str, str]]]
) -> CatalogSpec:
    item, unit_price = rng.choice(_CATALOG_ITEMS)
    quantity = rng.choice((1, 2, 5, 10, 20, 25, 50, 100))
    klpd = rng.choice(rng.choice(LPSES).klpds)
    return CatalogSpec(
        kd_paket=kd_paket,
        nama_paket=f"{item} ({quantity} unit)",
        nama_penyedia=_company(rng),
        nama_instansi=rng.choice(satkers[klpd.kd_klpd])[1] if klpd.is_regional else klpd.nama_klpd,
        status_paket=rng.choice(CATALOG_STATUSES),
        nilai_kontrak=unit_price * quantity,
        created_offset=_minutes(rng.randint(1 * HOUR, 90 * DAY)),
    )


def data_seed() -> int:
    """The seed in use: SIMULATOR_DATA_SEED, or the default."""
    value = os.environ.get("SIMULATOR_DATA_SEED", "")
    return int(value) if value.isdigit() else DEFAULT_SEED


@functools.cache
def catalogue(seed: int | None = None) -> Catalogue:
    """The catalogue of `seed` (default: `data_seed()`), built once per process."""
    return build_catalogue(data_seed() if seed is None else seed)


def all_tenders(
    now: datetime.datetime | None = None, *, non_tender: bool = False
) -> list[dict[str, Any]]:
    """Every generated tender (or non-tender) as the endpoint would answer at `now`."""
    specs = catalogue().non_tenders if non_tender else catalogue().tenders
    return [render_tender(spec, now) for spec in specs.values()]


# --- reserved fault codes -----------------------------------------------------------------


def reserved_fault(code: str, *, catalog: bool = False) -> str | None:
    """The fault ("slow", "error", "malformed") a reserved code stands for, if any."""
    prefixes = RESERVED_CATALOG_PREFIXES if catalog else RESERVED_PREFIXES
    return next((fault for prefix, fault in prefixes.items() if code.startswith(prefix)), None)


def synthesize_tender(code: int, *, non_tender: bool = False) -> TenderSpec | None:
    """A made-up active package for a reserved code (answered after a slow fault)."""
    lpse = LPSE_BY_CODE.get(code % 1000)
    if lpse is None:
        return None
    rng = random.Random(f"{data_seed()}:{code}")
    satkers = {klpd.kd_klpd: _satkers(rng, klpd) for klpd in lpse.klpds}
    kd_rup = rng.randint(10_000_000, 89_999_999)
    return _random_tender(rng, code, lpse, kd_rup, non_tender, "active", satkers)


def synthesize_catalog(kd_paket: str) -> CatalogSpec:
    rng = random.Random(f"{data_seed()}:{kd_paket}")
    satkers = {klpd.kd_klpd: _satkers(rng, klpd) for lpse in LPSES for klpd in lpse.klpds}
    spec = _random_catalog(rng, kd_paket, satkers)
    return spec


def synthesize_rup(kd_rup: int) -> RupSpec:
    rng = random.Random(f"{data_seed()}:{kd_rup}")
    klpd = rng.choice(rng.choice(LPSES).klpds)
    jenis = rng.choice(JENIS_PENGADAAN)
    return RupSpec(
        kd_rup=kd_rup,
        nama_paket=_package(rng, jenis, _place(klpd)).strip(),
        klpd=klpd,
        nama_satker=rng.choice(_satkers(rng, klpd))[1],
        pagu=rng.randint(50_000, 20_000_000) * 1000,
        mtd_pemilihan="Tender",
    )
