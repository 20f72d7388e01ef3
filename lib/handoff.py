"""Signing of hand-off tokens, as SPSE and SiRUP do it.

Deliberately free of Django so the test helpers of LPSE Support can sign tokens the same
way the simulator does. Every SPSE instance signs with its own key, named in the token's
`kid` header, and addresses the token to LPSE Support's identifier (`aud`).
"""

import time
import uuid
from pathlib import Path
from typing import Any

import jwt

from lib.devkeys import load_keys_file, signing_entry

# What the simulator issues; LPSE Support accepts up to 300 s.
HANDOFF_LIFETIME_SECONDS = 120
# LPSE Support's default SSO_AUDIENCE.
DEFAULT_AUDIENCE = "lpse-support"


def handoff_claims(
    *,
    source: str,
    kd_lpse: int,
    user_id: str,
    name: str,
    email: str,
    role: str,
    audience: str = DEFAULT_AUDIENCE,
    now: float | None = None,
    lifetime: int = HANDOFF_LIFETIME_SECONDS,
) -> dict[str, Any]:
    """Build the claims of a fresh hand-off token (new random jti every time)."""
    issued = int(time.time() if now is None else now)
    return {
        "iss": source,
        "aud": audience,
        "sub": user_id,
        # SiRUP is national: always 0 there.
        "kd_lpse": kd_lpse if source == "spse" else 0,
        "name": name,
        "email": email,
        "role": role,
        "iat": issued,
        "exp": issued + lifetime,
        "jti": uuid.uuid4().hex,
    }


def sign_claims(claims: dict[str, Any], *, alg: str, signing_key: str, kid: str = "") -> str:
    """Sign `claims` as a compact JWT, naming the key in the header when `kid` is set."""
    headers: dict[str, Any] = {"typ": "JWT"}
    if kid:
        headers["kid"] = kid
    return jwt.encode(claims, signing_key, algorithm=alg, headers=headers)


def sign_with_keys_file(claims: dict[str, Any], *, source: str, keys_file: Path | str) -> str:
    """Sign `claims` with the key `source` holds for the claims' LPSE in a keys file."""
    entry = signing_entry(
        load_keys_file(keys_file), source=source, kd_lpse=int(claims.get("kd_lpse") or 0)
    )
    return sign_claims(claims, alg=entry.alg, signing_key=entry.signing_key, kid=entry.kid)
