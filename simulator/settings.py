"""Settings of the simulator (a separate Django project with no database).

Configured through the environment; `python -m simulator` sets these from its options.
"""

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = os.environ.get("SIMULATOR_DEBUG", "").lower() in {"1", "true", "yes", "on"}
# Sessions live in signed cookies, so a fresh key per process only signs everyone out of
# the simulator on restart, which is harmless for a development tool.
SECRET_KEY = os.environ.get("SIMULATOR_SECRET_KEY") or secrets.token_urlsafe(50)
ALLOWED_HOSTS = _env_list("SIMULATOR_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")

# Where LPSE Support runs: the hand-off form posts to <app url>/sso/<source>/.
SIMULATOR_APP_URL = os.environ.get("SIMULATOR_APP_URL", "http://127.0.0.1:8000").rstrip("/")
# The development keys file shared with LPSE Support (see lib/devkeys.py).
SIMULATOR_KEYS_FILE = (
    os.environ.get("SIMULATOR_KEYS_FILE")
    or os.environ.get("SSO_KEYS_FILE")
    or str(BASE_DIR / "var" / "dev-keys.json")
)
# LPSE Support's identifier (its SSO_AUDIENCE), put in the `aud` claim of every token.
SIMULATOR_AUDIENCE = (
    os.environ.get("SIMULATOR_AUDIENCE") or os.environ.get("SSO_AUDIENCE") or "lpse-support"
)
# Bearer tokens of the data endpoints, one per simulated source; LPSE Support's clients
# must be configured with the same values (the defaults are for development only).
SIMULATOR_API_TOKENS = {
    "dw": os.environ.get("SIMULATOR_DW_TOKEN") or "dev-dw-token",
    "katalog": os.environ.get("SIMULATOR_KATALOG_TOKEN") or "dev-katalog-token",
    "sirup": os.environ.get("SIMULATOR_SIRUP_TOKEN") or "dev-sirup-token",
}

INSTALLED_APPS = ["simulator"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "simulator.urls"
WSGI_APPLICATION = "simulator.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    },
]

DATABASES: dict[str, dict[str, str]] = {}

# No database, so sessions are signed cookies. Cookies ignore ports and LPSE Support runs
# on the same host, so every cookie name differs from the app's (`lpsesupport_*`).
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_COOKIE_NAME = "sim_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_NAME = "sim_csrftoken"

LANGUAGE_CODE = "id"
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SIMULATOR_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {
            "handlers": ["console"],
            "level": os.environ.get("SIMULATOR_LOG_LEVEL", "INFO"),
            "propagate": False,
        }
    },
}
