"""Verification of the sign-in hand-off token sent by SPSE and SiRUP.

The source application posts a short-lived, single-use JWT signed with its own key.
This module selects the key (by the token's `kid`: key table, keys file, or the
per-source environment key) and checks the signature and the claims, including that the
key may sign for the token's LPSE; the single-use rule and the LPSE lookup live in
`accounts.services.reporter_sign_in`.
"""

import functools
import json
import logging
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import ROLES_BY_SOURCE, SignInSource, SsoKey
from accounts.ssokeys import key_problem, normalise_key
from lib.devkeys import KeyEntry, load_keys_file

logger = logging.getLogger(__name__)

# A hand-off token is a few hundred bytes; refuse anything absurd before parsing it.
MAX_TOKEN_LENGTH = 8192
REQUIRED_CLAIMS = ("iss", "sub", "name", "email", "role", "iat", "exp", "jti")
MAX_KID_LENGTH = 100
MAX_SUB_LENGTH = 150
MAX_JTI_LENGTH = 200
MAX_NAME_LENGTH = 200
MAX_EMAIL_LENGTH = 254

ERROR_MESSAGES: dict[str, Promise] = {
    "unknown_source": _(
        "Alamat masuk ini tidak dikenal. LPSE Support hanya menerima masuk dari SPSE dan SiRUP."
    ),
    "not_configured": _(
        "Masuk dari aplikasi ini belum dapat dilayani karena kunci verifikasinya belum "
        "dikonfigurasi di LPSE Support."
    ),
    "missing_token": _("Data masuk dari SPSE/SiRUP tidak diterima."),
    "malformed": _("Data masuk dari SPSE/SiRUP rusak atau tidak dapat dibaca."),
    "bad_signature": _(
        "Tanda tangan data masuk tidak sah, sehingga tidak dapat dipastikan berasal dari "
        "SPSE/SiRUP."
    ),
    "expired": _("Data masuk sudah kedaluwarsa. Data masuk hanya berlaku beberapa menit."),
    "not_yet_valid": _(
        "Data masuk belum berlaku: waktu pembuatannya berada di masa depan. Periksa "
        "kembali jam pada perangkat atau server pengirim."
    ),
    "lifetime_too_long": _(
        "Masa berlaku data masuk lebih dari 5 menit, sehingga ditolak demi keamanan."
    ),
    "wrong_audience": _(
        "Data masuk tidak ditujukan untuk LPSE Support ini (tujuan “aud” tidak ada atau "
        "berbeda), sehingga ditolak."
    ),
    "unknown_key": _(
        "Kunci tanda tangan data masuk tidak dikenal oleh LPSE Support. Hubungi admin "
        "LPSE Anda agar kunci SPSE/SiRUP didaftarkan."
    ),
    "key_not_valid": _(
        "Kunci tanda tangan data masuk sudah tidak berlaku, belum berlaku, atau "
        "dinonaktifkan di LPSE Support. Hubungi admin LPSE Anda."
    ),
    "key_wrong_lpse": _(
        "Kunci tanda tangan data masuk tidak berwenang untuk LPSE asal Anda, sehingga "
        "ditolak demi keamanan. Hubungi admin LPSE Anda."
    ),
    "lpse_inactive": _(
        "LPSE asal Anda sedang dinonaktifkan di LPSE Support, sehingga belum dapat "
        "masuk. Hubungi helpdesk LPSE Anda atau call center LKPP."
    ),
    "pending_expired": _(
        "Konfirmasi masuk sudah kedaluwarsa atau sudah dipakai. Silakan masuk kembali "
        "melalui SPSE atau SiRUP."
    ),
    "wrong_issuer": _("Data masuk diterbitkan oleh aplikasi lain daripada alamat yang dituju."),
    "missing_claim": _("Data masuk tidak lengkap: ada data pengguna yang tidak dikirim."),
    "invalid_claim": _("Data masuk berisi data pengguna yang tidak valid."),
    "wrong_role": _("Peran Anda pada data masuk tidak dikenal untuk aplikasi asal tersebut."),
    "unknown_lpse": _("LPSE asal Anda belum terdaftar di LPSE Support."),
    "replayed": _(
        "Data masuk ini sudah pernah dipakai. Setiap data masuk hanya dapat dipakai satu kali."
    ),
    "inactive": _("Akun Anda di LPSE Support sedang dinonaktifkan. Hubungi helpdesk LPSE."),
}


