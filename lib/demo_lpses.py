"""LPSE instances and their institutions, copied from reference/seed_data.py.

The simulator stands in for outside systems and must not import LPSE Support's apps, so
the codes, names and time zones are repeated here; keep them in step with LPSES there.
"""

import datetime
from dataclasses import dataclass

# Indonesia has kept fixed offsets without daylight saving since 1988, so a fixed offset
# per zone is exact and spares the simulator a dependency on the tz database.
ZONE_OFFSETS: dict[str, datetime.timezone] = {
    "Asia/Jakarta": datetime.timezone(datetime.timedelta(hours=7), "WIB"),
    "Asia/Makassar": datetime.timezone(datetime.timedelta(hours=8), "WITA"),
    "Asia/Jayapura": datetime.timezone(datetime.timedelta(hours=9), "WIT"),
}


@dataclass(frozen=True)
class Klpd:
    """A ministry/agency (K/L) or regional government (D) served by an LPSE."""

    kd_klpd: str
    nama_klpd: str
    is_regional: bool  # regional governments have "Dinas ..." work units


@dataclass(frozen=True)
class Lpse:
    kd_lpse: int
    nama_lpse: str
    province: str
    time_zone: str
    klpds: tuple[Klpd, ...]

    @property
    def tzinfo(self) -> datetime.timezone:
        return ZONE_OFFSETS[self.time_zone]


def _k(code: str, name: str) -> Klpd:
    return Klpd(code, name, False)


def _d(code: str, name: str) -> Klpd:
    return Klpd(code, name, True)


# (kd_lpse, name, province, time zone) as in reference/seed_data.py LPSES, plus the
# institutions whose packages each instance runs (codes shaped like SiRUP's K../D..).
LPSES: tuple[Lpse, ...] = (
    Lpse(
        119,
        "LPSE Lembaga Kebijakan Pengadaan Barang/Jasa Pemerintah",
        "DKI Jakarta",
        "Asia/Jakarta",
        (
            _k("L1", "Lembaga Kebijakan Pengadaan Barang/Jasa Pemerintah"),
            _k("K10", "Kementerian Pendidikan Dasar dan Menengah"),
            _k("L14", "Badan Riset dan Inovasi Nasional"),
        ),
    ),
    Lpse(10, "LPSE Kota Surabaya", "Jawa Timur", "Asia/Jakarta", (_d("D107", "Kota Surabaya"),)),
    Lpse(
        11,
        "LPSE Kementerian Keuangan",
        "DKI Jakarta",
        "Asia/Jakarta",
        (_k("K15", "Kementerian Keuangan"),),
    ),
    Lpse(
        12,
        "LPSE Provinsi Kalimantan Tengah",
        "Kalimantan Tengah",
        "Asia/Jakarta",
        (_d("D22", "Provinsi Kalimantan Tengah"), _d("D237", "Kota Palangka Raya")),
    ),
    Lpse(
        21,
        "LPSE Provinsi DKI Jakarta",
        "DKI Jakarta",
        "Asia/Jakarta",
        (_d("D1", "Provinsi DKI Jakarta"),),
    ),
    Lpse(
        24,
        "LPSE Provinsi Jawa Barat",
        "Jawa Barat",
        "Asia/Jakarta",
        (_d("D2", "Provinsi Jawa Barat"), _d("D120", "Kabupaten Bandung Barat")),
    ),
    Lpse(
        27,
        "LPSE Provinsi Jawa Timur",
        "Jawa Timur",
        "Asia/Jakarta",
        (_d("D5", "Provinsi Jawa Timur"),),
    ),
    Lpse(31, "LPSE Kota Medan", "Sumatera Utara", "Asia/Jakarta", (_d("D63", "Kota Medan"),)),
    Lpse(
        45,
        "LPSE Kementerian Pekerjaan Umum",
        "DKI Jakarta",
        "Asia/Jakarta",
        (_k("K33", "Kementerian Pekerjaan Umum"),),
    ),
    Lpse(
        52,
        "LPSE Kabupaten Sleman",
        "DI Yogyakarta",
        "Asia/Jakarta",
        (_d("D90", "Kabupaten Sleman"),),
    ),
    Lpse(
        63,
        "LPSE Provinsi Bali",
        "Bali",
        "Asia/Makassar",
        (_d("D18", "Provinsi Bali"), _d("D171", "Kabupaten Badung")),
    ),
    Lpse(
        71,
        "LPSE Kota Makassar",
        "Sulawesi Selatan",
        "Asia/Makassar",
        (_d("D285", "Kota Makassar"),),
    ),
    Lpse(
        74,
        "LPSE Provinsi Kalimantan Timur",
        "Kalimantan Timur",
        "Asia/Makassar",
        (_d("D24", "Provinsi Kalimantan Timur"),),
    ),
    Lpse(
        78,
        "LPSE Kabupaten Lombok Barat",
        "Nusa Tenggara Barat",
        "Asia/Makassar",
        (_d("D199", "Kabupaten Lombok Barat"),),
    ),
    Lpse(82, "LPSE Kota Manado", "Sulawesi Utara", "Asia/Makassar", (_d("D310", "Kota Manado"),)),
    Lpse(
        91,
        "LPSE Provinsi Papua",
        "Papua",
        "Asia/Jayapura",
        (_d("D33", "Provinsi Papua"), _d("D397", "Kabupaten Jayapura")),
    ),
    Lpse(93, "LPSE Kota Jayapura", "Papua", "Asia/Jayapura", (_d("D412", "Kota Jayapura"),)),
    Lpse(97, "LPSE Provinsi Maluku", "Maluku", "Asia/Jayapura", (_d("D31", "Provinsi Maluku"),)),
)

LPSE_BY_CODE: dict[int, Lpse] = {lpse.kd_lpse: lpse for lpse in LPSES}
