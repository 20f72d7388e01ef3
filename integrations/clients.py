"""Typed clients of the outside sources: codes in, domain objects out.

Callers never see raw dicts: answers are checked and turned into the dataclasses of
integrations.types here, so a source that changes its format fails loudly in one place
(SourceBadResponse) instead of somewhere in a template. `lookup_code` is what the
ticket form uses: it never raises for source problems and says, in Indonesian, what the
reporter should do instead.
"""

import copy
import datetime
import re
import urllib.parse
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from integrations.http import (
    SYSTEM_CLOCK,
    Clock,
    SourceConfig,
    SourceError,
    SourceNotFound,
    SourceUnavailable,
    fetch,
    source_config,
)
from integrations.types import CatalogPackage, OwnPackage, RupPackage, Stage, Tender

# Codes as the sources issue them; anything else cannot exist, so it is "not found"
# without asking (and never reaches a URL unescaped).
_NUMERIC_CODE = re.compile(r"[0-9]{1,20}")
_CATALOG_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


# --- Parsing helpers (raise ValueError; the HTTP layer turns it into SourceBadResponse)


def _object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    return data


def _field(data: dict[str, Any], name: str) -> Any:
    if name not in data:
        raise ValueError(f"missing field {name!r}")
    return data[name]


def _str(data: dict[str, Any], name: str) -> str:
    value = _field(data, name)
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"field {name!r} is not text")
    return str(value)


