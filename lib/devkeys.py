"""Development and test keys for the SPSE/SiRUP sign-in hand-off.

The keys file is JSON, one entry per source::

    {"spse":  {"alg": "HS256", "key": "<secret>",     "signing_key": "<secret>"},
     "sirup": {"alg": "RS256", "key": "<public PEM>", "signing_key": "<private PEM>"}}

`key` is what LPSE Support verifies with; `signing_key` is what the simulator (playing
SPSE/SiRUP) signs with. These keys only ever exist on a developer's machine or in a test
run (var/ is gitignored); production keys come from the environment.

Usage: ``python -m lib.devkeys PATH`` creates PATH if it does not exist yet.
"""

import contextlib
import json
import os
import secrets
import sys
import tempfile
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


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


def _new_keys() -> dict[str, dict[str, str]]:
    # 48 random bytes: well above the 32-byte minimum recommended for HS256.
    secret = secrets.token_urlsafe(48)
    private_pem, public_pem = _rsa_keypair()
    return {
        "spse": {"alg": "HS256", "key": secret, "signing_key": secret},
        "sirup": {"alg": "RS256", "key": public_pem, "signing_key": private_pem},
    }


def generate_dev_keys(path: Path) -> None:
    """Create the development keys file at `path` (mode 0600) unless it already exists."""
    path = Path(path)
    if path.exists():
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
        with contextlib.suppress(FileExistsError):
            os.link(tmp_name, path)
    finally:
        os.unlink(tmp_name)


def load_keys_file(path: Path | str) -> dict[str, dict[str, str]]:
    """Read a keys file written by `generate_dev_keys`."""
    with open(path, encoding="utf-8") as handle:
        data: Any = json.load(handle)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object of sources")
    keys: dict[str, dict[str, str]] = {}
    for source, entry in data.items():
        if not isinstance(entry, dict):
            raise ValueError(f"{path}: entry {source!r} is not an object")
        keys[str(source)] = {str(name): str(value) for name, value in entry.items()}
    return keys


def main(argv: list[str] | None = None) -> int:
    """Command line: create the keys file given as the only argument if it is missing."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m lib.devkeys PATH", file=sys.stderr)
        return 2
    path = Path(args[0])
    existed = path.exists()
    generate_dev_keys(path)
    print(f"{path}: {'already exists' if existed else 'created'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
