"""The simulator's own settings, read through functions.

Type checking runs against LPSE Support's settings module, which does not define the
SIMULATOR_* names; reading them here keeps that in one place.
"""

from django.conf import settings


def app_url() -> str:
    """Base URL of LPSE Support, without trailing slash."""
    return str(getattr(settings, "SIMULATOR_APP_URL", "http://127.0.0.1:8000")).rstrip("/")


def keys_file() -> str:
    """Path of the development keys file the simulator signs with."""
    return str(getattr(settings, "SIMULATOR_KEYS_FILE", ""))


def audience() -> str:
    """LPSE Support's identifier, the `aud` claim of the hand-off tokens."""
    return str(getattr(settings, "SIMULATOR_AUDIENCE", "") or "lpse-support")


_DEFAULT_API_TOKENS = {
    "dw": "dev-dw-token",
    "katalog": "dev-katalog-token",
    "sirup": "dev-sirup-token",
}


def api_token(source: str) -> str:
    """The bearer token the data endpoint of `source` ("dw", "katalog", "sirup") accepts."""
    tokens = getattr(settings, "SIMULATOR_API_TOKENS", None) or _DEFAULT_API_TOKENS
    return str(tokens.get(source) or _DEFAULT_API_TOKENS[source])
