"""The demo's people, shared by the simulator (its sign-in) and the demo seed.

Demo data only: nothing here is ever created outside `make demo` and the tests.
"""

from dataclasses import dataclass

DEMO_PASSWORD = "demo1234"  # noqa: S105 - published demo credential, see README


@dataclass(frozen=True)
class DemoReporter:
    source: str  # "spse" or "sirup"
    kd_lpse: int  # 0 for SiRUP (national)
    user_id: str
    name: str
    email: str
    role: str
    penyedia: bool
    instansi: str
    phone: str


DEMO_REPORTERS: tuple[DemoReporter, ...] = (
    DemoReporter(
        "spse",
        119,
        "ppk1",
        "Budi Santoso",
        "budi.santoso@lkpp.go.id",
        "ppk",
        False,
        "Lembaga Kebijakan Pengadaan Barang/Jasa Pemerintah",
        "081234567801",
    ),
    DemoReporter(
        "spse",
        119,
        "pokja1",
        "Dewi Lestari",
        "dewi.lestari@lkpp.go.id",
        "pokja",
        False,
        "UKPBJ Lembaga Kebijakan Pengadaan Barang/Jasa Pemerintah",
        "081234567802",
    ),
    DemoReporter(
        "spse",
        119,
        "pp1",
        "Agus Prasetyo",
        "agus.prasetyo@lkpp.go.id",
        "pp",
        False,
        "Lembaga Kebijakan Pengadaan Barang/Jasa Pemerintah",
        "081234567803",
    ),
    DemoReporter(
        "spse",
        119,
        "kuppbj1",
        "Rina Marlina",
        "rina.marlina@lkpp.go.id",
        "kuppbj",
        False,
        "UKPBJ Lembaga Kebijakan Pengadaan Barang/Jasa Pemerintah",
        "081234567804",
    ),
    DemoReporter(
        "spse",
        119,
        "penyedia1",
        "Hendra Wijaya",
        "hendra@mitrakarya.co.id",
        "pelaku_usaha",
        True,
        "PT Mitra Karya Nusantara (NPWP 01.234.567.8-012.000)",
        "081234567805",
    ),
    # The same user id at another LPSE is another person (identity includes kd_lpse).
    DemoReporter(
        "spse",
        10,
        "ppk1",
        "Siti Rahmawati",
        "siti.rahmawati@surabaya.go.id",
        "ppk",
        False,
        "Dinas Pekerjaan Umum Kota Surabaya",
        "081234567806",
    ),
    DemoReporter(
        "sirup",
        0,
        "pakpa1",
        "Ir. Bambang Hartono",
        "bambang.hartono@pu.go.id",
        "pa_kpa",
        False,
        "Kementerian Pekerjaan Umum",
        "081234567807",
    ),
    DemoReporter(
        "sirup",
        0,
        "adminppe1",
        "Yuni Kartika",
        "yuni.kartika@jatimprov.go.id",
        "admin_ppe",
        False,
        "Pemerintah Provinsi Jawa Timur",
        "081234567808",
    ),
)


def find_demo_reporter(source: str, kd_lpse: int, user_id: str) -> DemoReporter | None:
    for reporter in DEMO_REPORTERS:
        if (reporter.source, reporter.kd_lpse, reporter.user_id) == (source, kd_lpse, user_id):
            return reporter
    return None
