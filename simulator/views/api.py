"""JSON data endpoints of the Data Warehouse LKPP, Katalog and SiRUP (bearer token).

Faults are chosen per request, never stored, so parallel tests cannot disturb each
other: the ``X-Simulator-Fault`` header (``slow=<s>``, ``error=<5xx>``, ``malformed``,
comma-separated to combine) or a reserved code (see simulator/data/catalogue.py).
"""

import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from simulator.conf import api_token
from simulator.data import catalogue as data
from simulator.data import own_packages as own

CONTENT_TYPE = "application/json; charset=utf-8"
MAX_SLOW_SECONDS = 30.0
RESERVED_SLOW_SECONDS = 5.0
RESERVED_ERROR_STATUS = 503

# Built at import (Django loads the URL map at start-up) so no request pays for it.
data.catalogue()


@dataclass
class Fault:
    slow: float = 0.0
    error: int | None = None
    malformed: bool = False


class BadFault(ValueError):
    """The X-Simulator-Fault header could not be understood."""


def _json(payload: dict[str, Any], status: int = 200) -> HttpResponse:
    body = json.dumps(payload, ensure_ascii=False)
    return HttpResponse(body.encode(), status=status, content_type=CONTENT_TYPE)


def _error(status: int, error: str, message: str) -> HttpResponse:
    return _json({"error": error, "message": message}, status)


def parse_fault_header(value: str) -> Fault:
    """Read ``slow=<seconds>``, ``error=<5xx>`` and ``malformed`` (comma-separated)."""
    fault = Fault()
    for part in (item.strip() for item in value.split(",")):
        if not part:
            continue
        name, _, argument = part.partition("=")
        name = name.strip().lower()
        argument = argument.strip()
        try:
            if name == "slow":
                seconds = float(argument)
                if not 0 <= seconds <= MAX_SLOW_SECONDS:
                    raise BadFault(part)
                fault.slow = seconds
            elif name == "error":
                status = int(argument)
                if not 500 <= status <= 599:
                    raise BadFault(part)
                fault.error = status
            elif name == "malformed" and not argument:
                fault.malformed = True
            else:
                raise BadFault(part)
        except ValueError as exc:  # float()/int() of a bad number, and BadFault itself
            raise BadFault(part) from exc
    return fault


def _reserved(kind: str | None) -> Fault:
    if kind == "slow":
        return Fault(slow=RESERVED_SLOW_SECONDS)
    if kind == "error":
        return Fault(error=RESERVED_ERROR_STATUS)
    if kind == "malformed":
        return Fault(malformed=True)
    return Fault()