def _int(data: dict[str, Any], name: str) -> int:
    value = _field(data, name)
    if isinstance(value, bool):
        raise ValueError(f"field {name!r} is not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _NUMERIC_CODE.fullmatch(value.strip()):
        return int(value.strip())
    raise ValueError(f"field {name!r} is not a whole number")


def _optional_int(data: dict[str, Any], name: str) -> int | None:
    if data.get(name) in (None, ""):
        return None
    return _int(data, name)


def _aware(data: dict[str, Any], name: str) -> datetime.datetime:
    value = _field(data, name)
    if not isinstance(value, str):
        raise ValueError(f"field {name!r} is not a time")
    moment = datetime.datetime.fromisoformat(value)
    if moment.tzinfo is None or moment.utcoffset() is None:
        # A naive time from a source spanning three time zones is ambiguous.
        raise ValueError(f"field {name!r} has no UTC offset: {value!r}")
    return moment


def _stage(data: Any) -> Stage:
    item = _object(data)
    return Stage(
        kd_tahapan=_str(item, "kd_tahapan"),
        nama_tahapan=_str(item, "nama_tahapan"),
        starts_at=_aware(item, "tgl_awal"),
        ends_at=_aware(item, "tgl_akhir"),
    )


def _tender(data: Any, *, non_tender: bool) -> Tender:
    item = _object(data)
    jadwal = _field(item, "jadwal")
    if not isinstance(jadwal, list):
        raise ValueError("field 'jadwal' is not a list")
    return Tender(
        kd_tender=_int(item, "kd_tender"),
        nama_paket=_str(item, "nama_paket"),
        pagu=_int(item, "pagu"),
        hps=_int(item, "hps"),
        kd_rup=_optional_int(item, "kd_rup"),
        kd_klpd=_str(item, "kd_klpd"),
        nama_klpd=_str(item, "nama_klpd"),
        kd_satker=_str(item, "kd_satker"),
        nama_satker=_str(item, "nama_satker"),
        kd_lpse=_int(item, "kd_lpse"),
        nama_lpse=_str(item, "nama_lpse"),
        jenis_pengadaan=_str(item, "jenis_pengadaan"),
        mtd_pemilihan=_str(item, "mtd_pemilihan"),
        status_tender=_str(item, "status_tender"),
        tahun_anggaran=_int(item, "tahun_anggaran"),
        jadwal=tuple(_stage(stage) for stage in jadwal),
        is_non_tender=non_tender,
    )


# Parsers handed to the HTTP layer: module-level so that their cache entries are stable.
# Each returns the domain object and the raw answer (the snapshot kept on a ticket).


def _parse_tender(data: Any) -> tuple[Tender, dict[str, Any]]:
    return _tender(data, non_tender=False), data


def _parse_non_tender(data: Any) -> tuple[Tender, dict[str, Any]]:
    return _tender(data, non_tender=True), data


def _parse_catalog(data: Any) -> tuple[CatalogPackage, dict[str, Any]]:
    item = _object(data)
    package = CatalogPackage(
        kd_paket=_str(item, "kd_paket"),
        nama_paket=_str(item, "nama_paket"),
        nama_penyedia=_str(item, "nama_penyedia"),
        nama_instansi=_str(item, "nama_instansi"),
        status_paket=_str(item, "status_paket"),
        nilai_kontrak=_int(item, "nilai_kontrak"),
        tanggal_buat=_aware(item, "tanggal_buat"),
    )
    return package, item


def _parse_rup(data: Any) -> tuple[RupPackage, dict[str, Any]]:
    item = _object(data)
    package = RupPackage(
        kd_rup=_int(item, "kd_rup"),
        nama_paket=_str(item, "nama_paket"),
        kd_klpd=_str(item, "kd_klpd"),
        nama_klpd=_str(item, "nama_klpd"),
        nama_satker=_str(item, "nama_satker"),
        pagu=_int(item, "pagu"),
        mtd_pemilihan=_str(item, "mtd_pemilihan"),
        tahun_anggaran=_int(item, "tahun_anggaran"),
    )
    return package, item


def _numeric_code(source: str, code: str | int) -> str:
    text = str(code).strip()
    if not _NUMERIC_CODE.fullmatch(text):
        raise SourceNotFound(source, f"not a valid code: {text[:40]!r}")
    return text


def _catalog_code(code: str) -> str:
    text = code.strip()
    if not _CATALOG_CODE.fullmatch(text):
        raise SourceNotFound("katalog", f"not a valid code: {text[:40]!r}")
    return urllib.parse.quote(text, safe="")


@dataclass(frozen=True)
class _Wait:
    """How long one lookup may wait (see `lookup_code`)."""

    clock: Clock = SYSTEM_CLOCK
    budget: float | None = None
    read_timeout: float | None = None

    def source(self, name: str) -> SourceConfig:
        return source_config(
            name, clock=self.clock, budget=self.budget, read_timeout=self.read_timeout
        )


def _tender_with_snapshot(
    kd_tender: str | int, *, non_tender: bool, clock: Clock, wait: _Wait | None = None
) -> tuple[Tender, dict[str, Any]]:
    code = _numeric_code("dw", kd_tender)
    source = (wait or _Wait(clock)).source("dw")
    if non_tender:
        return fetch(source, f"/dw/api/v1/nontender/{code}/", _parse_non_tender)
    return fetch(source, f"/dw/api/v1/tender/{code}/", _parse_tender)


def _catalog_with_snapshot(
    kd_paket: str, *, clock: Clock, wait: _Wait | None = None
) -> tuple[CatalogPackage, dict[str, Any]]:
    code = _catalog_code(kd_paket)
    source = (wait or _Wait(clock)).source("katalog")
    return fetch(source, f"/katalog/api/v1/paket/{code}/", _parse_catalog)


def _rup_with_snapshot(
    kd_rup: str | int, *, clock: Clock, wait: _Wait | None = None
) -> tuple[RupPackage, dict[str, Any]]:
    code = _numeric_code("sirup", kd_rup)
    source = (wait or _Wait(clock)).source("sirup")
    return fetch(source, f"/sirup/api/v1/rup/{code}/", _parse_rup)


# --- Public API -------------------------------------------------------------------


def tender_lookup(
    kd_tender: str | int, *, non_tender: bool = False, clock: Clock = SYSTEM_CLOCK
) -> Tender:
    """The tender (or non-tender package) `kd_tender` from the LKPP Data Warehouse.

    Raises SourceNotFound, SourceUnavailable or SourceBadResponse.
    """
    return _tender_with_snapshot(kd_tender, non_tender=non_tender, clock=clock)[0]


def tender_from_snapshot(snapshot: dict[str, Any], *, non_tender: bool = False) -> Tender | None:
    """The tender of an answer kept earlier (a ticket's `code_snapshot`), read by the
    same rules as a fresh answer and without asking the source; None when it is empty
    or cannot be read (kept by an older format)."""
    if not snapshot:
        return None
    try:
        return _tender(snapshot, non_tender=non_tender)
    except (ValueError, TypeError):
        return None


def catalog_package_lookup(kd_paket: str, *, clock: Clock = SYSTEM_CLOCK) -> CatalogPackage:
    """The e-Katalog / e-Purchasing package `kd_paket` from the Katalog application."""
    return _catalog_with_snapshot(kd_paket, clock=clock)[0]


def rup_lookup(kd_rup: str | int, *, clock: Clock = SYSTEM_CLOCK) -> RupPackage:
    """The procurement plan entry `kd_rup` from SiRUP."""
    return _rup_with_snapshot(kd_rup, clock=clock)[0]


Found = Tender | CatalogPackage | RupPackage


@dataclass(frozen=True)
class LookupResult:
    """What a code lookup found, for the ticket form and for storing on the ticket."""

    kind: str
    code: str
    found: bool
    data: Found | None
    snapshot: dict[str, Any]
    error_code: str  # "", not_found, timeout, down, error, circuit_open, bad_response
    message: str


# kind -> (source label, what the reporter fills in by hand when the lookup fails)
_KINDS: dict[str, tuple[str, str]] = {
    "tender": ("Data Warehouse LKPP", "data tender"),
    "non_tender": ("Data Warehouse LKPP", "data non tender"),
    "rup": ("SiRUP", "data RUP"),
    "catalog": ("Katalog Elektronik", "data paket katalog"),
}


def _message(kind: str, error_code: str) -> str:
    label, noun = _KINDS[kind]
    if error_code == "":
        return f"Data ditemukan di {label}."
    if error_code == "not_found":
        return f"Kode tidak ditemukan di {label}; isi {noun} secara manual."
    if error_code in {"timeout", "down", "circuit_open"}:
        return f"{label} sedang tidak dapat dihubungi; isi {noun} secara manual."
    if error_code == "bad_response":
        return f"{label} mengirim jawaban yang tidak dapat dibaca; isi {noun} secara manual."
    return f"{label} sedang mengalami gangguan; isi {noun} secara manual."


def lookup_code(
    kind: str,
    code: str,
    *,
    clock: Clock = SYSTEM_CLOCK,
    budget: float | None = None,
    read_timeout: float | None = None,
) -> LookupResult:
    """Look `code` up at the source of `kind` (a reference.models.CodeKind value).

    Never raises for source problems: a failed lookup is an answer too (the reporter
    fills the data in by hand), so it comes back as `found=False` with an error code
    and a message. An unknown `kind` is a programming error (ValueError). `clock` is
    the time the lookup runs on (retry waits, breaker window, cache expiry); `budget`
    the most it may take, all tries together (beyond it: error code "timeout");
    `read_timeout` replaces the configured one (for callers nobody waits for).
    """
    if kind not in _KINDS:
        raise ValueError(f"no source for code kind {kind!r}")
    wait = _Wait(clock, budget, read_timeout)
    data: Found
    try:
        if kind in {"tender", "non_tender"}:
            data, snapshot = _tender_with_snapshot(
                code, non_tender=kind == "non_tender", clock=clock, wait=wait
            )
        elif kind == "rup":
            data, snapshot = _rup_with_snapshot(code, clock=clock, wait=wait)
        else:
            data, snapshot = _catalog_with_snapshot(code, clock=clock, wait=wait)
    except SourceError as exc:
        error_code = exc.reason if isinstance(exc, SourceUnavailable) else exc.code
        return LookupResult(
            kind=kind,
            code=code,
            found=False,
            data=None,
            snapshot={},
            error_code=error_code,
            message=_message(kind, error_code),
        )
    return LookupResult(
        kind=kind,
        code=code,
        found=True,
        data=data,
        snapshot=copy.deepcopy(snapshot),  # the cached answer stays untouched
        error_code="",
        message=_message(kind, ""),
    )


# --- The reporter's own packages ("Pilih dari paket saya") -------------------------

# Sources that may list a person's packages, the kinds each may list, and the setting
# that turns the query on (the path on the source's base URL; empty = off).
OWN_PACKAGE_SOURCES: dict[str, tuple[str, frozenset[str]]] = {
    "dw": ("INTEGRATION_DW_MY_PACKAGES_PATH", frozenset({"tender", "non_tender"})),
    "sirup": ("INTEGRATION_SIRUP_MY_PACKAGES_PATH", frozenset({"rup"})),
}
# More than a form can offer is cut here; the source should send the newest first.
OWN_PACKAGES_MAX = 50


def own_packages_path(source: str) -> str:
    """The configured path of `source`'s own-packages query; "" when it is off."""
    setting, _kinds = OWN_PACKAGE_SOURCES[source]
    return str(getattr(settings, setting, "") or "").strip()


def _own_package(data: Any, kinds: frozenset[str]) -> OwnPackage | None:
    item = _object(data)
    kind = _str(item, "jenis")
    code = _str(item, "kode").strip()
    if kind not in kinds or not _NUMERIC_CODE.fullmatch(code):
        return None  # a kind this source does not answer for, or no usable code: skip it
    status = item.get("status")
    peran = item.get("peran")
    return OwnPackage(
        kind=kind,
        code=code,
        nama_paket=_str(item, "nama_paket"),
        peran=peran if isinstance(peran, str) else "",
        status=status if isinstance(status, str) else "",
        tahun_anggaran=_optional_int(item, "tahun_anggaran"),
    )


def _parse_own_dw(data: Any) -> tuple[OwnPackage, ...]:
    return _parse_own(data, OWN_PACKAGE_SOURCES["dw"][1])


def _parse_own_sirup(data: Any) -> tuple[OwnPackage, ...]:
    return _parse_own(data, OWN_PACKAGE_SOURCES["sirup"][1])


def _parse_own(data: Any, kinds: frozenset[str]) -> tuple[OwnPackage, ...]:
    items = _field(_object(data), "paket")
    if not isinstance(items, list):
        raise ValueError("field 'paket' is not a list")
    packages = (_own_package(item, kinds) for item in items[:OWN_PACKAGES_MAX])
    return tuple(package for package in packages if package is not None)


_OWN_PARSERS = {"dw": _parse_own_dw, "sirup": _parse_own_sirup}


def own_packages(
    source: str, *, kd_lpse: int, user_id: str, role: str, clock: Clock = SYSTEM_CLOCK
) -> tuple[OwnPackage, ...]:
    """The packages person `user_id` takes part in, as source `source` lists them.

    An assumed contract (the real Data Warehouse and SiRUP may not offer it yet; each is
    off until its path is configured, and then this returns () without asking)::

        GET {INTEGRATION_DW_URL}{INTEGRATION_DW_MY_PACKAGES_PATH}
            ?kd_lpse=119&user_id=ppk1&peran=ppk
        GET {INTEGRATION_SIRUP_URL}{INTEGRATION_SIRUP_MY_PACKAGES_PATH}
            ?kd_lpse=0&user_id=pakpa1&peran=pa_kpa
        Authorization: Bearer <the source's token>; Accept: application/json

    `user_id` and `kd_lpse` are the person's identity at the source (the hand-off's
    `sub` and `kd_lpse`; 0 for SiRUP), `peran` the role they signed in with (a DESIGN
    §1 code: ppk, pokja, pp, pelaku_usaha, pa_kpa). The answer, 200::

        {"paket": [{"jenis": "tender", "kode": "9537119",
                    "nama_paket": "Pengadaan ...", "peran": "ppk",
                    "status": "Tender Sedang Berlangsung", "tahun_anggaran": 2026}]}

    `jenis` is tender or non_tender (Data Warehouse) or rup (SiRUP); `peran`, `status`
    and `tahun_anggaran` may be left out. Newest first; at most OWN_PACKAGES_MAX are
    read, and items of another kind or without a usable code are skipped. A 404 means
    the source knows nobody by that identity (no packages). Raises SourceUnavailable
    or SourceBadResponse like the code lookups, through the same wrapper (timeouts,
    retries, breaker and cache of the source).
    """
    path = own_packages_path(source)
    if not path:
        return ()
    query = urllib.parse.urlencode({"kd_lpse": kd_lpse, "user_id": user_id, "peran": role})
    separator = "&" if "?" in path else "?"
    target = ("" if path.startswith("/") else "/") + path + separator + query
    try:
        return fetch(source_config(source, clock=clock), target, _OWN_PARSERS[source])
    except SourceNotFound:
        return ()
