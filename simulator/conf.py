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
