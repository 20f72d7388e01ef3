"""A production start (issue 13): `.env.example`'s production values pass
`manage.py check --deploy` without a warning, and TESTING=1 can never weaken such a start
(lpse_support/settings.py honours it only inside pytest).

Each case starts a fresh Python process with an environment built from scratch (no
PYTEST_VERSION, no TESTING, no DATABASE_URL of this run), as a service manager would.
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def production_environment(tmp_path: Path) -> dict[str, str]:
    """The uncommented values of .env.example, plus what it leaves for the operator."""
    env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line):
            env[match.group(1)] = match.group(2)
    env.update(
        {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "support.lpse.example.go.id",
            "VAR_DIR": str(tmp_path),
        }
    )
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def test_env_example_is_production_ready_for_check_deploy(tmp_path: Path) -> None:
    # Given .env.example's production values, a secret key and a host name
    env = production_environment(tmp_path)
    assert env["DEBUG"] == "0" and env["TESTING"] == "0"
    # When Django's deployment checks run, failing on any warning
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    # Then there is nothing to report
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_production_settings_are_the_strict_ones(tmp_path: Path) -> None:
    # Given the same production environment, when the settings are read
    env = production_environment(tmp_path)
    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'lpse_support.settings'; "
        "django.setup(); from django.conf import settings as s; "
        "print(s.TESTING, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)"
    )
    result = run(["-c", script], env)
    # Then HTTPS is enforced: redirect, secure cookies, a year of HSTS with subdomains
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "True", "31536000", "True"]


@pytest.mark.parametrize(
    "args",
    [
        ["-c", "import lpse_support.wsgi"],  # what gunicorn loads
        ["manage.py", "check", "--deploy"],
        # An address runserver refuses: should the guard ever go, this ends at once
        # with another message instead of serving.
        ["manage.py", "runserver", "--noreload", "not-an-address"],
    ],
    ids=["wsgi", "check-deploy", "runserver"],
)
@pytest.mark.parametrize("with_secret_key", [True, False], ids=["own-key", "no-key"])
def test_testing_flag_stops_a_production_start(
    tmp_path: Path, args: list[str], with_secret_key: bool
) -> None:
    # Given a production environment in which TESTING=1 was left behind by mistake
    env = production_environment(tmp_path)
    env["TESTING"] = "1"
    if not with_secret_key:
        del env["SECRET_KEY"]
    # When the app starts outside the test suite
    result = run(args, env)
    # Then it refuses loudly instead of switching to the development key or plain cookies
    assert result.returncode != 0
    assert "TESTING=1 is for the test suite only" in result.stderr


def test_testing_flag_with_debug_is_a_development_start(tmp_path: Path) -> None:
    # Given a development environment (DEBUG=1) that also says TESTING=1, as tools such as
    # mypy are run
    env = production_environment(tmp_path)
    env.update({"TESTING": "1", "DEBUG": "1"})
    del env["SECRET_KEY"]
    # When Django's checks run, then it starts (the development key is DEBUG's anyway)
    result = run(["manage.py", "check"], env)
    assert result.returncode == 0, result.stderr


def test_this_test_run_uses_the_explicit_test_mode() -> None:
    # The suite itself runs in test mode because pytest started it: plain HTTP works
    assert os.environ.get("PYTEST_VERSION")
    assert settings.TESTING is True
    assert settings.SECURE_SSL_REDIRECT is False
    assert settings.SESSION_COOKIE_SECURE is False
    assert settings.SECURE_HSTS_SECONDS == 0
