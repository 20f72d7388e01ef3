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


@dataclass(frozen=True)
class DemoStaff:
    username: str
    name: str
    email: str
    # (role, kd_lpse or None, application group code or None, job title)
    assignments: tuple[tuple[str, int | None, str | None, str], ...]


DEMO_STAFF: tuple[DemoStaff, ...] = (
    DemoStaff("agen1", "Rudi Hartanto", "rudi.hartanto@lkpp.go.id",
              (("agent", 119, None, "Helpdesk"),)),
    DemoStaff("agen2", "Made Wirawan", "made.wirawan@makassarkota.go.id",
              (("agent", 71, None, "Helpdesk"),)),
    DemoStaff("agen3", "Yohanis Wenda", "yohanis.wenda@jayapurakota.go.id",
              (("agent", 93, None, "Verifikator"),)),
    DemoStaff("agen4", "Ratna Sari", "ratna.sari@surabaya.go.id",
              (("agent", 10, None, "Admin Agency"), ("agent", 27, None, "Helpdesk"))),
    DemoStaff("lkpp1", "Fajar Nugroho", "fajar.nugroho@lkpp.go.id",
              (("lkpp", None, "spse", "Helpdesk Eproc"),)),
    DemoStaff("lkpp2", "Intan Permata", "intan.permata@lkpp.go.id",
              (("lkpp", None, "katalog", "Helpdesk Eproc"),)),
    DemoStaff("lkpp3", "Bayu Saputra", "bayu.saputra@lkpp.go.id",
              (("lkpp", None, "sirup", "Helpdesk Eproc"),)),
    DemoStaff("teknis1", "Andi Kurniawan", "andi.kurniawan@lkpp.go.id",
              (("technical", None, "spse", "Tim Teknis SPSE"),)),
    DemoStaff("teknis2", "Lina Marlina", "lina.marlina@lkpp.go.id",
              (("technical", None, "katalog", "Tim Teknis Katalog"),)),
    DemoStaff("teknis3", "Eko Prabowo", "eko.prabowo@lkpp.go.id",
              (("technical", None, "sirup", "Tim Teknis SiRUP"),)),
    DemoStaff("supervisor1", "Dr. Sri Wahyuni", "sri.wahyuni@lkpp.go.id",
              (("supervisor", None, None, "Supervisor Nasional"),)),
    DemoStaff("supervisor2", "Hadi Susanto", "hadi.susanto@lkpp.go.id",
              (("supervisor", 119, None, "Kepala LPSE"),)),
    # Writes Pusat Bantuan (the knowledge base); sees no ticket.
    DemoStaff("editor1", "Nur Aini", "nur.aini@lkpp.go.id",
              (("editor", None, None, "Editor Pusat Bantuan"),)),
)  # fmt: skip