class SsoError(Exception):
    """A refused hand-off; `code` selects the message shown to the reporter."""

    def __init__(self, code: str, detail: str = "") -> None:
        if code not in ERROR_MESSAGES:
            raise ValueError(f"unknown SSO error code {code!r}")
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        # For the log only: never shown, it may name claims the reporter cannot fix.
        self.detail = detail

    @property
    def message(self) -> str:
        return str(ERROR_MESSAGES[self.code])


@dataclass(frozen=True)
class HandoffClaims:
    """The verified content of a hand-off token."""

    source: str
    kd_lpse: int  # 0 for SiRUP (national)
    user_id: str  # the `sub` claim
    name: str
    email: str
    role: str
    jti: str
    issued_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class VerificationKey:
    """A key a token may be verified with, wherever it was configured."""

    source: str
    kid: str  # "" for the per-source environment key
    alg: str
    key: str
    # LPSE codes the key may sign for; None means any (SiRUP, or the environment key of
    # a small installation).
    allowed_lpse: frozenset[int] | None
    origin: str  # "table", "file" or "environment", for the log


# --- key lookup ---------------------------------------------------------------------

_keys_file_lock = threading.Lock()


@functools.lru_cache(maxsize=4)
def _read_keys_file(path: str, mtime_ns: int, size: int) -> tuple[KeyEntry, ...]:
    # Cached by (path, mtime, size): a regenerated file is picked up without a restart.
    del mtime_ns, size
    return tuple(load_keys_file(path))


def keys_file_entries() -> tuple[KeyEntry, ...]:
    """The keys of settings.SSO_KEYS_FILE (none when unset or unreadable)."""
    path = str(getattr(settings, "SSO_KEYS_FILE", "") or "")
    if not path:
        return ()
    try:
        stat = os.stat(path)
        with _keys_file_lock:
            return _read_keys_file(path, stat.st_mtime_ns, stat.st_size)
    except (OSError, ValueError):
        logger.exception("SSO keys file %s cannot be read", path)
        return ()


def _environment_key(source: str) -> VerificationKey | None:
    sources: dict[str, dict[str, str]] = getattr(settings, "SSO_SOURCES", {})
    config = sources.get(source) or {}
    alg = (config.get("alg") or "").strip().upper()
    key = config.get("key") or ""
    if not key:
        # The first keys-file format held one key per source without kid: it plays the
        # environment key's part.
        legacy = [e for e in keys_file_entries() if e.source == source and not e.kid]
        if not legacy:
            return None
        if legacy[0].alg != alg:
            # A file made for another algorithm would be a confused configuration.
            logger.error("SSO keys file has %s for %s, expected %s", legacy[0].alg, source, alg)
            raise SsoError("not_configured", "keys file algorithm mismatch")
        key = legacy[0].key
    return VerificationKey(source, "", alg, normalise_key(alg, key), None, "environment")


def _checked(candidate: VerificationKey) -> VerificationKey:
    problem = key_problem(candidate.alg, candidate.key)
    if problem:
        # A short HMAC secret or an ES256 configuration fails `manage.py check`
        # (accounts.E001/E002); refuse here too in case the check was skipped.
        logger.error(
            "SSO key %s/%r (%s) is unusable: %s",
            candidate.source,
            candidate.kid,
            candidate.origin,
            problem,
        )
        raise SsoError("not_configured", f"unusable key {candidate.kid!r}")
    return candidate


def _registered_key(
    source: str, kid: str, alg: str, key: str, codes: frozenset[int], origin: str
) -> VerificationKey:
    """A key of the table or the file; SiRUP's list of LPSEs is empty (national)."""
    allowed = None if source == SignInSource.SIRUP and not codes else codes
    return _checked(VerificationKey(source, kid, alg, normalise_key(alg, key), allowed, origin))


