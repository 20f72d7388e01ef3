"""Settings for LPSE Support, read from environment variables.

Every variable is listed in `.env.example`. Defaults are safe for production:
DEBUG is off and there is no secret key unless DEBUG is on.
"""

import ipaddress
import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# Test mode (the development key, plain-HTTP cookies, no HTTPS redirect or HSTS) takes
# effect only inside a pytest run: pytest itself sets PYTEST_VERSION for its process
# (and the processes a test starts), which no start path of a deployment does. TESTING=1
# anywhere else with DEBUG off (gunicorn, runserver, check --deploy) is a mistake, never
# a quiet weakening: it stops the start.
TESTING = env_bool("TESTING") and bool(env("PYTEST_VERSION"))
if env_bool("TESTING") and not TESTING and not DEBUG:
    raise ImproperlyConfigured(
        "TESTING=1 is for the test suite only (pytest); unset it, or set DEBUG=1 for "
        "development tools."
    )
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and not TESTING:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-secret-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "django_tasks",
    "django_tasks_db",
    # Staff sign-in throttling (accounts/throttle.py).
    "axes",
    # Optional TOTP second factor for superusers and national supervisors (accounts/totp.py).
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Serves the API docs' Swagger UI from our own static files, not from a CDN.
    "ninja",
    "accounts",
    "reference",
    "tickets",
    "integrations",
    "sla",
    "notifications",
    "reports",
    # The knowledge base, Pusat Bantuan (issue 18).
    "knowledge",
    # The API's shared rate-limit counters (api/models.py).
    "api",
]

MIDDLEWARE = [
    # Every request runs under an id (the proxy's X-Request-ID or a new one): in its log
    # lines, its calls to the sources, and the answer's X-Request-ID.
    "lpse_support.requestid.RequestIdMiddleware",
    # /healthz and /readyz, answered before host checks, the HTTPS redirect and sessions.
    "lpse_support.health.HealthMiddleware",
    # /metrics (with METRICS_TOKEN) answered here too; every later request is timed.
    "lpse_support.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "lpse_support.cache_headers.NoStoreForSignedInMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "api.middleware.ApiErrorFormatMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Read-your-writes with a replica: binds the request's state, marks a writer.
    "lpse_support.replica.PrimaryStickinessMiddleware",
    # An idle staff session ends before the body guard below counts it as signed in.
    "accounts.middleware.StaffIdleTimeoutMiddleware",
    # Before anything reads the body: how much of it to read, and whether files may be
    # written at all (never for a request that is not authenticated).
    "lpse_support.middleware.RequestBodyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # The domain's NotFound ("not yours" or missing) becomes the one 404 page.
    "lpse_support.middleware.DomainErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.UserTimezoneMiddleware",
    # Gives request.user.is_verified() to the second-factor check below.
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.StaffTotpMiddleware",
    # Last: it turns a sign-in that axes refused into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lpse_support.urls"
WSGI_APPLICATION = "lpse_support.wsgi.application"

# Selects are drawn in Python (lpse_support/forms.py): the same HTML, much faster.
FORM_RENDERER = "lpse_support.forms.FormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.site",
                "notifications.context_processors.bell",
                "reports.context_processors.reports_nav",
                "knowledge.context_processors.knowledge_nav",
            ],
        },
    },
]

# Database: embedded SQLite (WAL) by default, PostgreSQL through DATABASE_URL.
VAR_DIR = Path(env("VAR_DIR", str(BASE_DIR / "var")))
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'lpse_support.sqlite3'}")
# Health checks: a connection kept from before a database restart is tested (and
# replaced) before a request uses it, instead of failing that request with a 503.
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE makes every write transaction take the write lock up front, so
        # concurrent writers queue on the busy timeout instead of failing to upgrade.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
    # A file, not memory: concurrency tests need several connections to one database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-lpse_support.sqlite3")}

