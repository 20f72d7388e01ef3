"""Rules for hand-off verification keys, shared by the key table, the checks and sso.py.

Kept free of models so that accounts.models, accounts.checks and accounts.sso can all
use them without import cycles.
"""

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from django.utils.translation import gettext as _

# The algorithms we document and test. ES256 and others are refused: one fewer kind of
# key to get wrong, and nothing we serve needs them.
SUPPORTED_ALGORITHMS = ("HS256", "RS256")
# RFC 7518 §3.2: an HS256 key must be at least as long as the hash output (32 bytes).
MIN_HMAC_KEY_BYTES = 32
MIN_RSA_KEY_BITS = 2048


def normalise_key(alg: str, key: str) -> str:
    """PEM keys set through an environment file often arrive with escaped newlines."""
    if alg.startswith("RS") and "\\n" in key and "\n" not in key:
        key = key.replace("\\n", "\n")
    return key.strip() if alg.startswith("RS") else key


def key_problem(alg: str, key: str) -> str | None:
    """Why `key` cannot verify `alg` tokens, in Indonesian; None when it can."""
    if alg not in SUPPORTED_ALGORITHMS:
        return _("Algoritma %(alg)s tidak didukung; gunakan HS256 atau RS256.") % {"alg": alg}
    key = normalise_key(alg, key)
    if not key:
        return _("Kunci verifikasi kosong.")
    if alg == "HS256":
        if len(key.encode("utf-8")) < MIN_HMAC_KEY_BYTES:
            return _("Kunci rahasia HS256 harus minimal %(n)d byte.") % {"n": MIN_HMAC_KEY_BYTES}
        if "-----BEGIN" in key:
            # A PEM pasted as an HMAC secret is the algorithm-confusion set-up.
            return _("Kunci HS256 harus berupa rahasia bersama, bukan kunci PEM.")
        return None
    try:
        public_key = load_pem_public_key(key.encode("ascii"))
    except (ValueError, UnicodeEncodeError, UnsupportedAlgorithm):
        return _("Kunci RS256 harus berupa kunci publik RSA dalam format PEM.")
    if not isinstance(public_key, rsa.RSAPublicKey):
        return _("Kunci RS256 harus berupa kunci publik RSA dalam format PEM.")
    if public_key.key_size < MIN_RSA_KEY_BITS:
        return _("Kunci RSA harus minimal %(n)d bit.") % {"n": MIN_RSA_KEY_BITS}
    return None


def parse_kd_lpse_list(text: str) -> list[int]:
    """Parse "119, 10" into [10, 119]; ValueError (Indonesian) for anything else."""
    codes: set[int] = set()
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not (part.isascii() and part.isdigit()) or int(part) <= 0:
            raise ValueError(
                _("Kode LPSE harus berupa angka positif dipisahkan koma, bukan “%(part)s”.")
                % {"part": part}
            )
        codes.add(int(part))
    return sorted(codes)
