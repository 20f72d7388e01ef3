"""The simulated sites, their demo users and who is signed in where."""

import hmac
from dataclasses import dataclass

from django.http import HttpRequest

from lib.demo_accounts import DEMO_PASSWORD, DEMO_REPORTERS, DemoReporter, find_demo_reporter

SPSE_INSTANCES: dict[int, str] = {
    119: "LPSE Lembaga Kebijakan Pengadaan Barang/Jasa Pemerintah",
    10: "LPSE Kota Surabaya",
}

ROLE_LABELS: dict[str, str] = {
    "ppk": "PPK",
    "pokja": "Pokja Pemilihan",
    "pp": "Pejabat Pengadaan",
    "pelaku_usaha": "Pelaku Usaha",
    "kuppbj": "KUPPBJ",
    "pa_kpa": "PA/KPA",
    "admin_ppe": "Admin PPE",
}

_SESSION_KEY = "signed_in"
_LAST_SITE_KEY = "last_site"


@dataclass(frozen=True)
class Site:
    """One simulated application where a person can be signed in."""

    source: str  # "spse" or "sirup"
    kd_lpse: int  # 0 for SiRUP

    @property
    def key(self) -> str:
        return f"spse-{self.kd_lpse}" if self.source == "spse" else "sirup"

    @property
    def name(self) -> str:
        return SPSE_INSTANCES.get(self.kd_lpse, "SPSE") if self.source == "spse" else "SiRUP"


def site_from_key(key: str) -> Site | None:
    if key == "sirup":
        return Site("sirup", 0)
    prefix, _, number = key.partition("-")
    if prefix == "spse" and number.isdigit() and int(number) in SPSE_INSTANCES:
        return Site("spse", int(number))
    return None


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)


def _password_ok(password: str) -> bool:
    return hmac.compare_digest(password.encode(), DEMO_PASSWORD.encode())


def check_credentials(
    site: Site, user_id: str, password: str, penyedia: bool | None = None
) -> DemoReporter | None:
    """Return the demo user for these credentials, or None (never saying what was wrong)."""
    password_ok = _password_ok(password)
    for person in DEMO_REPORTERS:
        if (person.source, person.kd_lpse, person.user_id) != (site.source, site.kd_lpse, user_id):
            continue
        # SPSE asks whether one signs in as Penyedia or Non-Penyedia; a wrong choice is
        # refused exactly like a wrong password.
        if penyedia is not None and person.penyedia != penyedia:
            return None
        return person if password_ok else None
    return None


def sign_in(request: HttpRequest, site: Site, person: DemoReporter) -> None:
    signed_in = dict(request.session.get(_SESSION_KEY, {}))
    signed_in[site.key] = person.user_id
    request.session[_SESSION_KEY] = signed_in
    request.session[_LAST_SITE_KEY] = site.key


def sign_out(request: HttpRequest, site: Site) -> None:
    signed_in = dict(request.session.get(_SESSION_KEY, {}))
    signed_in.pop(site.key, None)
    request.session[_SESSION_KEY] = signed_in


def current_person(request: HttpRequest, site: Site) -> DemoReporter | None:
    user_id = request.session.get(_SESSION_KEY, {}).get(site.key)
    if not isinstance(user_id, str):
        return None
    return find_demo_reporter(site.source, site.kd_lpse, user_id)


def remember_site(request: HttpRequest, site: Site) -> None:
    request.session[_LAST_SITE_KEY] = site.key


def last_site(request: HttpRequest) -> Site | None:
    key = request.session.get(_LAST_SITE_KEY)
    return site_from_key(key) if isinstance(key, str) else None
