"""Other processes of the app against the test database: a short script, or a long-running
server or worker started like production (gunicorn, `manage.py db_worker`).

The test must commit what they are to see (`django_db(transaction=True)`). They run
with the test's environment (so TESTING still holds: pytest's PYTEST_VERSION is
inherited) and a small settings module that names the test database.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)

# Prefix of a `python -c` script: Django set up on the test database.
SCRIPT_SETUP = """
import os, sys
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "lpse_support.settings"
django.setup()
from django.conf import settings
from django.db import connection
connection.settings_dict["NAME"] = sys.argv[1]
settings.ALLOWED_HOSTS = ["testserver"]
"""


def run_app_script(
    script: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `SCRIPT_SETUP + script` in a new process; its arguments start at sys.argv[2]."""
    return subprocess.run(
        [sys.executable, "-c", SCRIPT_SETUP + script, str(connection.settings_dict["NAME"]), *args],
        cwd=ROOT,
        env=env if env is not None else dict(os.environ),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def app_environment(folder: Path, **extra: str) -> dict[str, str]:
    """The environment of a server or worker process on the test database."""
    (folder / "child_settings.py").write_text(
        "import os\n\n"
        "from lpse_support.settings import *  # noqa: F403\n"
        "from lpse_support.settings import DATABASES\n\n"
        'DATABASES["default"]["NAME"] = os.environ["CHILD_DATABASE_NAME"]\n'
        'ALLOWED_HOSTS = ["127.0.0.1"]\n',
        encoding="utf-8",
    )
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "child_settings",
        "PYTHONPATH": f"{folder}{os.pathsep}{ROOT}",
        "CHILD_DATABASE_NAME": str(connection.settings_dict["NAME"]),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def start(argv: Sequence[str], *, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start a process in its own process group, its output into `log`."""
    with log.open("ab") as out:
        return subprocess.Popen(
            list(argv),
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    """End the process group if it still runs (a test that failed half-way)."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def wait_until(
    condition: Callable[[], bool], what: str | Callable[[], str], timeout: float = 60.0
) -> None:
    """Poll `condition` until it holds; fail with `what` (or what it returns then) after
    `timeout` seconds (an upper bound for a busy machine, never a measurement)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout:.0f} s: {what() if callable(what) else what}")
