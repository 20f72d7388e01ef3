"""pytest plugin: pytest-playwright on Debian's Chromium, for the `browser` tests.

Playwright's own browser download cannot run here, so the tests drive the Chromium
of the Debian package `chromium` (/usr/bin/chromium; CHROMIUM_PATH overrides).
`make test` installs it. Registered through `pytest_plugins` in the root conftest.

Every browser test also watches for Content-Security-Policy violations (the
`csp_violations` fixture): any page of any context the test opens that reports one fails
the test at teardown, so a page that needs inline script or style cannot pass.
"""

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connections
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Error, Page, expect

# Playwright's sync API runs an event loop in the test thread; without this Django
# refuses database access from the test body ("SynchronousOnlyOperation").
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[Any]) -> Iterator[None]:
    """Close the database connections of the test thread when Playwright's event loop
    starts (its session fixture), and again before it stops.

    While that loop runs, Django's per-thread connections live in another storage
    (asgiref's Local for thread-critical data switches to context variables when the
    thread has a running loop): a connection an earlier test left open in the thread's
    own storage was never seen again, nor closed, and the test database could not be
    dropped at the end ("being accessed by other users").
    """
    if fixturedef.argname != "playwright":
        yield
        return
    connections.close_all()
    yield
    # Finalizers run last-added first: this one before Playwright stops its loop.
    fixturedef.addfinalizer(connections.close_all)


# `expect(...)` waits up to 5 s by default. `make test` runs the SQLite pass beside this
# one on two cores, so a page may take longer than that on a busy machine: a passing
# assertion returns as soon as it holds, only a failing one waits the whole time.
expect.set_options(timeout=20_000)

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


# What Chromium writes when it blocks something ("Refused to execute inline script
# because it violates the following Content Security Policy directive: ..."), and what
# the script below reports.
CSP_MARK = "Content Security Policy"

# Runs before the page's own scripts in every document, whatever the page's policy (init
# scripts are the test's, not the page's): each `securitypolicyviolation` event becomes a
# console message the watcher reads, even if Chromium's own message never reaches it.
_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("Content Security Policy violation: " + event.effectiveDirective +
    " blocked " + (event.blockedURI || "(inline)") + " in " + event.documentURI +
    " at " + (event.sourceFile || "?") + ":" + event.lineNumber);
}, true);
"""


class CspWatcher:
    """Collects the CSP violations reported by every page of the contexts it watches."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.pages: list[Page] = []

    def watch_context(self, context: BrowserContext) -> None:
        context.add_init_script(script=_REPORT_VIOLATIONS)
        context.on("page", self.watch_page)
        for page in context.pages:
            self.watch_page(page)

    def watch_page(self, page: Page) -> None:
        if page in self.pages:
            return
        self.pages.append(page)
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)

    def _on_console(self, message: ConsoleMessage) -> None:
        if CSP_MARK in message.text:
            self.messages.append(message.text)

    def _on_page_error(self, error: Error) -> None:
        # eval refused by the policy throws an EvalError that names the policy.
        if CSP_MARK in str(error):
            self.messages.append(f"page error: {error}")

    def flush(self) -> None:
        """Let the events already sent by open pages reach the listeners."""
        for page in self.pages:
            if page.is_closed():
                continue
            # Closed or navigating meanwhile: nothing more to read from it.
            with contextlib.suppress(Error):
                page.evaluate("0")

    def clear(self) -> None:
        self.messages.clear()


def _watching(
    original: Callable[..., Any], watcher: CspWatcher, context_of: Callable[[Any], BrowserContext]
) -> Callable[..., Any]:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        made = original(*args, **kwargs)
        watcher.watch_context(context_of(made))
        return made

    return wrapped


@pytest.fixture(autouse=True)
def csp_violations(request: pytest.FixtureRequest) -> Iterator[CspWatcher]:
    """Fail a browser test whose pages report a Content-Security-Policy violation.

    Tests open contexts with `browser.new_context()` / `browser.new_page()` or through
    pytest-playwright's `page` fixture (which calls `browser.new_context()`): both are
    wrapped for the test's duration so that every context is watched from its start.
    """
    watcher = CspWatcher()
    if request.node.get_closest_marker("browser") is None:
        yield watcher
        return
    browser: Browser = request.getfixturevalue("browser")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            browser,
            "new_context",
            _watching(browser.new_context, watcher, lambda context: context),
        )
        patch.setattr(
            browser, "new_page", _watching(browser.new_page, watcher, lambda page: page.context)
        )
        yield watcher
    watcher.flush()
    if watcher.messages:
        listed = "\n".join(f"  {message}" for message in watcher.messages)
        pytest.fail(f"Content-Security-Policy violations:\n{listed}", pytrace=False)
