"""Development and test keys for the SPSE/SiRUP sign-in hand-off.

The keys file is JSON with a list of keys, one per signing SPSE instance plus SiRUP::

    {"version": 2,
     "keys": [
       {"source": "spse", "kid": "spse-119-2026", "alg": "HS256", "kd_lpse": [119],
        "key": "<secret>", "signing_key": "<secret>",
        "valid_from": "2026-01-01T00:00:00+00:00", "valid_until": null},
       {"source": "sirup", "kid": "sirup-2026", "alg": "RS256", "kd_lpse": [],
        "key": "<public PEM>", "signing_key": "<private PEM>", ...}]}

`kid` is the JWT header that selects the key; `kd_lpse` lists the LPSEs the key may sign
for (empty only for SiRUP, which is national); `valid_from`/`valid_until` (ISO 8601, or
null for no bound) allow rotation. `key` is what LPSE Support verifies with;
`signing_key` is what the simulator (playing SPSE/SiRUP) signs with and may be left out
of a file meant only for LPSE Support. These keys only ever exist on a developer's
machine or in a test run (var/ is gitignored); production keys live in the admin's key
table (accounts.SsoKey) or in a file of this shape without signing keys.

The first format, one entry per source without kid (``{"spse": {"alg", "key",
"signing_key"}}``), is still read, as a key without kid; `generate_dev_keys` replaces
such a file with the current format.

Usage: ``python -m lib.devkeys PATH`` creates PATH if it does not exist yet.
"""

import contextlib
import json
import os
import secrets
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from lib.demo_lpses import LPSES

KEYS_FILE_VERSION = 2
SOURCES = ("spse", "sirup")
# Every LPSE the simulator knows gets its own SPSE key, so the demo shows that a key
# signs for its own LPSE only.
DEV_SPSE_LPSES: tuple[int, ...] = tuple(lpse.kd_lpse for lpse in LPSES)


@dataclass(frozen=True)
class KeyEntry:
    """One key of a keys file."""

    source: str
    kid: str  # "" only for a key of the first file format
    alg: str
    key: str
    signing_key: str
    kd_lpse: tuple[int, ...]
    valid_from: datetime | None
    valid_until: datetime | None

    def is_valid_at(self, moment: datetime) -> bool:
        if self.valid_from is not None and moment < self.valid_from:
            return False
        return self.valid_until is None or moment < self.valid_until


def dev_kid(source: str, kd_lpse: int, year: int) -> str:
    """The kid of a generated key: "spse-119-2026", "sirup-2026"."""
    return f"spse-{kd_lpse}-{year}" if source == "spse" else f"{source}-{year}"


def _rsa_keypair() -> tuple[str, str]:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private_key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    ).decode("ascii")
    public_pem = (
        private_key.public_key()
        .public_bytes(
            encoding=serialization.Encoding.PEM,
            format=serialization.PublicFormat.SubjectPublicKeyInfo,
        )
        .decode("ascii")
    )
    return private_pem, public_pem