# Read replica (issue 16; lpse_support/dbrouter.py). Unset: everything on "default".
# Set: the heavy read-only pages (the API's and the console's ticket lists and search, the
# reporter's list; reports and exports that enter lib.replica.replica_reads()) read from
# it, unless the person wrote in the last REPLICA_STICKY_SECONDS or it lags more than
# REPLICA_MAX_LAG_SECONDS or cannot be reached (then the primary answers).
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL")
REPLICA_DATABASE = "replica" if DATABASE_REPLICA_URL else ""
REPLICA_STICKY_SECONDS = env_int("REPLICA_STICKY_SECONDS", 10)
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", 30)
if REPLICA_DATABASE:
    DATABASES[REPLICA_DATABASE] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=60, conn_health_checks=True
    )
    if DATABASES[REPLICA_DATABASE]["ENGINE"] == "django.db.backends.postgresql":
        # A replica that does not answer must not hold a page for long: it falls back.
        DATABASES[REPLICA_DATABASE]["OPTIONS"] = {"connect_timeout": 3}
    # The test suite's replica is the primary's test database.
    DATABASES[REPLICA_DATABASE]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["lpse_support.dbrouter.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# Reporters sign in through SPSE/SiRUP: the landing page explains how (and links staff
# to their own sign-in).
LOGIN_URL = "home"
# The landing page sends each person on: reporters to the dashboard, staff to the console.
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "id"
# Indonesian only until an English catalogue exists: otherwise a browser asking for
# English would get Django's own English (day names, form errors) amid Indonesian pages.
LANGUAGES = [("id", "Bahasa Indonesia")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve straight from the apps' static folders in development and tests; production
# runs collectstatic into STATIC_ROOT.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"  # never served directly: downloads go through access checks

# Storage: local folder by default; S3-compatible object storage by configuration alone.
# The environment says where the bucket is; the storage's choices (no ACL, no URLs,
# streaming, timeouts, checksums) are made in lpse_support/storage.py.
if env("STORAGE_BACKEND", "local") == "s3":
    _default_storage = {
        "BACKEND": "lpse_support.storage.AttachmentS3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET"),
            "endpoint_url": env("S3_ENDPOINT_URL") or None,
            "access_key": env("S3_ACCESS_KEY"),
            "secret_key": env("S3_SECRET_KEY"),
            "region_name": env("S3_REGION") or None,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Downloads through nginx (X-Accel-Redirect) ---
# With local storage, a single attachment that passed the access check is sent by nginx
# from an `internal` location aliased to MEDIA_ROOT (deploy/nginx/lpse-support.conf:
# @@MEDIA_ROOT@@): the app answers with headers only. Empty (the default): the app
# streams the file itself. Not used with STORAGE_BACKEND=s3; zips are always streamed.
ATTACHMENT_X_ACCEL_PREFIX = env("ATTACHMENT_X_ACCEL_PREFIX").rstrip("/")
if ATTACHMENT_X_ACCEL_PREFIX and not re.fullmatch(
    r"(/(?!\.+(/|$))[A-Za-z0-9._~-]+)+", ATTACHMENT_X_ACCEL_PREFIX
):
    raise ImproperlyConfigured(
        "ATTACHMENT_X_ACCEL_PREFIX must be a path of plain segments that begins with / "
        f"(e.g. /_lampiran), not {ATTACHMENT_X_ACCEL_PREFIX!r}."
    )

# Uploads larger than this go to a temporary file on disk, never held whole in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = env("FILE_UPLOAD_TEMP_DIR") or None
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 52_428_800)
ATTACHMENT_MAX_FILES = env_int("ATTACHMENT_MAX_FILES", 20)

# Cookies are named so that the app and the simulator on another port of the same
# host never overwrite each other's cookies (cookies ignore ports).
SESSION_COOKIE_NAME = "lpsesupport_session"
CSRF_COOKIE_NAME = "lpsesupport_csrftoken"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
# Staff sessions also end after this many seconds without activity (background polls
# of an open page do not count); reporters' sessions only at SESSION_COOKIE_AGE.
STAFF_SESSION_IDLE_SECONDS = env_int("STAFF_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# HTTPS: secure cookies, redirect to HTTPS and HSTS are on unless DEBUG (or the test
# suite, which serves plain HTTP on loopback).
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG) and not TESTING
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG) and not TESTING
SECURE_HSTS_SECONDS = 0 if TESTING else env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Preloading is a decision about the whole registrable domain (it is submitted to the
# browsers' lists from the apex), not this service's: off by default, and then
# check --deploy's reminder about it is not a finding.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
BEHIND_PROXY = env_bool("BEHIND_PROXY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
# Proxies (addresses or CIDRs) whose X-Forwarded-For names the client
# (lib/clientip.py). Nobody's unless configured; behind a proxy, the local one.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "127.0.0.1,::1" if BEHIND_PROXY else "")
for _proxy in TRUSTED_PROXIES:
    # A typo must stop the start, not silently trust nobody (or everybody).
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error}") from error

# Staff sign-in throttling (django-axes, state in the database so that it holds across
# processes; accounts/throttle.py). Failures lock the (username, address) pair only, so
# nobody can lock a colleague out from elsewhere; a much higher ceiling applies per
# address alone, because a whole government office may share one NAT address.
AUTHENTICATION_BACKENDS = [
    # First: refuses locked-out sign-ins before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "accounts.throttle.StaffSignInHandler"
AXES_FAILURE_LIMIT = env_int("SIGNIN_FAILURE_LIMIT", 5)
SIGNIN_ADDRESS_FAILURE_LIMIT = env_int("SIGNIN_ADDRESS_FAILURE_LIMIT", 100)
# At least a minute: axes reads a zero cool-off as "locked until an admin unlocks".
AXES_COOLOFF_TIME = timedelta(minutes=max(1, env_int("SIGNIN_LOCKOUT_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The lock runs its stated time from the lockout; tries during it do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "accounts.clientip.client_ip"
AXES_USERNAME_CALLABLE = "accounts.throttle.client_username"
AXES_LOCKOUT_CALLABLE = "accounts.throttle.lockout_response"
# Sign-ins and sign-outs go to the audit log (accounts/audit.py) instead.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# Masked in the form data axes keeps with each attempt (passwords always are).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]
# Superusers and national supervisors must also give a code from an authenticator app.
STAFF_TOTP_REQUIRED = env_bool("STAFF_TOTP_REQUIRED", False)
OTP_TOTP_ISSUER = "LPSE Support"

# Content-Security-Policy (django-csp): scripts and styles only from our own static
# files, no inline code, no eval (htmx runs with allowEval off, templates/base.html).
# The API docs page alone widens it (api/api.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        # Our forms post to ourselves only; the sign-in hand-off is a form on SPSE's or
        # SiRUP's page posting to us, which is their policy, not ours.
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Sign-in hand-off from SPSE and SiRUP (signed JWT). Each token names its key by `kid`:
# keys live in the admin's key table (accounts.SsoKey) or a JSON keys file (`make demo`
# and the tests generate one, never committed); SSO_<SOURCE>_ALG / SSO_<SOURCE>_KEY is
# one fallback key per source for tokens without kid (see accounts/sso.py).
SSO_KEYS_FILE = env("SSO_KEYS_FILE")
# This installation's identifier: every token's `aud` claim must equal it.
SSO_AUDIENCE = env("SSO_AUDIENCE", "lpse-support")
SSO_SOURCES = {
    "spse": {"alg": env("SSO_SPSE_ALG", "HS256"), "key": env("SSO_SPSE_KEY")},
    "sirup": {"alg": env("SSO_SIRUP_ALG", "RS256"), "key": env("SSO_SIRUP_KEY")},
}
SSO_MAX_LIFETIME_SECONDS = 300
SSO_CLOCK_SKEW_SECONDS = env_int("SSO_CLOCK_SKEW_SECONDS", 30)
# Where the "sign in through SPSE / SiRUP" links of the landing page point.
SSO_SPSE_LOGIN_URL = env("SSO_SPSE_LOGIN_URL", "http://127.0.0.1:8001/spse/119/login/")
SSO_SIRUP_LOGIN_URL = env("SSO_SIRUP_LOGIN_URL", "http://127.0.0.1:8001/sirup/login/")

TICKET_PAGE_SIZE = env_int("TICKET_PAGE_SIZE", 20)
# A resolved ticket the reporter does not confirm closes by itself after this many
# working days (Monday–Friday in the handling LPSE's time zone).
AUTO_CLOSE_WORKING_DAYS = env_int("AUTO_CLOSE_WORKING_DAYS", 3)
# `manage.py run_periodic` starts each periodic job this often (for places without cron).
PERIODIC_INTERVAL_SECONDS = env_int("PERIODIC_INTERVAL_SECONDS", 60)
# /readyz reports the task queue or the mail as degraded when the oldest due one is this
# many seconds late (a worker missing, the mail server down).
READY_BACKLOG_DEGRADED_SECONDS = env_int("READY_BACKLOG_DEGRADED_SECONDS", 900)
# E-mail (notifications/mail.py). Delivered by `manage.py db_worker`; the demo runs a
# local sink on port 1025 (scripts/mail_sink.py).
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 1025)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "LPSE Support <noreply@lpse-support.localhost>")
# The domain of Message-IDs and of the per-ticket thread headers.
MAIL_DOMAIN = env("MAIL_DOMAIN", "lpse-support.localhost")

# Background tasks: Django's tasks API with the database backend (works on SQLite and
# PostgreSQL; workers: `manage.py db_worker`).
# Queues: "default" (mail) and "codes" (codes asked again at a slow or absent source,
# tickets/tasks.py), so that a slow source never holds up the mail.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "codes"]}}

# API requests allowed per user, all their tokens together (N/s, N/m, N/h, N/d), and per
# client address for requests without a valid token. Counted in the database
# (api.RateCounter), or in Redis when REDIS_URL is set, so every process and machine
# shares one budget.
API_RATE_LIMIT = env("API_RATE_LIMIT", "120/m")
API_ANON_RATE_LIMIT = env("API_ANON_RATE_LIMIT", "30/m")

# Share of an SLA target still left when the holder is warned (DESIGN §5).
SLA_WARN_PERCENT = env_int("SLA_WARN_PERCENT", 20)
# Pages and ticket actions reuse the working hours, holidays and targets read from the
# database for this many seconds per process (the sweep always reads them afresh and
# recomputes the running clocks). Tests keep them too, never from one test to the next
# (conftest.py, `kept`).
SLA_CALENDAR_CACHE_SECONDS = env_int("SLA_CALENDAR_CACHE_SECONDS", 60)
# Filing a ticket checks its LPSE, application, version, type and category against this
# process's copy of them (reference/book.py), kept this long; every change of one of
# them reloads it (at once in every process with Redis). Tests keep it as well.
REFERENCE_CACHE_SECONDS = env_int("REFERENCE_CACHE_SECONDS", 60)
# Buat Tiket's suggestions use this process's category model and index of published
# articles without asking whether they changed for this long (reference/freshness.py);
# storing a model or saving an article makes every process ask (at once with Redis).
SUGGESTIONS_CACHE_SECONDS = env_int("SUGGESTIONS_CACHE_SECONDS", 60)
HELPDESK_CALL_CENTRE = env("HELPDESK_CALL_CENTRE", "144")

# Outside sources looked up by code (integrations/http.py). Defaults point at the
# development simulator and its tokens; production sets the real URLs and tokens.
INTEGRATION_DW_URL = env("INTEGRATION_DW_URL", "http://127.0.0.1:8001")
INTEGRATION_DW_TOKEN = env("INTEGRATION_DW_TOKEN", "dev-dw-token")
INTEGRATION_KATALOG_URL = env("INTEGRATION_KATALOG_URL", "http://127.0.0.1:8001")
INTEGRATION_KATALOG_TOKEN = env("INTEGRATION_KATALOG_TOKEN", "dev-katalog-token")
INTEGRATION_SIRUP_URL = env("INTEGRATION_SIRUP_URL", "http://127.0.0.1:8001")
INTEGRATION_SIRUP_TOKEN = env("INTEGRATION_SIRUP_TOKEN", "dev-sirup-token")
INTEGRATION_CONNECT_TIMEOUT = float(env("INTEGRATION_CONNECT_TIMEOUT", "2"))
INTEGRATION_READ_TIMEOUT = float(env("INTEGRATION_READ_TIMEOUT", "3"))
INTEGRATION_RETRIES = env_int("INTEGRATION_RETRIES", 2)
INTEGRATION_BREAKER_THRESHOLD = env_int("INTEGRATION_BREAKER_THRESHOLD", 5)
INTEGRATION_BREAKER_SECONDS = float(env("INTEGRATION_BREAKER_SECONDS", "30"))
INTEGRATION_CACHE_SECONDS = float(env("INTEGRATION_CACHE_SECONDS", "60"))
INTEGRATION_NOT_FOUND_CACHE_SECONDS = float(env("INTEGRATION_NOT_FOUND_CACHE_SECONDS", "30"))
# "Pilih dari paket saya" on Buat Tiket: the path (on the source's base URL) that lists
# the packages of the signed-in reporter (contract: integrations.clients.own_packages).
# Off (empty) unless configured: the real sources may not offer such a query. The demo
# turns both on (the simulator's /dw/api/v1/paket-saya/ and /sirup/api/v1/paket-saya/).
INTEGRATION_DW_MY_PACKAGES_PATH = env("INTEGRATION_DW_MY_PACKAGES_PATH", "")
INTEGRATION_SIRUP_MY_PACKAGES_PATH = env("INTEGRATION_SIRUP_MY_PACKAGES_PATH", "")
# The most a call may wait on a source, all tries together, in any process: while a
# ticket is filed (beyond it the ticket is filed as unvalidated and its code is checked
# in the background) and while Buat Tiket looks a typed code up.
INTEGRATION_CREATE_WAIT_SECONDS = float(env("INTEGRATION_CREATE_WAIT_SECONDS", "1"))
INTEGRATION_LOOKUP_WAIT_SECONDS = float(env("INTEGRATION_LOOKUP_WAIT_SECONDS", "3"))
# The background check waits longer for each answer (nobody is waiting on it), and
# keeps asking, with growing pauses, this many hours after the ticket was filed.
INTEGRATION_BACKGROUND_READ_TIMEOUT = float(env("INTEGRATION_BACKGROUND_READ_TIMEOUT", "15"))
INTEGRATION_RECHECK_HOURS = float(env("INTEGRATION_RECHECK_HOURS", "24"))

# Shared cache on Redis (issue 16; lpse_support/cache.py). Unset: each process keeps its
# own memory cache, sessions live in the database, and the API rate limits and sign-in
# throttling count in the database, as the embedded default always has. Set: the cache
# is shared by every process and machine; sessions are cached in Redis but still written
# to the database (cached_db), so a Redis restart signs nobody out; the API rate limits
# count in Redis and fall back to the database while it is unreachable; an admin's change
# of SLA calendars reaches every process at once (sla/calendars.py). Sign-in throttling
# stays in the database (accounts/throttle.py). A Redis that is down answers as an empty
# cache within REDIS_TIMEOUT_SECONDS, never as an error.
REDIS_URL = env("REDIS_URL")
REDIS_TIMEOUT_SECONDS = float(env("REDIS_TIMEOUT_SECONDS", "0.25"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "lpse_support.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            # Several installations (or the tests) may share one Redis.
            "KEY_PREFIX": env("REDIS_KEY_PREFIX", "lpse-support"),
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
                "socket_timeout": REDIS_TIMEOUT_SECONDS,
            },
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Observability: Prometheus metrics and the log format (issue 16) ---
# `GET /metrics` answers only `Authorization: Bearer <METRICS_TOKEN>`; unset, it is a
# 404 like any unknown URL (lpse_support/metrics.py).
METRICS_TOKEN = env("METRICS_TOKEN")
# Several processes (gunicorn workers, task workers, run_periodic on one machine): a
# folder they all share, emptied before they start; prometheus-client reads the
# variable from the environment itself, this copy only documents it.
PROMETHEUS_MULTIPROC_DIR = env("PROMETHEUS_MULTIPROC_DIR")
# "plain" (one readable line) or "json" (one JSON object per line, for log collectors).
LOG_FORMAT = env("LOG_FORMAT", "plain").strip().lower()
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured("LOG_FORMAT must be 'plain' or 'json'.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "lib.requestid.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        # time, level, logger, message, request_id, and the fields callers pass in `extra`.
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # axes logs every sign-in at INFO; the audit log records them (accounts/audit.py).
    "loggers": {"django.server": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# --- Reports (issue 17) ---
# /statistik/: national service statistics without sign-in (reports/public.py); 0 = off.
PUBLIC_STATISTICS = env_bool("PUBLIC_STATISTICS", True)
# A built report page is kept this long in the shared cache for readers of exactly the
# same rows (reports/snapshots.py); the page says when it was computed. 0 = every time.
REPORT_CACHE_SECONDS = int(env("REPORT_CACHE_SECONDS", "300"))

# --- Knowledge base (issue 18) ---
# /bantuan/ (Pusat Bantuan) for everyone, without sign-in: published articles only, no
# votes. Off by default: then only people signed in read it (tickets/access.py).
KNOWLEDGE_PUBLIC = env_bool("KNOWLEDGE_PUBLIC", False)

# --- Knowledge base: article images (issue 18, knowledge/images.py) ---
# The largest image an editor may upload to an article (PNG, JPEG, GIF or WebP, checked
# by content); stored like attachments, under bantuan/<yyyy>/<mm>/<article id>/.
KNOWLEDGE_IMAGE_MAX_BYTES = env_int("KNOWLEDGE_IMAGE_MAX_BYTES", 5 * 1024 * 1024)