def _serve(
    request: HttpRequest,
    source: str,
    reserved: str | None,
    find: Callable[[], dict[str, Any] | None],
    not_found: str,
) -> HttpResponse:
    """Method and token checks, faults, then the record `find` returns (or 404)."""
    if request.method != "GET":
        response = _error(405, "method_not_allowed", "Metode tidak diizinkan; gunakan GET.")
        response["Allow"] = "GET"
        return response
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), api_token(source).encode()
    ):
        response = _error(401, "unauthorized", "Token akses tidak ada atau tidak valid.")
        response["WWW-Authenticate"] = 'Bearer realm="simulator"'
        return response
    try:
        fault = parse_fault_header(request.headers.get("X-Simulator-Fault", ""))
    except BadFault as exc:
        return _error(400, "bad_fault", f"Nilai X-Simulator-Fault tidak dikenal: {exc}.")
    code_fault = _reserved(reserved)
    fault = Fault(
        slow=max(fault.slow, code_fault.slow),
        error=fault.error or code_fault.error,
        malformed=fault.malformed or code_fault.malformed,
    )
    if fault.slow:
        time.sleep(fault.slow)
    if fault.error:
        return _error(fault.error, "server_error", "Layanan sedang mengalami gangguan (simulasi).")
    record = find()
    if record is None:
        return _error(404, "not_found", not_found)
    if fault.malformed:
        # Cut inside the object: never valid JSON, yet labelled as JSON like a broken proxy.
        body = json.dumps(record, ensure_ascii=False).encode()
        return HttpResponse(body[: len(body) // 2], content_type=CONTENT_TYPE)
    return _json(record)


def _tender(code: str, non_tender: bool) -> dict[str, Any] | None:
    if not code.isdigit():
        return None
    specs = data.catalogue().non_tenders if non_tender else data.catalogue().tenders
    spec = specs.get(int(code))
    if spec is None and data.reserved_fault(code):
        spec = data.synthesize_tender(int(code), non_tender=non_tender)
    return data.render_tender(spec) if spec else None


# Exempt so that a POST gets the JSON 405 rather than the CSRF middleware's 403 page.
@csrf_exempt
def tender(request: HttpRequest, kd_tender: str) -> HttpResponse:
    """GET /dw/api/v1/tender/<kd_tender>/: a tender and its schedule."""
    return _serve(
        request,
        "dw",
        data.reserved_fault(kd_tender),
        lambda: _tender(kd_tender, non_tender=False),
        f"Tender dengan kode {kd_tender} tidak ditemukan.",
    )


@csrf_exempt
def nontender(request: HttpRequest, kd_nontender: str) -> HttpResponse:
    """GET /dw/api/v1/nontender/<kd>/: a non-tender package and its schedule."""
    return _serve(
        request,
        "dw",
        data.reserved_fault(kd_nontender),
        lambda: _tender(kd_nontender, non_tender=True),
        f"Paket non tender dengan kode {kd_nontender} tidak ditemukan.",
    )


def _catalog(kd_paket: str) -> dict[str, Any] | None:
    spec = data.catalogue().catalog.get(kd_paket)
    if spec is None and data.reserved_fault(kd_paket, catalog=True):
        spec = data.synthesize_catalog(kd_paket)
    return data.render_catalog(spec) if spec else None


@csrf_exempt
def catalog_package(request: HttpRequest, kd_paket: str) -> HttpResponse:
    """GET /katalog/api/v1/paket/<kd_paket>/: an e-Katalog / e-Purchasing package."""
    return _serve(
        request,
        "katalog",
        data.reserved_fault(kd_paket, catalog=True),
        lambda: _catalog(kd_paket),
        f"Paket katalog dengan kode {kd_paket} tidak ditemukan.",
    )


def _rup(kd_rup: str) -> dict[str, Any] | None:
    if not kd_rup.isdigit():
        return None
    spec = data.catalogue().rups.get(int(kd_rup))
    if spec is None and data.reserved_fault(kd_rup):
        spec = data.synthesize_rup(int(kd_rup))
    return data.render_rup(spec) if spec else None


@csrf_exempt
def rup(request: HttpRequest, kd_rup: str) -> HttpResponse:
    """GET /sirup/api/v1/rup/<kd_rup>/: a procurement plan (RUP) entry."""
    return _serve(
        request,
        "sirup",
        data.reserved_fault(kd_rup),
        lambda: _rup(kd_rup),
        f"RUP dengan kode {kd_rup} tidak ditemukan.",
    )


def _own_packages(request: HttpRequest, source: str) -> HttpResponse:
    """The packages of the person named by the query (contract: LPSE Support's
    integrations.clients.own_packages); 400 when the identity is incomplete."""
    kd_lpse = request.GET.get("kd_lpse", "").strip()
    user_id = request.GET.get("user_id", "").strip()
    role = request.GET.get("peran", "").strip()
    if request.method == "GET" and (
        not kd_lpse.isdigit() or not user_id or len(user_id) > 150 or not role
    ):
        return _error(400, "bad_request", "Parameter kd_lpse, user_id dan peran wajib diisi.")
    person_source = "sirup" if source == "sirup" else "spse"
    return _serve(
        request,
        source,
        None,
        lambda: {"paket": own.own_packages(person_source, int(kd_lpse), user_id, role)},
        "",
    )


@csrf_exempt
def dw_own_packages(request: HttpRequest) -> HttpResponse:
    """GET /dw/api/v1/paket-saya/?kd_lpse=&user_id=&peran=: the tenders and non-tenders
    a person at an SPSE instance takes part in (PPK, Pokja, PP or bidder)."""
    return _own_packages(request, "dw")


@csrf_exempt
def sirup_own_packages(request: HttpRequest) -> HttpResponse:
    """GET /sirup/api/v1/paket-saya/?kd_lpse=0&user_id=&peran=pa_kpa: a PA/KPA's RUP packages."""
    return _own_packages(request, "sirup")