def verification_key(source: str, kid: str | None) -> VerificationKey:
    """Select the key that verifies a token of `source` whose header names `kid`.

    - A kid is looked up in the key table (accounts.SsoKey), then in the keys file.
      Found but inactive or outside its validity dates: refused. Not found: refused,
      unless neither the table nor the file holds any key for the source, in which case
      the environment key (SSO_<SOURCE>_KEY) of a small installation is used.
    - A token without kid is verified with the environment key if one is configured,
      and refused otherwise: a key of the table is only ever chosen by its kid.
    Read at call time, never at import, so tests and `make demo` can point the settings
    at a freshly generated file.
    """
    if source not in ROLES_BY_SOURCE:
        raise SsoError("unknown_source", source)
    now = timezone.now()
    file_keys = [entry for entry in keys_file_entries() if entry.source == source and entry.kid]
    if kid:
        row = SsoKey.objects.filter(source=source, kid=kid).first()
        if row is not None:
            if not row.is_valid_at(now):
                raise SsoError("key_not_valid", f"table key {kid!r} inactive or out of dates")
            return _registered_key(source, kid, row.algorithm, row.key, row.allowed_lpse, "table")
        entry = next((e for e in file_keys if e.kid == kid), None)
        if entry is not None:
            if not entry.is_valid_at(now):
                raise SsoError("key_not_valid", f"file key {kid!r} out of dates")
            codes = frozenset(entry.kd_lpse)
            return _registered_key(source, kid, entry.alg, entry.key, codes, "file")
        if file_keys or SsoKey.objects.filter(source=source).exists():
            raise SsoError("unknown_key", f"kid {kid!r}")
    env_key = _environment_key(source)
    if env_key is None:
        if kid is None and (file_keys or SsoKey.objects.filter(source=source).exists()):
            raise SsoError("unknown_key", "token has no kid and no environment key is set")
        logger.error("SSO source %s has no verification key", source)
        raise SsoError("not_configured", "no key")
    return _checked(env_key)


# --- verification -------------------------------------------------------------------


def _is_number(value: object) -> bool:
    # bool is an int subclass; `true` is not a timestamp.
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text_claim(payload: dict[str, Any], name: str, max_length: int, *, strip: bool) -> str:
    value = payload[name]
    if isinstance(value, int) and not isinstance(value, bool) and name == "sub":
        value = str(value)  # numeric user ids are still ids
    if not isinstance(value, str):
        raise SsoError("invalid_claim", f"{name} is not a string")
    # Identifiers are taken verbatim (" ppk1" is not "ppk1"); display text is tidied.
    if strip:
        value = value.strip()
    if not value.strip():
        raise SsoError("missing_claim", f"{name} is empty")
    if len(value) > max_length:
        raise SsoError("invalid_claim", f"{name} is too long")
    return value


def _kd_lpse_claim(source: str, payload: dict[str, Any]) -> int:
    value = payload.get("kd_lpse")
    if source == SignInSource.SIRUP:
        # SiRUP is national: no LPSE, so the claim is absent or 0.
        if value is None or (type(value) is int and value == 0) or value in ("0", ""):
            return 0
        raise SsoError("invalid_claim", "kd_lpse for sirup must be absent or 0")
    if value is None:
        raise SsoError("missing_claim", "kd_lpse")
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise SsoError("invalid_claim", "kd_lpse is not a positive integer")
    return value


def _kid(header: dict[str, Any]) -> str | None:
    kid = header.get("kid")
    if kid is None:
        return None
    if not isinstance(kid, str) or not kid or len(kid) > MAX_KID_LENGTH:
        raise SsoError("malformed", "kid is not a short string")
    return kid


def _verified_payload(source: str, token: str) -> tuple[dict[str, Any], VerificationKey]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise SsoError("malformed", str(error)) from error
    config = verification_key(source, _kid(header))
    # Only the configured algorithm, compared before touching the key: this is what
    # stops `none` and HS256-signed-with-the-public-key (algorithm confusion).
    if header.get("alg") != config.alg:
        raise SsoError("bad_signature", f"alg {header.get('alg')!r} != {config.alg}")
    try:
        # PyJWS checks the signature only; every claim is checked below, so that each
        # refusal gets its own plain message.
        raw = jwt.PyJWS().decode(token, config.key, algorithms=[config.alg])
    except jwt.InvalidSignatureError as error:
        raise SsoError("bad_signature", str(error)) from error
    except jwt.InvalidKeyError as error:
        logger.error("SSO key of %s is unusable: %s", source, error)
        raise SsoError("not_configured", str(error)) from error
    except jwt.PyJWTError as error:
        raise SsoError("malformed", str(error)) from error
    try:
        payload = json.loads(raw)
    except ValueError as error:
        raise SsoError("malformed", "payload is not JSON") from error
    if not isinstance(payload, dict):
        raise SsoError("malformed", "payload is not an object")
    return payload, config


