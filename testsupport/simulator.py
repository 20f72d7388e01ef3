"""pytest plugin: hand-off keys, signed hand-off tokens and the SPSE/SiRUP simulator.

Registered by the root conftest.py. At start-up it generates a fresh development keys
file in a temporary directory and points LPSE Support (settings.SSO_KEYS_FILE) and any
subprocess (env SSO_KEYS_FILE) at it, so tests never depend on a developer's keys.

Helpers for tests across the project::

    from testsupport.simulator import make_handoff_token, sign_in_reporter

    response = sign_in_reporter(client, sub="pokja1", role="pokja")  # SPSE, LPSE 119

Fixtures: ``simulator_server`` (simulator handing over to ``live_server``) and
``standalone_simulator`` (no app behind it; for checking the simulator itself).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jwt
import pytest
from django.test import Client

from lib.demo_accounts import DEMO_REPORTERS
from lib.devkeys import KeyEntry, generate_dev_keys, load_keys_file, signing_entry
from lib.handoff import handoff_claims

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse
    from pytest_django.live_server_helper import LiveServer

REPO_ROOT = Path(__file__).resolve().parent.parent
SIMULATOR_START_TIMEOUT = 30.0
_URL_PREFIX = "Simulator SPSE/SiRUP/Inaproc: "

_keys_file: Path | None = None


def pytest_configure(config: pytest.Config) -> None:
    """Generate this run's hand-off keys and point the app and subprocesses at them."""
    global _keys_file
    directory = Path(tempfile.mkdtemp(prefix="lpse-sso-keys-"))
    _keys_file = directory / "dev-keys.json"
    generate_dev_keys(_keys_file)
    os.environ["SSO_KEYS_FILE"] = str(_keys_file)
    config.add_cleanup(lambda: shutil.rmtree(directory, ignore_errors=True))

    from django.conf import settings

    if settings.configured:
        settings.SSO_KEYS_FILE = str(_keys_file)
        # Keys exported in the developer's shell must not make tests verify against
        # anything but this run's file.
        settings.SSO_SOURCES = {
            source: {**config_, "key": ""} for source, config_ in settings.SSO_SOURCES.items()
        }


def keys_file() -> Path:
    """The keys file of this test run."""
    if _keys_file is not None:
        return _keys_file
    return Path(os.environ["SSO_KEYS_FILE"])


def signing_key_entry(source: str = "spse", kd_lpse: int = 119) -> KeyEntry:
    """The run's key `source` signs with for `kd_lpse` (its kid, alg and both keys)."""
    return signing_entry(load_keys_file(keys_file()), source=source, kd_lpse=kd_lpse)


def make_handoff_token(
    source: str = "spse",
    *,
    key: str | None = None,
    algorithm: str | None = None,
    headers: dict[str, Any] | None = None,
    omit: Iterable[str] = (),
    **overrides: Any,
) -> str:
    """Sign a valid hand-off token for `source`, as SPSE/SiRUP would.

    Claims default to the first demo user of the source (SPSE: ppk1 at LPSE 119, PPK;
    SiRUP: pakpa1, PA/KPA), addressed to settings.SSO_AUDIENCE, issued now and valid
    120 s with a fresh jti. `overrides` replace claims (e.g. ``sub="pokja1",
    role="pokja", exp=...``), `omit` removes claims, and `key`/`algorithm` sign with
    something other than the run's keys. The header names the kid of the run's key for
    the token's LPSE (the LPSE 119 key when the claim is not a code with a key of its
    own); ``headers={"kid": None}`` leaves kid out, ``headers={"kid": "x"}`` names another.
    """
    from django.conf import settings

    person = next((p for p in DEMO_REPORTERS if p.source == source), DEMO_REPORTERS[0])
    claims = handoff_claims(
        source=source,
        kd_lpse=person.kd_lpse,
        user_id=person.user_id,
        name=person.name,
        email=person.email,
        role=person.role,
        audience=settings.SSO_AUDIENCE,
    )
    claims.update(overrides)
    for name in omit:
        claims.pop(name, None)
    kd_lpse = claims.get("kd_lpse")
    try:
        entry = signing_key_entry(source, kd_lpse if isinstance(kd_lpse, int) else 119)
    except LookupError:
        entry = signing_key_entry(source, 119)
    key = entry.signing_key if key is None else key
    algorithm = entry.alg if algorithm is None else algorithm
    header: dict[str, Any] = {"typ": "JWT", "kid": entry.kid, **(headers or {})}
    header = {name: value for name, value in header.items() if value is not None}
    return jwt.encode(claims, key, algorithm=algorithm, headers=header)


def sign_in_reporter(
    client: Client, source: str = "spse", *, token: str | None = None, **claims: Any
) -> "_MonkeyPatchedWSGIResponse":
    """Hand a reporter over as the browser would; returns the last response.

    POSTs the token to /sso/<source>/ and, when it is accepted (303 to /sso/lanjut/),
    follows that redirect once, as the browser does. A successful sign-in answers 302
    to the dashboard and leaves `client` signed in; when somebody else was already
    signed in, the answer is the confirmation page (200). A refused token answers 400.
    The reporter's LPSE (reference.Lpse) must exist for SPSE sign-ins.
    """
    if token is None:
        token = make_handoff_token(source, **claims)
    response = client.post(f"/sso/{source}/", {"token": token})
    if response.status_code == 303:
        return client.get(response["Location"])
    return response


def _opener() -> urllib.request.OpenerDirector:
    # Never send local test traffic through a proxy from the environment.
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _read_url(log_path: Path, process: subprocess.Popen[bytes], timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith(_URL_PREFIX):
                return line.removeprefix(_URL_PREFIX).strip().rstrip("/")
        if process.poll() is not None:
            break
        time.sleep(0.05)
    output = log_path.read_text(encoding="utf-8", errors="replace")
    raise RuntimeError(f"simulator did not start:\n{output}")


def _wait_until_answering(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    opener = _opener()
    while True:
        try:
            with opener.open(f"{url}/", timeout=5) as response:
                response.read()
                return
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@contextmanager
def run_simulator(
    app_url: str, keys: Path | None = None, timeout: float = SIMULATOR_START_TIMEOUT
) -> Iterator[str]:
    """Run `python -m simulator` on a free port; yields its base URL (no trailing slash)."""
    work_dir = Path(tempfile.mkdtemp(prefix="lpse-simulator-"))
    log_path = work_dir / "simulator.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [
        sys.executable,
        "-m",
        "simulator",
        "--host",
        "127.0.0.1",
        # Port 0: the simulator binds a free port itself and prints it, so there is no
        # window in which another process can take a port picked in advance.
        "--port",
        "0",
        "--app-url",
        app_url,
        "--keys",
        str(keys or keys_file()),
        "--quiet",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=log)
    try:
        url = _read_url(log_path, process, timeout)
        _wait_until_answering(url, timeout)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(work_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def simulator_server(live_server: "LiveServer") -> Iterator[str]:
    """The simulator, handing over to the live server; yields its base URL."""
    with run_simulator(live_server.url) as url:
        yield url


@pytest.fixture(scope="session")
def standalone_simulator() -> Iterator[str]:
    """The simulator with no app behind it (hand-offs point at a closed port)."""
    with run_simulator("http://127.0.0.1:1") as url:
        yield url
