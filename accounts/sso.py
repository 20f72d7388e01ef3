"""Verification of the sign-in hand-off token sent by SPSE and SiRUP.

The source application posts a short-lived, single-use JWT signed with its own key.
This module checks the signature and the claims only; the single-use rule and the
LPSE lookup need the database and live in `accounts.services.reporter_sign_in`.
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

from accounts.models import ROLES_BY_SOURCE, SignInSource
from lib.devkeys import load_keys_file

logger = logging.getLogger(__name__)

# Algorithms a source may be configured with. The configured one is the only one
# accepted for that source, whatever the token's header says.
SUPPORTED_ALGORITHMS = frozenset({"HS256", "RS256"})
# A hand-off token is a few hundred bytes; refuse anything absurd before parsing it.
MAX_TOKEN_LENGTH = 8192
REQUIRED_CLAIMS = ("iss", "sub", "name", "email", "role", "iat", "exp", "jti")
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
class SourceKey:
    alg: str
    key: str


# --- key lookup ---------------------------------------------------------------------

_keys_file_lock = threading.Lock()


@functools.lru_cache(maxsize=4)
def _read_keys_file(path: str, mtime_ns: int, size: int) -> dict[str, dict[str, str]]:
    # Cached by (path, mtime, size): a regenerated file is picked up without a restart.
    del mtime_ns, size
    return load_keys_file(path)


def _keys_from_file(path: str) -> dict[str, dict[str, str]]:
    try:
        stat = os.stat(path)
        with _keys_file_lock:
            return _read_keys_file(path, stat.st_mtime_ns, stat.st_size)
    except (OSError, ValueError):
        logger.exception("SSO keys file %s cannot be read", path)
        return {}


def _normalise_key(alg: str, key: str) -> str:
    # PEM keys set through an environment file often arrive with escaped newlines.
    if alg.startswith("RS") and "\\n" in key and "\n" not in key:
        key = key.replace("\\n", "\n")
    return key.strip() if alg.startswith("RS") else key


def source_key(source: str) -> SourceKey:
    """Return the configured algorithm and verification key of `source`.

    The environment (settings.SSO_SOURCES) wins; an empty key falls back to the
    development keys file (settings.SSO_KEYS_FILE). Read at call time, never at import,
    so tests and `make demo` can point the settings at a freshly generated file.
    """
    sources: dict[str, dict[str, str]] = getattr(settings, "SSO_SOURCES", {})
    config = sources.get(source)
    if config is None:
        raise SsoError("unknown_source", source)
    alg = (config.get("alg") or "").strip().upper()
    if alg not in SUPPORTED_ALGORITHMS:
        logger.error("SSO source %s is configured with unsupported algorithm %r", source, alg)
        raise SsoError("not_configured", f"unsupported alg {alg!r}")
    key = config.get("key") or ""
    if not key:
        keys_file = str(getattr(settings, "SSO_KEYS_FILE", "") or "")
        entry = _keys_from_file(keys_file).get(source, {}) if keys_file else {}
        if entry.get("alg", alg).upper() != alg:
            # A file made for another algorithm would be a confused configuration:
            # refuse rather than verify with a key of the wrong kind.
            logger.error(
                "SSO keys file %s has %s for %s, expected %s",
                keys_file,
                entry.get("alg"),
                source,
                alg,
            )
            raise SsoError("not_configured", "keys file algorithm mismatch")
        key = entry.get("key", "")
    if not key:
        logger.error("SSO source %s has no verification key", source)
        raise SsoError("not_configured", "no key")
    return SourceKey(alg=alg, key=_normalise_key(alg, key))


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


def _verified_payload(source: str, token: str) -> dict[str, Any]:
    config = source_key(source)
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise SsoError("malformed", str(error)) from error
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
    return payload


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
    payload = _verified_payload(source, token)

    missing = [name for name in REQUIRED_CLAIMS if payload.get(name) is None]
    if missing:
        raise SsoError("missing_claim", ", ".join(missing))
    if payload["iss"] != source:
        raise SsoError("wrong_issuer", f"iss {payload['iss']!r} posted to {source}")
    issued_at, expires_at = _check_times(payload)

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
        kd_lpse=_kd_lpse_claim(source, payload),
        user_id=_text_claim(payload, "sub", MAX_SUB_LENGTH, strip=False),
        name=_text_claim(payload, "name", MAX_NAME_LENGTH, strip=True),
        email=email,
        role=role,
        jti=_text_claim(payload, "jti", MAX_JTI_LENGTH, strip=False),
        issued_at=issued_at,
        expires_at=expires_at,
    )