def _new_keys(now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    valid_from = datetime(now.year, 1, 1, tzinfo=UTC).isoformat()
    keys: list[dict[str, Any]] = []
    for kd_lpse in DEV_SPSE_LPSES:
        # 48 random bytes (64 characters): well above the 32-byte minimum for HS256.
        secret = secrets.token_urlsafe(48)
        keys.append(
            {
                "source": "spse",
                "kid": dev_kid("spse", kd_lpse, now.year),
                "alg": "HS256",
                "kd_lpse": [kd_lpse],
                "key": secret,
                "signing_key": secret,
                "valid_from": valid_from,
                "valid_until": None,
            }
        )
    private_pem, public_pem = _rsa_keypair()
    keys.append(
        {
            "source": "sirup",
            "kid": dev_kid("sirup", 0, now.year),
            "alg": "RS256",
            "kd_lpse": [],
            "key": public_pem,
            "signing_key": private_pem,
            "valid_from": valid_from,
            "valid_until": None,
        }
    )
    return {"version": KEYS_FILE_VERSION, "keys": keys}


def _is_current_format(path: Path) -> bool:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("version") == KEYS_FILE_VERSION


def generate_dev_keys(path: Path) -> None:
    """Create the development keys file at `path` (mode 0600) unless it already exists.

    A file in the first format (one key per source, no kid) is replaced: the simulator
    must sign with a kid per LPSE, and these keys are disposable.
    """
    path = Path(path)
    if path.exists() and _is_current_format(path):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write a private temporary file, then hard-link it into place: the link fails if
    # another process created the file meanwhile, so concurrent starts (the app and the
    # simulator, parallel test workers) never see a half-written file nor get different
    # keys.
    fd, tmp_name = tempfile.mkstemp(prefix=".devkeys-", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(_new_keys(), handle, indent=2)
            handle.write("\n")
        if path.exists():
            # Old format: replace it atomically (rename over it).
            os.replace(tmp_name, path)
            return
        with contextlib.suppress(FileExistsError):
            os.link(tmp_name, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)


def _moment(path: Path | str, value: Any, name: str) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"{path}: {name} is not an ISO 8601 string")
    moment = datetime.fromisoformat(value)
    # A date without zone is read as UTC rather than the server's local time.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _entry(path: Path | str, raw: Any) -> KeyEntry:
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: a key is not an object")
    codes = raw.get("kd_lpse") or []
    if not isinstance(codes, list) or not all(
        isinstance(code, int) and not isinstance(code, bool) and code > 0 for code in codes
    ):
        raise ValueError(f"{path}: kd_lpse of {raw.get('kid')!r} is not a list of codes")
    for name in ("source", "kid", "alg", "key"):
        if not isinstance(raw.get(name), str) or not raw[name]:
            raise ValueError(f"{path}: a key has no {name}")
    return KeyEntry(
        source=raw["source"],
        kid=raw["kid"],
        alg=raw["alg"].upper(),
        key=raw["key"],
        signing_key=str(raw.get("signing_key") or ""),
        kd_lpse=tuple(codes),
        valid_from=_moment(path, raw.get("valid_from"), "valid_from"),
        valid_until=_moment(path, raw.get("valid_until"), "valid_until"),
    )


def load_keys_file(path: Path | str) -> list[KeyEntry]:
    """Read a keys file written by `generate_dev_keys` (or by hand, same shape)."""
    with open(path, encoding="utf-8") as handle:
        data: Any = json.load(handle)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object")
    if "keys" in data:
        if not isinstance(data["keys"], list):
            raise ValueError(f"{path}: keys is not a list")
        entries = [_entry(path, raw) for raw in data["keys"]]
        kids = [(entry.source, entry.kid) for entry in entries]
        if len(set(kids)) != len(kids):
            raise ValueError(f"{path}: a kid appears twice for the same source")
        return entries
    # First format: {"spse": {"alg", "key", "signing_key"}, ...}, one key without kid.
    legacy: list[KeyEntry] = []
    for source, raw in data.items():
        if not isinstance(raw, dict):
            raise ValueError(f"{path}: entry {source!r} is not an object")
        legacy.append(
            KeyEntry(
                source=str(source),
                kid="",
                alg=str(raw.get("alg", "")).upper(),
                key=str(raw.get("key", "")),
                signing_key=str(raw.get("signing_key", "")),
                kd_lpse=(),
                valid_from=None,
                valid_until=None,
            )
        )
    return legacy


def signing_entry(
    entries: list[KeyEntry], *, source: str, kd_lpse: int, now: datetime | None = None
) -> KeyEntry:
    """The key a simulated `source` signs with for `kd_lpse` (SiRUP: any), valid now."""
    moment = now or datetime.now(UTC)
    candidates = [
        entry
        for entry in entries
        if entry.source == source
        and entry.signing_key
        and entry.is_valid_at(moment)
        and (source != "spse" or not entry.kd_lpse or kd_lpse in entry.kd_lpse)
    ]
    if not candidates:
        raise LookupError(f"no signing key for {source} at LPSE {kd_lpse}")
    # The newest key wins during a rotation overlap.
    return max(candidates, key=lambda entry: entry.valid_from or datetime.min.replace(tzinfo=UTC))


def main(argv: list[str] | None = None) -> int:
    """Command line: create the keys file given as the only argument if it is missing."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m lib.devkeys PATH", file=sys.stderr)
        return 2
    path = Path(args[0])
    existed = path.exists() and _is_current_format(path)
    generate_dev_keys(path)
    print(f"{path}: {'already exists' if existed else 'created'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
