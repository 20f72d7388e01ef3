"""Run the LPSE Support demo: set-up steps, then long-running services.

    .venv/bin/python scripts/run_demo.py        (what `make demo` runs)

1. Set-up, one after another: development keys (when missing), `migrate`, `seed_demo`.
2. Services, side by side: the web app on :8000, the SPSE/SiRUP simulator on :8001, the
   mail sink (SMTP :1025, inbox page :8025), two background workers (`db_worker`:
   mail on the "default" queue, background code checks on "codes") and the periodic
   jobs (`manage.py run_periodic`: auto-close, SLA sweep, mail sweep, code re-check
   sweep, every 60 s, as production runs them without cron).
   Once their ports answer, the runner prints where to go and how to sign in.

Ctrl-C or SIGTERM stops every child and exits 0. If a service dies, the runner stops
the others and exits non-zero. Every child runs in its own process group, so whatever
it starts itself (runserver's autoreloader) is stopped with it.

Environment: the runner's own, then `.env` at the repository root (when present, for
variables not already set), then the demo defaults below. Standard library only.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"
APP_PORT = 8000
SIMULATOR_PORT = 8001
APP_URL = f"http://{HOST}:{APP_PORT}"
SIMULATOR_URL = f"http://{HOST}:{SIMULATOR_PORT}"
SMTP_PORT = 1025
INBOX_PORT = 8025
INBOX_URL = f"http://{HOST}:{INBOX_PORT}"

READY_TIMEOUT = 60.0  # seconds for a service's port to answer
STOP_TIMEOUT = 10.0  # seconds between SIGTERM and SIGKILL
POLL = 0.2


@dataclass(frozen=True)
class Step:
    """A set-up command; the demo does not start unless it succeeds."""

    name: str
    argv: Sequence[str]
    only_if_missing: Path | None = None  # skipped when this file exists


@dataclass(frozen=True)
class Service:
    """A long-running child; `port` (if any) must answer before the demo is ready."""

    name: str
    argv: Sequence[str]
    port: int | None = None


def keys_file(env: dict[str, str]) -> Path:
    return Path(env["SSO_KEYS_FILE"])


def plan(env: dict[str, str]) -> tuple[list[Step], list[Service]]:
    """What the demo runs. Later work adds a background worker or a service here."""
    manage = [PYTHON, str(ROOT / "manage.py")]
    keys = keys_file(env)
    steps = [
        # Always run: it keeps an existing file and upgrades one of the first format
        # (one key per source) to a key per LPSE with kid.
        Step("dev keys", [PYTHON, "-m", "lib.devkeys", str(keys)]),
        Step("migrate", [*manage, "migrate", "--noinput"]),
        # --demo: this database is the demo's even when a .env turns DEBUG off.
        Step("seed demo", [*manage, "seed_demo", "--demo"]),
        # Buat Tiket's category suggestions before the demo has resolved tickets of its
        # own: the hand-written evaluation texts (about a second, once).
        Step(
            "category model",
            [
                *(*manage, "train_category_model", "--if-missing", "--classifier", "centroid"),
                *("--from-file", str(ROOT / "knowledge" / "eval" / "category_eval.jsonl")),
                *("--note", "demo: knowledge/eval/category_eval.jsonl"),
            ],
        ),
    ]
    services = [
        Service(
            "simulator",
            [
                *(PYTHON, "-m", "simulator"),
                *("--host", HOST, "--port", str(SIMULATOR_PORT)),
                *("--app-url", APP_URL, "--keys", str(keys)),
            ],
            port=SIMULATOR_PORT,
        ),
        Service("web", [*manage, "runserver", f"{HOST}:{APP_PORT}"], port=APP_PORT),
        # Where the demo's e-mails go, and a page to read them.
        Service(
            "mail",
            [
                *(PYTHON, str(ROOT / "scripts" / "mail_sink.py")),
                *("--host", HOST, "--smtp-port", str(SMTP_PORT)),
                *("--http-port", str(INBOX_PORT), "--dir", env["DEMO_MAIL_DIR"]),
            ],
            port=INBOX_PORT,
        ),
        # Background tasks (e-mail delivery), Django's tasks API with the database backend.
        # -v 0: its own per-task lines are noise; notifications.mail logs each delivery.
        Service("worker", [*manage, "db_worker", "--no-reload", "--interval", "1", "-v", "0"]),
        # Codes whose source did not answer at filing (demo code 9991119), checked again
        # on their own queue so that a slow source never holds up the mail.
        Service(
            "code-worker",
            [
                *manage,
                "db_worker",
                "--queue-name",
                "codes",
                "--no-reload",
                "--interval",
                "1",
                "-v",
                "0",
            ],
        ),
        # Auto-close, SLA sweep, mail sweep, code re-check sweep (the list is the
        # command's), each every PERIODIC_INTERVAL_SECONDS.
        Service("periodic", [*manage, "run_periodic"]),
    ]
    return steps, services


def demo_environment() -> dict[str, str]:
    env = dict(os.environ)
    for name, value in read_dotenv(ROOT / ".env").items():
        env.setdefault(name, value)
    var_dir = Path(env.get("VAR_DIR") or ROOT / "var")
    env.setdefault("DEBUG", "1")
    env.setdefault("SSO_KEYS_FILE", str((var_dir / "dev-keys.json").resolve()))
    env.setdefault("SSO_SPSE_LOGIN_URL", f"{SIMULATOR_URL}/spse/119/")
    env.setdefault("SSO_SIRUP_LOGIN_URL", f"{SIMULATOR_URL}/sirup/")
    env.setdefault("EMAIL_HOST", HOST)
    env.setdefault("EMAIL_PORT", str(SMTP_PORT))
    env.setdefault("DEMO_MAIL_DIR", str((var_dir / "mail").resolve()))
    # The simulator lists each demo reporter's packages ("Pilih dari paket saya").
    env.setdefault("INTEGRATION_DW_MY_PACKAGES_PATH", "/dw/api/v1/paket-saya/")
    env.setdefault("INTEGRATION_SIRUP_MY_PACKAGES_PATH", "/sirup/api/v1/paket-saya/")
    env["PYTHONUNBUFFERED"] = "1"  # children write through a pipe: no block buffering
    return env


def read_dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; `export `, blank lines, # comments and quotes are understood."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.removeprefix("export ").partition("=")
        name, value = name.strip(), value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        if name.isidentifier():
            values[name] = value
    return values


BANNER = f"""
  LPSE Support demo is running.

    App        {APP_URL}/
    Simulator  {SIMULATOR_URL}/   (stands in for SPSE, SiRUP and Inaproc)
    Mail       {INBOX_URL}/   (every e-mail the demo sends)

  Sign in (password demo1234 for everyone), or start from the app's home page:
    SPSE LPSE 119  {SIMULATOR_URL}/spse/119/
                   Non-Penyedia: ppk1, pokja1, pp1, kuppbj1   Penyedia: penyedia1
    SPSE LPSE 10   {SIMULATOR_URL}/spse/10/
                   Non-Penyedia: ppk1 (not the same person as ppk1 at LPSE 119)
    SiRUP          {SIMULATOR_URL}/sirup/
                   pakpa1, adminppe1
    Staff          {APP_URL}/masuk/
                   admin

  Stop everything with Ctrl-C.