def _check_audience(payload: dict[str, Any]) -> None:
    audience = settings.SSO_AUDIENCE
    aud = payload.get("aud")
    # RFC 7519 allows one string or a list of them.
    accepted = aud == audience or (isinstance(aud, list) and audience in aud)
    if not accepted:
        raise SsoError("wrong_audience", f"aud {aud!r} is not {audience!r}")


def _check_times(payload: dict[str, Any]) -> tuple[datetime, datetime]:
    iat, exp = payload["iat"], payload["exp"]
    if not _is_number(iat) or not _is_number(exp):
        raise SsoError("invalid_claim", "iat/exp are not numbers")
    if exp <= iat:
        raise SsoError("invalid_claim", "exp is not after iat")
    if exp - iat > settings.SSO_MAX_LIFETIME_SECONDS:
        raise SsoError("lifetime_too_long", f"{exp - iat}s")
    now = timezone.now().timestamp()
    skew = settings.SSO_CLOCK_SKEW_SECONDS
    if now > exp + skew:
        raise SsoError("expired", f"{now - exp:.0f}s ago")
    nbf = payload.get("nbf")
    if nbf is not None and not _is_number(nbf):
        raise SsoError("invalid_claim", "nbf is not a number")
    if iat > now + skew or (nbf is not None and nbf > now + skew):
        raise SsoError("not_yet_valid", f"iat {iat - now:.0f}s ahead")
    return datetime.fromtimestamp(iat, tz=UTC), datetime.fromtimestamp(exp, tz=UTC)


def verify_handoff_token(*, source: str, token: str) -> HandoffClaims:
    """Verify a hand-off token posted to /sso/<source>/ and return its claims."""
    if source not in ROLES_BY_SOURCE:
        raise SsoError("unknown_source", source)
    token = token.strip()
    if not token:
        raise SsoError("missing_token")
    if len(token) > MAX_TOKEN_LENGTH:
        raise SsoError("malformed", "token too long")
    payload, key = _verified_payload(source, token)

    missing = [name for name in REQUIRED_CLAIMS if payload.get(name) is None]
    if missing:
        raise SsoError("missing_claim", ", ".join(missing))
    if payload["iss"] != source:
        raise SsoError("wrong_issuer", f"iss {payload['iss']!r} posted to {source}")
    _check_audience(payload)
    issued_at, expires_at = _check_times(payload)
    kd_lpse = _kd_lpse_claim(source, payload)
    if key.allowed_lpse is not None and kd_lpse not in key.allowed_lpse:
        # The point of a key per SPSE instance: a compromised SPSE cannot vouch for
        # reporters of another LPSE.
        raise SsoError("key_wrong_lpse", f"kid {key.kid!r} may not sign for LPSE {kd_lpse}")

    role = payload["role"]
    if not isinstance(role, str) or role not in ROLES_BY_SOURCE[source]:
        raise SsoError("wrong_role", f"role {role!r} for {source}")
    email = _text_claim(payload, "email", MAX_EMAIL_LENGTH, strip=True)
    try:
        validate_email(email)
    except ValidationError as error:
        raise SsoError("invalid_claim", "email is not an e-mail address") from error
    return HandoffClaims(
        source=source,
        kd_lpse=kd_lpse,
        user_id=_text_claim(payload, "sub", MAX_SUB_LENGTH, strip=False),
        name=_text_claim(payload, "name", MAX_NAME_LENGTH, strip=True),
        email=email,
        role=role,
        jti=_text_claim(payload, "jti", MAX_JTI_LENGTH, strip=False),
        issued_at=issued_at,
        expires_at=expires_at,
    )
