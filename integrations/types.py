"""What the outside sources say, as domain objects (never raw dicts past the clients).

The sources send times in ISO 8601 with an offset; these objects hold aware datetimes.
"""

import datetime
from dataclasses import dataclass, field

# Stages in which a bidder works against a hard deadline (DESIGN §5, REFERENCE).
DEADLINE_BOUND_STAGES = frozenset(
    {
        "Upload Dokumen Penawaran",
        "Pembukaan Dokumen Penawaran",
        "Masa Sanggah",
    }
)
ACTIVE_TENDER_STATUS = "Tender Sedang Berlangsung"


@dataclass(frozen=True)
class Stage:
    """One stage of a tender's schedule (`jadwal`)."""

    kd_tahapan: str
    nama_tahapan: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime

    @property
    def is_deadline_bound(self) -> bool:
        return self.nama_tahapan in DEADLINE_BOUND_STAGES

    def is_running(self, now: datetime.datetime) -> bool:
        return self.starts_at <= now < self.ends_at


@dataclass(frozen=True)
class Tender:
    """A tender or non-tender package from the LKPP Data Warehouse (DESIGN §7)."""

    kd_tender: int
    nama_paket: str
    pagu: int
    hps: int
    kd_rup: int | None
    kd_klpd: str
    nama_klpd: str
    kd_satker: str
    nama_satker: str
    kd_lpse: int
    nama_lpse: str
    jenis_pengadaan: str
    mtd_pemilihan: str
    status_tender: str
    tahun_anggaran: int
    jadwal: tuple[Stage, ...] = field(default_factory=tuple)
    is_non_tender: bool = False

    @property
    def is_active(self) -> bool:
        return self.status_tender == ACTIVE_TENDER_STATUS

    def current_stage(self, now: datetime.datetime) -> Stage | None:
        """The stage running at `now` (the latest-starting one if stages overlap)."""
        running = [stage for stage in self.jadwal if stage.is_running(now)]
        return max(running, key=lambda stage: stage.starts_at) if running else None


@dataclass(frozen=True)
class CatalogPackage:
    """An e-Katalog / e-Purchasing package from the Katalog application."""

    kd_paket: str
    nama_paket: str
    nama_penyedia: str
    nama_instansi: str
    status_paket: str
    nilai_kontrak: int
    tanggal_buat: datetime.datetime


@dataclass(frozen=True)
class RupPackage:
    """A procurement plan (RUP) entry from SiRUP."""

    kd_rup: int
    nama_paket: str
    kd_klpd: str
    nama_klpd: str
    nama_satker: str
    pagu: int
    mtd_pemilihan: str
    tahun_anggaran: int


@dataclass(frozen=True)
class OwnPackage:
    """A package the signed-in reporter takes part in, as the source lists it.

    `kind` is a reference.models.CodeKind value ("tender", "non_tender", "rup"); `code`
    is what the reporter would type into the code field.
    """

    kind: str
    code: str
    nama_paket: str
    peran: str = ""  # the person's part in it: ppk, pokja, pp, peserta, pa_kpa
    status: str = ""
    tahun_anggaran: int | None = None
