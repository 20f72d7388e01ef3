"""pytest plugin: pytest-playwright on Debian's Chromium, for the `browser` tests.

Playwright's own browser download cannot run here, so the tests drive the Chromium
of the Debian package `chromium` (/usr/bin/chromium; CHROMIUM_PATH overrides).
`make test` installs it. Registered through `pytest_plugins` in the root conftest.
"""

import os
import shutil
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; without this Django
# refuses database access from the test body ("SynchronousOnlyOperation").
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",  # root in CI: Chromium's sandbox refuses to start as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # The machine has no network beyond loopback: no background connections.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_executable() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None
    )


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], browser_name: str | None
) -> dict[str, Any]:
    """pytest-playwright's launch arguments, plus Debian's Chromium, headless."""
    args = dict(browser_type_launch_args)
    args.setdefault("headless", True)
    if browser_name not in (None, "chromium") or "channel" in args:
        return args
    executable = chromium_executable()
    if executable is None:
        pytest.fail(
            "Chromium not found (looked for CHROMIUM_PATH, `chromium` on PATH, "
            "/usr/bin/chromium): apt-get install chromium, or run `make test`",
            pytrace=False,
        )
    args["executable_path"] = executable
    args["args"] = [*args.get("args", []), *CHROMIUM_ARGS]
    return args


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """Every page sees an Indonesian browser in Jakarta, and may download files."""
    return {
        **browser_context_args,
        "locale": "id-ID",
        "timezone_id": "Asia/Jakarta",
        "accept_downloads": True,
    }
