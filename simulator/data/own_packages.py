"""Whose packages are whose: the answer of the "paket saya" endpoints (Data Warehouse for
SPSE people, SiRUP for PA/KPA), consistent with the fixed demo codes of `catalogue`.

The demo people of LPSE 119 and SiRUP have fixed lists (ppk1 at LPSE 119 is the PPK of
9537119, pakpa1 the PA/KPA of RUP 44604827, …); anybody else gets a few packages of
their LPSE, picked from the catalogue by a generator seeded with their identity, so the
same person always gets the same list.
"""

import datetime
import random
from typing import Any

from lib.demo_lpses import LPSE_BY_CODE
from simulator.data import catalogue as data

# (source, kd_lpse, user_id) -> codes, by kind, in the order they are listed.
_FIXED: dict[tuple[str, int, str], tuple[tuple[str, int], ...]] = {
    ("spse", 119, "ppk1"): (
        ("tender", 9537119),
        ("tender", 9541119),
        ("tender", 9542119),
        ("tender", 9538119),
        ("non_tender", 10234119),
        ("tender", 9539119),
    ),
    ("spse", 119, "pokja1"): (
        ("tender", 9537119),
        ("tender", 9541119),
        ("tender", 9542119),
        ("tender", 9538119),
        ("tender", 9540119),
        ("tender", 9543119),
    ),
    ("spse", 119, "pp1"): (("non_tender", 10234119),),
    ("spse", 119, "penyedia1"): (
        ("tender", 9537119),
        ("tender", 9542119),
        ("tender", 9541119),
        ("tender", 9539119),
    ),
    ("sirup", 0, "pakpa1"): (
        ("rup", 44604827),
        ("rup", 44604831),
        ("rup", 44604832),
        ("rup", 44604828),
        ("rup", 44604840),
    ),
}
# Which roles each source lists packages for.
SPSE_ROLES = frozenset({"ppk", "pokja", "pp", "pelaku_usaha"})
SIRUP_ROLES = frozenset({"pa_kpa"})


def _year(now: datetime.datetime | None) -> int:
    return data.floor_now(now).astimezone(LPSE_BY_CODE[119].tzinfo).year


def _item(kind: str, code: int, role: str, now: datetime.datetime | None) -> dict[str, Any] | None:
    catalogue = data.catalogue()
    peran = "peserta" if role == "pelaku_usaha" else role
    if kind == "rup":
        rup = catalogue.rups.get(code)
        if rup is None:
            return None
        return {
            "jenis": "rup",
            "kode": str(code),
            "nama_paket": rup.nama_paket,
            "peran": peran,
            "status": "Terumumkan",
            "tahun_anggaran": _year(now),
        }
    specs = catalogue.non_tenders if kind == "non_tender" else catalogue.tenders
    spec = specs.get(code)
    if spec is None:
        return None
    return {
        "jenis": kind,
        "kode": str(code),
        "nama_paket": spec.nama_paket,
        "peran": peran,
        "status": spec.status_tender,
        "tahun_anggaran": _year(now),
    }


def _generated(source: str, kd_lpse: int, user_id: str, role: str) -> list[tuple[str, int]]:
    catalogue = data.catalogue()
    rng = random.Random(f"{data.data_seed()}:{source}:{kd_lpse}:{user_id}")
    if source == "sirup":
        return [("rup", code) for code in rng.sample(sorted(catalogue.rups), 3)]
    tenders = sorted(code for code, spec in catalogue.tenders.items() if spec.kd_lpse == kd_lpse)
    non_tenders = sorted(
        code for code, spec in catalogue.non_tenders.items() if spec.kd_lpse == kd_lpse
    )
    picked: list[tuple[str, int]] = []
    if role != "pp":
        picked += [("tender", code) for code in rng.sample(tenders, min(3, len(tenders)))]
    if role in {"ppk", "pp"}:
        picked += [
            ("non_tender", code) for code in rng.sample(non_tenders, min(2, len(non_tenders)))
        ]
    return picked


def own_packages(
    source: str, kd_lpse: int, user_id: str, role: str, now: datetime.datetime | None = None
) -> list[dict[str, Any]]:
    """The packages `user_id` (at `kd_lpse`; 0 for SiRUP) takes part in as `role`."""
    roles = SIRUP_ROLES if source == "sirup" else SPSE_ROLES
    if role not in roles:
        return []
    codes = _FIXED.get((source, kd_lpse, user_id))
    if codes is None:
        codes = tuple(_generated(source, kd_lpse, user_id, role))
    items = (_item(kind, code, role, now) for kind, code in codes)
    return [item for item in items if item is not None]
