"""System checks of the sign-in hand-off keys: `manage.py check` fails on a weak key.

Covers the keys configured outside the database (environment, keys file); keys of the
admin table are validated when saved (SsoKey.clean). Checks run at every start of
runserver/migrate and in the deployment's `manage.py check --deploy`.
"""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from accounts.ssokeys import MIN_HMAC_KEY_BYTES, SUPPORTED_ALGORITHMS, key_problem
from lib.devkeys import load_keys_file


def _key_error(where: str, alg: str, key: str) -> Error | None:
    if alg not in SUPPORTED_ALGORITHMS:
        return Error(
            f"{where}: algorithm {alg!r} is not supported.",
            hint="Use HS256 or RS256; other algorithms (ES256, none, ...) are refused.",
            id="accounts.E002",
        )
    problem = key_problem(alg, key)
    if problem is None:
        return None
    if alg == "HS256" and len(key.encode("utf-8")) < MIN_HMAC_KEY_BYTES:
        return Error(
            f"{where}: the HS256 secret is shorter than {MIN_HMAC_KEY_BYTES} bytes.",
            hint="Generate a longer shared secret, e.g. `python -c "
            '"import secrets; print(secrets.token_urlsafe(48))"`.',
            id="accounts.E001",
        )
    return Error(f"{where}: {problem}", id="accounts.E003")


@register("security")
def sso_keys_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Refuse short HMAC secrets, unsupported algorithms and unusable keys at start-up."""
    errors: list[CheckMessage] = []
    if not str(getattr(settings, "SSO_AUDIENCE", "") or "").strip():
        errors.append(
            Error(
                "SSO_AUDIENCE is empty: every hand-off token would be refused.",
                hint="Set SSO_AUDIENCE to this installation's identifier (default "
                "lpse-support), the same value SPSE/SiRUP put in the aud claim.",
                id="accounts.E004",
            )
        )
    sources: dict[str, dict[str, str]] = getattr(settings, "SSO_SOURCES", {})
    for source, config in sources.items():
        key = config.get("key") or ""
        if key:
            alg = (config.get("alg") or "").strip().upper()
            error = _key_error(f"SSO_{source.upper()}_KEY", alg, key)
            if error:
                errors.append(error)
    path = str(getattr(settings, "SSO_KEYS_FILE", "") or "")
    if path:
        try:
            entries = load_keys_file(path)
        except FileNotFoundError:
            # The demo and the tests create it on first start; nothing to check yet.
            entries = []
        except (OSError, ValueError) as exc:
            errors.append(Error(f"SSO_KEYS_FILE {path}: {exc}", id="accounts.E005"))
            entries = []
        for entry in entries:
            where = f"SSO_KEYS_FILE {path}, key {entry.source}/{entry.kid or '(no kid)'}"
            error = _key_error(where, entry.alg, entry.key)
            if error:
                errors.append(error)
            if entry.source == "spse" and entry.kid and not entry.kd_lpse:
                errors.append(
                    Error(
                        f"{where}: an SPSE key must list the kd_lpse it may sign for.",
                        id="accounts.E005",
                    )
                )
    return errors