"""


class Runner:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.pumps: list[threading.Thread] = []
        self.stop_signal: int | None = None
        self.output_lock = threading.Lock()
        self.width = 9

    # -- output -------------------------------------------------------------------------

    def say(self, message: str) -> None:
        with self.output_lock:
            for line in message.splitlines() or [""]:
                sys.stdout.write(f"{'demo':>{self.width}} | {line}\n")
            sys.stdout.flush()

    def _pump(self, name: str, stream: IO[bytes]) -> None:
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self.output_lock:
                sys.stdout.write(f"{name:>{self.width}} | {line}\n")
                sys.stdout.flush()
        stream.close()

    # -- processes ----------------------------------------------------------------------

    def start(self, name: str, argv: Sequence[str]) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            list(argv),
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: Ctrl-C reaches the runner only
        )
        assert process.stdout is not None
        pump = threading.Thread(target=self._pump, args=(name, process.stdout), daemon=True)
        pump.start()
        self.pumps.append(pump)
        self.children[name] = process
        return process

    def stop_all(self) -> None:
        """SIGTERM every child's process group, then SIGKILL what is left."""
        groups = [process.pid for process in self.children.values()]
        if not groups:
            return
        self.say("stopping " + ", ".join(self.children))
        for pgid in groups:
            signal_group(pgid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for name, process in self.children.items():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say(f"{name} did not stop in {STOP_TIMEOUT:.0f} s: killing it")
        for pgid in groups:  # leaders are gone; stray members of their groups are not
            signal_group(pgid, signal.SIGKILL)
        for process in self.children.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
        for pump in self.pumps:
            pump.join(timeout=2)
        self.children.clear()

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.stop_signal is None:
            self.stop_signal = signum

    # -- phases -------------------------------------------------------------------------

    def run_step(self, step: Step) -> int:
        if step.only_if_missing is not None and step.only_if_missing.exists():
            self.say(f"{step.name}: {step.only_if_missing} exists, skipped")
            return 0
        self.say(f"{step.name}: {' '.join(step.argv)}")
        process = self.start(step.name, step.argv)
        while process.poll() is None:
            if self.stop_signal is not None:
                return 0
            time.sleep(POLL)
        del self.children[step.name]
        if process.returncode != 0:
            self.say(
                f"set-up step '{step.name}' failed (exit {process.returncode}): "
                f"{' '.join(step.argv)}"
            )
        return process.returncode

    def first_dead(self, names: Sequence[str]) -> tuple[str, int] | None:
        for name in names:
            code = self.children[name].poll()
            if code is not None:
                return name, code
        return None

    def wait_ready(self, services: Sequence[Service]) -> bool:
        names = [service.name for service in services]
        pending = {service.name: service.port for service in services if service.port}
        deadline = time.monotonic() + READY_TIMEOUT
        while pending:
            if self.stop_signal is not None:
                return False
            dead = self.first_dead(names)
            if dead:
                self.say(f"{dead[0]} exited with code {dead[1]} while starting")
                return False
            for name, port in list(pending.items()):
                if port_answers(port):
                    del pending[name]
            if time.monotonic() > deadline:
                self.say(f"not answering after {READY_TIMEOUT:.0f} s: {', '.join(pending)}")
                return False
            time.sleep(POLL)
        return True

    def run(self) -> int:
        steps, services = plan(self.env)
        names = ["demo", *(x.name for x in steps), *(x.name for x in services)]
        self.width = max(len(name) for name in names)

        busy = [s for s in services if s.port and port_answers(s.port)]
        if busy:
            for service in busy:
                self.say(
                    f"port {service.port} ({service.name}) is already in use: "
                    "is another demo still running?"
                )
            return 1

        keys_file(self.env).parent.mkdir(parents=True, exist_ok=True)
        for step in steps:
            code = self.run_step(step)
            if self.stop_signal is not None:
                return self.finish(0)
            if code != 0:
                return self.finish(code)

        for service in services:
            self.say(f"starting {service.name}: {' '.join(service.argv)}")
            self.start(service.name, service.argv)
        if not self.wait_ready(services):
            return self.finish(0 if self.stop_signal is not None else 1)
        with self.output_lock:
            sys.stdout.write(BANNER + "\n")
            sys.stdout.flush()

        return self.finish(self.supervise([s.name for s in services]))

    def supervise(self, names: Sequence[str]) -> int:
        """Watch the services until a signal or a death."""
        while self.stop_signal is None:
            dead = self.first_dead(names)
            if dead:
                self.say(f"{dead[0]} exited with code {dead[1]}: stopping the demo")
                return 1
            time.sleep(POLL)
        return 0

    def finish(self, code: int) -> int:
        self.stop_all()
        if self.stop_signal is not None:
            self.say(f"stopped ({signal.Signals(self.stop_signal).name})")
        return code


def signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def port_answers(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((HOST, port)) == 0


def main() -> int:
    runner = Runner(demo_environment())
    signal.signal(signal.SIGINT, runner.on_signal)
    signal.signal(signal.SIGTERM, runner.on_signal)
    try:
        return runner.run()
    finally:
        runner.stop_all()  # also after an unexpected error in the runner itself


if __name__ == "__main__":
    sys.exit(main())
