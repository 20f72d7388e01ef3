"""The production shape of LPSE Support on loopback, loaded through nginx, with faults.

    make topology                                   (full: 100,000 tickets, 30 s per phase)
    .venv/bin/python scripts/topology.py --short    (1,000 tickets, a few s per phase; make test)
    TOPOLOGY_SECONDS=10 TOPOLOGY_TICKETS=20000 make topology

Starts, in one run folder under /tmp, everything a data centre would run, each on a
free port of 127.0.0.1 (and stops all of it at the end, also on a failure or Ctrl-C):

- PostgreSQL primary (durable: fsync, synchronous_commit, full_page_writes on) and one
  streaming replica (scripts/pg-replica.sh: pg_basebackup -R);
- redis-server (REDIS_URL), moto_server with a bucket (STORAGE_BACKEND=s3), the SMTP
  sink (scripts/mail_sink.py);
- two gunicorn app servers with the production settings of .env.example (DEBUG off, not
  TESTING, SECURE_* on, BEHIND_PROXY=1), two `manage.py db_worker`, `manage.py
  run_periodic`;
- nginx in the foreground with deploy/nginx/lpse-support.conf rendered into the run
  folder: TLS with a self-signed certificate made at start, static files from
  collectstatic, both app servers as upstreams.

Then:

1. Load through nginx over HTTPS with scripts/bench.py's scenarios (locust, certificate
   not verified), printed as bench's table.
2. Faults under load, one at a time, each with the requests sent, answered and failed,
   checked against the database afterwards: SIGKILL of an app server while tickets are
   filed through the API (clients retry with the same Idempotency-Key), PostgreSQL
   stopped (fast) and started again, SIGKILL of a worker while mail goes out, the
   replica stopped, Redis restarted.
3. Backup during load and restore: scripts/backup.sh against the primary and the
   bucket while tickets with a file are filed through nginx; then a fresh PostgreSQL
   cluster and an empty bucket, scripts/restore.sh into them (its own checks: every
   attachment row's file with its SHA-256), and every ticket answered before the
   backup began looked up in the restored database. The data set's attachment rows
   (generate_tickets writes rows only) get their files in the bucket first: one small
   body for all, the rows' size and SHA-256 set to it.

Exits non-zero if a part fails to start or an invariant breaks. The data set, the
scratch PostgreSQL and the gunicorn start are scripts/bench.py's.

Before the load (not with --short) it waits until the start's background work has
drained ("settle": the first SLA sweep of a data set restored hours after it was made
records the warnings and breaches of the time in between, and their mails go out).

Environment: TOPOLOGY_TICKETS (100000; --short 1000), TOPOLOGY_SECONDS (per phase:
30; --short 4), TOPOLOGY_USERS (locust users, 8), TOPOLOGY_TIME_LIMIT (seconds),
TOPOLOGY_PERIODIC_SECONDS (run_periodic's interval, 5 for the faults; a speed table
with production's: `--only load --periodic-seconds 60`),
BENCH_PG_OPTIONS (as for bench), LPSE_BENCH_CACHE (the data-set cache; --short uses a
scratch one, or --short-cache's).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import requests
import urllib3

from lib import ports

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench as B

ROOT = B.ROOT
PYTHON = B.PYTHON
HOST = B.HOST
VENV_BIN = Path(PYTHON).parent
SITE_TEMPLATE = ROOT / "deploy" / "nginx" / "lpse-support.conf"
# The short form's phases: what make test can afford, each fault still meaningful.
SHORT_SCENARIOS = ("dashboard", "api_list", "create")
# Threads of the fault load: writers file tickets, readers open pages and the API list.
WRITERS = 4
READERS = 2
# The body of every synthetic attachment put into the bucket (a PDF, as the app takes).
SYNTHETIC_BODY = b"%PDF-1.7\n% LPSE Support topology: synthetic attachment\n%%EOF\n"
# Threads putting the synthetic attachments into the bucket.
PUT_THREADS = 16

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)


class TopologyError(Exception):
    """A part did not start or a step failed: the message says which and why."""


def say(message: str = "") -> None:
    print(message, flush=True)


# --- Processes -------------------------------------------------------------------------


def as_owner(argv: Sequence[object]) -> list[str]:
    """PostgreSQL's tools refuse to run as root: as root they run as `postgres`."""
    words = [str(a) for a in argv]
    return ["runuser", "-u", "postgres", "--", *words] if os.geteuid() == 0 else words


def check_run(
    argv: Sequence[object], *, timeout: float = 120, env: dict[str, str] | None = None
) -> str:
    result = subprocess.run(
        [str(a) for a in argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=env,
        cwd=ROOT,
    )
    if result.returncode != 0:
        raise TopologyError(f"{' '.join(map(str, argv))}: {result.stderr.strip()[-1500:]}")
    return result.stdout


def wait_for(what: str, condition: Callable[[], bool], timeout: float = 60.0) -> float:
    """Poll `condition` until it holds (seconds it took), or raise after `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        with contextlib.suppress(Exception):
            if condition():
                return time.monotonic() - started
        time.sleep(0.2)
    raise TopologyError(f"{what}: not within {timeout:.0f} s")


def port_answers(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((HOST, port)) == 0


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL a child and everything in its process group (a gunicorn master and its
    workers, a db_worker), then reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    B.CHILDREN.stop(process)


# --- The replica -----------------------------------------------------------------------


@dataclass
class Replica:
    state_dir: Path
    url: str

    @property
    def data(self) -> Path:
        return self.state_dir / "data"


def replica_start(pg: B.Postgres, base: dict[str, str]) -> Replica:
    """A streaming replica of `pg`, made by scripts/pg-replica.sh."""
    out = check_run(
        [ROOT / "scripts" / "pg-replica.sh", "start", pg.state_dir],
        env={**base, "PG_THROWAWAY_DURABLE": "1"},
        timeout=180,
    )
    state = Path(out.strip().splitlines()[-1])
    url = ""
    for line in (state / "env").read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^(?:export )?DATABASE_REPLICA_URL=['\"]?([^'\"\s]+)", line):
            url = match.group(1)
    if not url:
        raise TopologyError(f"no DATABASE_REPLICA_URL in {state / 'env'}")
    return Replica(state, url)


def replica_stop(replica: Replica, base: dict[str, str]) -> None:
    subprocess.run(
        [ROOT / "scripts" / "pg-replica.sh", "stop", replica.state_dir],
        env=base,
        capture_output=True,
        timeout=90,
        check=False,
    )


def pg_ctl(pg_bindir: Path, data: Path, *args: object, log: Path | None = None) -> None:
    logging = ["-l", log] if log is not None else []
    check_run(as_owner([pg_bindir / "pg_ctl", "-D", data, *logging, "-w", "-t", "60", *args]))


# --- nginx -----------------------------------------------------------------------------


def render_site(values: dict[str, str]) -> str:
    """deploy/nginx/lpse-support.conf with its @@PLACEHOLDERS@@ filled in."""
    lines = []
    for line in SITE_TEMPLATE.read_text(encoding="utf-8").splitlines():
        if not line.lstrip().startswith("#"):  # the comments name the placeholders
            for name, value in values.items():
                line = line.replace(f"@@{name}@@", value)
        lines.append(line)
    left = [line for line in lines if "@@" in line and not line.lstrip().startswith("#")]
    if left:
        raise TopologyError(f"placeholders left in the nginx site: {left}")
    return "\n".join(lines) + "\n"


def body_limit(max_bytes: int, max_files: int) -> int:
    """nginx's client_max_body_size: the app's own limit for a signed-in upload
    (lpse_support/uploads.py, upload_body_limit; a test keeps the two equal)."""
    return max_files * max_bytes + B.MB


def nginx_config(run: Path, site: Path) -> str:
    """The main configuration around the site (what /etc/nginx/nginx.conf does on a
    server), with every path in the run folder."""
    nginx = run / "nginx"
    user = "user www-data;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {nginx / 'tmp' / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}worker_processes 2;\n"
        "daemon off;\n"
        f"pid {nginx / 'nginx.pid'};\n"
        f"error_log {nginx / 'error.log'} warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        "    default_type application/octet-stream;\n"
        "    sendfile on;\n"
        "    server_tokens off;\n"
        f"{temp}\n"
        f"    include {site};\n"
        "}\n"
    )


def nginx_workers_may_use(nginx: Path) -> None:
    """As root, nginx's workers run as www-data: they read the folders under `nginx`
    and write request bodies into its tmp folders (nothing to do as another user)."""
    if os.geteuid() != 0:
        return
    for path in (nginx, *nginx.rglob("*")):
        if path.is_dir():
            path.chmod(0o755)
    for path in (nginx / "tmp", *(nginx / "tmp").rglob("*")):
        shutil.chown(path, "www-data")


# --- The stack -------------------------------------------------------------------------


@dataclass
class Stack:
    run: Path
    base: dict[str, str]
    pg: B.Postgres | None = None
    replica: Replica | None = None
    env: dict[str, str] = field(default_factory=dict)
    app_ports: list[int] = field(default_factory=list)
    apps: list[subprocess.Popen[bytes]] = field(default_factory=list)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    redis: subprocess.Popen[bytes] | None = None
    redis_port: int = 0
    # The last mail row before the run's own (the data set's are not the run's to send).
    mail_floor: int = 0
    mail_sink: subprocess.Popen[bytes] | None = None
    https_port: int = 0
    http_port: int = 0
    # The self-signed certificate made at start: the clients here verify against it.
    tls: str = ""
    mail_dir: Path = Path()
    fixture: dict[str, Any] = field(default_factory=dict)
    fixture_path: Path = Path()
    app_workers: int = 2
    app_threads: int = 2
    # The ports picked at the start, each kept bound until its server is about to bind
    # it (the app servers and nginx start a minute later, after the data set).
    holds: dict[int, ports.PortHold] = field(default_factory=dict)

    def hold_port(self) -> int:
        hold = ports.PortHold()
        self.holds[hold.port] = hold
        return hold.port

    def free(self, *numbers: int) -> None:
        """Let go of ports held for a server that binds them now."""
        for number in numbers:
            if hold := self.holds.pop(number, None):
                hold.release()

    @property
    def url(self) -> str:
        return f"https://{HOST}:{self.https_port}"

    @property
    def logs(self) -> Path:
        return self.run / "logs"

    def app_start(self, index: int) -> subprocess.Popen[bytes]:
        env = {**self.env}
        multiproc = self.run / f"metrics-{index}"
        shutil.rmtree(multiproc, ignore_errors=True)
        multiproc.mkdir()
        env["PROMETHEUS_MULTIPROC_DIR"] = str(multiproc)
        self.free(self.app_ports[index])
        process = B.gunicorn_start(
            env,
            self.app_ports[index],
            self.app_workers,
            self.app_threads,
            self.logs / f"app-{index + 1}.log",
            probe="/healthz",
        )
        if index < len(self.apps):
            self.apps[index] = process
        else:
            self.apps.append(process)
        return process

    def worker_start(self, index: int) -> subprocess.Popen[bytes]:
        process = B.CHILDREN.start(
            [
                *(PYTHON, ROOT / "manage.py", "db_worker", "--no-reload"),
                *("--interval", "0.5", "-v", "0"),
            ],
            env=self.env,
            log=self.logs / f"worker-{index + 1}.log",
        )
        if index < len(self.workers):
            self.workers[index] = process
        else:
            self.workers.append(process)
        return process

    def redis_start(self) -> None:
        self.free(self.redis_port)
        self.redis = B.CHILDREN.start(
            [
                *("redis-server", "--port", self.redis_port, "--bind", HOST),
                *("--dir", self.run / "redis", "--save", "", "--appendonly", "no"),
            ],
            env=self.base,
            log=self.logs / "redis.log",
        )
        wait_for("redis-server", lambda: port_answers(self.redis_port), 30)

    def sql(self, statement: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """One statement on the primary, as the app's role."""
        import psycopg

        assert self.pg is not None
        with psycopg.connect(self.pg.url, autocommit=True, connect_timeout=10) as conn:
            return list(conn.execute(statement, params).fetchall())


def s3_client(env: dict[str, str]) -> Any:
    """A boto3 client of the topology's moto server (thread-safe; one pool per thread)."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=env["S3_ENDPOINT_URL"],
        aws_access_key_id=env["S3_ACCESS_KEY"],
        aws_secret_access_key=env["S3_SECRET_KEY"],
        region_name=env["S3_REGION"],
        config=Config(max_pool_connections=PUT_THREADS * 2),
    )


def materialise_attachments(stack: Stack) -> tuple[int, float]:
    """Give every attachment row of the data set its file in the bucket.

    generate_tickets writes attachment rows without files, which scripts/backup.sh
    rightly refuses. Every row gets the same small body: one UPDATE sets the rows' size
    and SHA-256 to it, and a thread pool puts one object per key. Returns the objects
    put and the seconds it took."""
    started = time.monotonic()
    digest = hashlib.sha256(SYNTHETIC_BODY).hexdigest()
    keys = [
        key
        for (key,) in stack.sql(
            "WITH changed AS (UPDATE tickets_attachment SET size = %s, sha256 = %s"
            " RETURNING file) SELECT DISTINCT file FROM changed",
            (len(SYNTHETIC_BODY), digest),
        )
    ]
    client = s3_client(stack.env)
    bucket = stack.env["S3_BUCKET"]

    def put(key: str) -> None:
        client.put_object(Bucket=bucket, Key=key, Body=SYNTHETIC_BODY)

    with ThreadPoolExecutor(PUT_THREADS) as pool:
        for _ in pool.map(put, keys):
            pass
    return len(keys), time.monotonic() - started


def start_stack(stack: Stack, args: argparse.Namespace, timings: dict[str, float]) -> None:
    run, base, logs = stack.run, stack.base, stack.logs
    with B.phase("postgres primary + replica", timings):
        pg = B.pg_start(base)
        stack.pg = pg
        stack.replica = replica_start(pg, base)
        say(
            f"    primary {pg.url.rsplit('@', 1)[1]}, replica {stack.replica.url.rsplit('@', 1)[1]}"
        )

    env = B.app_environment(base, run, pg.url)
    # Below the kernel's ephemeral range and held until used (lib/ports.py): a port
    # picked here is bound up to a minute later, and again after each fault.
    stack.redis_port = stack.hold_port()
    s3_port = stack.hold_port()
    smtp_port, inbox_port = stack.hold_port(), stack.hold_port()
    stack.https_port, stack.http_port = stack.hold_port(), stack.hold_port()
    stack.app_ports = [stack.hold_port(), stack.hold_port()]
    stack.mail_dir = run / "mail"
    origin = f"https://{HOST}:{stack.https_port}"
    env.update(
        {
            # Production, as .env.example has it: only the proxy in front is loopback.
            "SECURE_SSL_REDIRECT": "1",
            "SECURE_COOKIES": "1",
            "BEHIND_PROXY": "1",
            "TRUSTED_PROXIES": "127.0.0.1,::1",
            "CSRF_TRUSTED_ORIGINS": origin,
            "SITE_URL": origin,
            "EMAIL_HOST": HOST,
            "EMAIL_PORT": str(smtp_port),
            "STORAGE_BACKEND": "s3",
            "S3_BUCKET": "lpse-support-topology",
            "S3_ENDPOINT_URL": f"http://{HOST}:{s3_port}",
            "S3_ACCESS_KEY": "topology",
            "S3_SECRET_KEY": "topology-secret",
            "S3_REGION": "us-east-1",
            "REDIS_URL": f"redis://{HOST}:{stack.redis_port}/0",
            "DATABASE_REPLICA_URL": stack.replica.url,
            "METRICS_TOKEN": "topology-metrics",
            "LOG_FORMAT": "json",
            # The sweeps (mail given back after a worker died) every 5 s, not 60, for the
            # faults; production's 60 for a speed table (--periodic-seconds 60): at
            # 1,000,000 tickets a sweep costs 1.2–1.8 s of CPU.
            "PERIODIC_INTERVAL_SECONDS": str(args.periodic_seconds),
        }
    )
    stack.env = env
    for folder in ("redis", "nginx/tmp", "mail"):
        (run / folder).mkdir(parents=True, exist_ok=True)

    with B.phase("redis, moto S3, mail sink", timings):
        stack.redis_start()
        stack.free(s3_port)
        B.CHILDREN.start(
            [VENV_BIN / "moto_server", "-H", HOST, "-p", s3_port], env=base, log=logs / "s3.log"
        )
        wait_for("moto_server", lambda: port_answers(s3_port), 60)
        s3_client(env).create_bucket(Bucket=env["S3_BUCKET"])
        stack.free(smtp_port, inbox_port)
        stack.mail_sink = B.CHILDREN.start(
            [
                *(PYTHON, ROOT / "scripts" / "mail_sink.py", "--host", HOST),
                *("--smtp-port", smtp_port, "--http-port", inbox_port, "--dir", stack.mail_dir),
            ],
            env=base,
            log=logs / "mail-sink.log",
        )
        wait_for("mail sink", lambda: port_answers(smtp_port), 30)

    with B.phase("dataset", timings):
        cache = B.cache_directory(args.short_cache or (run / "cache" if args.short else None))
        how, dump = B.dataset_load(
            pg=pg,
            env=env,
            cache=cache,
            tickets=args.tickets,
            articles=B.SMOKE_ARTICLES if args.short else B.DEFAULT_ARTICLES,
            seed=1,
            logs=logs,
            timings=timings,
        )
        say(f"    {how}: {dump.name} ({dump.stat().st_size / B.MB:.1f} MB)")

    if "backup" in args.parts:
        with B.phase("the data set's attachment files into the bucket", timings):
            count, seconds = materialise_attachments(stack)
            say(
                f"    {count:,} objects put in {seconds:.1f} s "
                f"({count / max(seconds, 0.001):,.0f}/s, {PUT_THREADS} threads)"
            )

    with B.phase("setup (collectstatic, sessions, tokens)", timings):
        manage: list[object] = [PYTHON, ROOT / "manage.py"]
        B.run(
            "collectstatic",
            [*manage, "collectstatic", "--noinput", "-v", "0"],
            env=env,
            log=logs / "setup.log",
            timeout=300,
        )
        stack.fixture_path = run / "fixture.json"
        B.run(
            "bench_setup",
            [
                *(PYTHON, ROOT / "scripts" / "bench_setup.py"),
                *("--out", stack.fixture_path, "--reporters", args.reporters),
            ],
            env=env,
            log=logs / "setup.log",
            timeout=600,
        )
        stack.fixture = json.loads(stack.fixture_path.read_text(encoding="utf-8"))
        stack.mail_floor = stack.sql("SELECT coalesce(max(id), 0) FROM notifications_outgoingmail")[
            0
        ][0]

    with B.phase("app servers, workers, periodic", timings):
        for index in range(2):
            stack.app_start(index)
        for index in range(2):
            stack.worker_start(index)
        B.CHILDREN.start(
            [PYTHON, ROOT / "manage.py", "run_periodic"], env=env, log=logs / "periodic.log"
        )

    with B.phase("nginx (TLS)", timings):
        nginx = run / "nginx"
        cert, key = nginx / "cert.pem", nginx / "key.pem"
        stack.tls = str(cert)
        check_run(
            [
                *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
                *("-subj", f"/CN={HOST}", "-addext", f"subjectAltName=IP:{HOST},DNS:localhost"),
                *("-keyout", key, "-out", cert),
            ]
        )
        upstreams = "\n    ".join(
            f"server {HOST}:{port} max_fails=1 fail_timeout=5s;" for port in stack.app_ports
        )
        max_bytes = int(env.get("ATTACHMENT_MAX_BYTES") or 52_428_800)
        max_files = int(env.get("ATTACHMENT_MAX_FILES") or 20)
        site = nginx / "lpse-support.conf"
        site.write_text(
            render_site(
                {
                    "SERVER_NAME": f"{HOST} localhost",
                    "HTTP_LISTEN": f"{HOST}:{stack.http_port}",
                    "HTTPS_LISTEN": f"{HOST}:{stack.https_port}",
                    "HTTPS_PORT": str(stack.https_port),
                    "SSL_CERTIFICATE": str(cert),
                    "SSL_CERTIFICATE_KEY": str(key),
                    "LOG_DIR": str(nginx),
                    "STATIC_ROOT": str(run / "static"),
                    "UPSTREAM_SERVERS": upstreams,
                    "CLIENT_MAX_BODY_SIZE": str(body_limit(max_bytes, max_files)),
                    # Attachments are in the bucket here: the X-Accel-Redirect location
                    # (local storage only) points at an empty folder, unused.
                    "MEDIA_ROOT": str(run / "media"),
                }
            ),
            encoding="utf-8",
        )
        conf = nginx / "nginx.conf"
        conf.write_text(nginx_config(run, site), encoding="utf-8")
        if os.geteuid() == 0:
            # nginx's workers (www-data) read the static files and write request bodies.
            for path in (run, run / "static", nginx):
                path.chmod(0o755)
            for path in (nginx / "tmp", *(nginx / "tmp").rglob("*")):
                shutil.chown(path, "www-data")
        # -e: the log of the start itself (before the configuration is read) is ours too.
        check_run(["nginx", "-e", nginx / "error.log", "-t", "-c", conf])
        stack.free(stack.https_port, stack.http_port)
        B.CHILDREN.start(
            ["nginx", "-e", nginx / "error.log", "-c", conf], env=base, log=logs / "nginx.log"
        )
        wait_for(
            "nginx over HTTPS",
            lambda: requests.get(f"{stack.url}/healthz", verify=stack.tls, timeout=5).ok,
            30,
        )


def check_wiring(stack: Stack) -> list[str]:
    """What the proxy does, checked once: HTTPS redirect, static files, forwarded
    headers, request ids, the body limit."""
    problems = []
    plain = requests.get(
        f"http://{HOST}:{stack.http_port}/tiket/", timeout=10, allow_redirects=False
    )
    if plain.status_code != 301 or not plain.headers.get("Location", "").startswith(stack.url):
        problems.append(f"plain HTTP answered {plain.status_code} {plain.headers.get('Location')}")
    page = requests.get(
        f"{stack.url}/", verify=stack.tls, timeout=10, headers={"X-Request-ID": "topology-check-1"}
    )
    if page.status_code != 200:
        problems.append(f"GET / through nginx answered {page.status_code}")
    if page.headers.get("X-Request-ID") != "topology-check-1":
        problems.append(f"X-Request-ID not passed through: {page.headers.get('X-Request-ID')}")
    if "max-age" not in page.headers.get("Strict-Transport-Security", ""):
        problems.append("no HSTS header over HTTPS (SECURE_* weakened?)")
    fresh = requests.get(f"{stack.url}/healthz", verify=stack.tls, timeout=10)
    if not re.fullmatch(r"[0-9a-f]{32}", fresh.headers.get("X-Request-ID", "")):
        problems.append(f"nginx's own request id not used: {fresh.headers.get('X-Request-ID')}")
    statics = sorted((stack.run / "static").rglob("*.css"))
    if statics:
        path = statics[0].relative_to(stack.run / "static")
        static = requests.get(f"{stack.url}/static/{path}", verify=stack.tls, timeout=10)
        if static.status_code != 200 or static.headers.get("Server", "").startswith("gunicorn"):
            problems.append(f"static file {path}: HTTP {static.status_code}")
    metrics = requests.get(f"{stack.url}/metrics", verify=stack.tls, timeout=10)
    if metrics.status_code != 404:
        problems.append(f"/metrics reachable through the proxy: HTTP {metrics.status_code}")
    return problems


# --- Fault load ------------------------------------------------------------------------


@dataclass
class Filing:
    key: str
    attempts: int = 0
    status: int = 0  # the final answer (0: gave up)
    number: str = ""
    answered_at: float = 0.0  # time.monotonic() of the final answer


@dataclass
class LoadStats:
    filings: list[Filing] = field(default_factory=list)
    write_statuses: Counter[str] = field(default_factory=Counter)
    read_statuses: Counter[str] = field(default_factory=Counter)
    # Each failed request, by when it was sent (seconds since the load started): an
    # error is the fault's if the request left while the fault lasted, however long a
    # busy machine took to answer it.
    errors_at: list[tuple[float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class FaultLoad:
    """Threads that file tickets through nginx (API, retried with the same
    Idempotency-Key until answered) and read pages and the API list, counting every
    answer."""

    # The short form (make test) files with fewer threads: every ticket writes mail for
    # its reporter and agents, and the worker fault waits until all of it is sent.
    max_writers: int | None = None

    def __init__(
        self,
        stack: Stack,
        *,
        writers: int = WRITERS,
        readers: int = READERS,
        with_files: bool = False,
    ) -> None:
        self.stack = stack
        # Each ticket carries one small PDF (the same bytes on every retry of it).
        self.with_files = with_files
        self.stats = LoadStats()
        self.stop_flag = threading.Event()
        self.give_up_at = float("inf")
        self.started = time.monotonic()
        if self.max_writers is not None:
            writers = min(writers, self.max_writers)
        self.threads = [
            threading.Thread(target=self._writer, args=(n,), daemon=True) for n in range(writers)
        ] + [threading.Thread(target=self._reader, args=(n,), daemon=True) for n in range(readers)]

    def __enter__(self) -> FaultLoad:
        self.started = time.monotonic()
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.finish()

    def finish(self, retry_for: float = 90.0) -> None:
        """Stop starting new requests; unanswered filings keep retrying `retry_for` s."""
        self.give_up_at = time.monotonic() + retry_for
        self.stop_flag.set()
        for thread in self.threads:
            thread.join(timeout=retry_for + 60)

    def _count(self, counter: Counter[str], outcome: str, sent: float) -> None:
        """Count an answer (or error) of a request sent at `sent` (time.monotonic())."""
        with self.stats.lock:
            counter[outcome] += 1
            if not outcome.startswith("2") and not outcome.startswith("3"):
                self.stats.errors_at.append((sent - self.started, outcome))

    def _writer(self, seed: int) -> None:
        rng = random.Random(seed)
        session = requests.Session()
        session.verify = self.stack.tls
        # Not the environment's CA bundle (REQUESTS_CA_BUNDLE would win) nor its proxies.
        session.trust_env = False
        fixture = self.stack.fixture
        while not self.stop_flag.is_set():
            who = rng.choice(fixture["reporters"])
            choice = rng.choice(fixture["create_choices"])
            filing = Filing(str(uuid.uuid4()))
            with self.stats.lock:
                self.stats.filings.append(filing)
            data = {
                "notification_email": who["email"],
                "title": f"Uji topologi {filing.key[:8]}",
                "lpse": str(rng.choice(choice["lpses"])),
                "application": str(choice["application"]),
                "version": str(rng.choice(choice["versions"])),
                "ticket_type": str(rng.choice(choice["ticket_types"])),
                "category": str(rng.choice(choice["categories"])),
                "description": "Tiket uji dari skrip topologi, dikirim ulang bila gagal.",
            }
            headers = {"Authorization": f"Bearer {who['token']}", "Idempotency-Key": filing.key}
            body = SYNTHETIC_BODY + filing.key.encode() + b"\n"
            while time.monotonic() < self.give_up_at:
                filing.attempts += 1
                sent = time.monotonic()
                files = (
                    {"files": (f"bukti-{filing.key[:8]}.pdf", body, "application/pdf")}
                    if self.with_files
                    else None
                )
                try:
                    response = session.post(
                        f"{self.stack.url}/api/v1/tickets",
                        data=data,
                        files=files,
                        headers=headers,
                        timeout=(5, 60),
                        allow_redirects=False,
                    )
                except requests.RequestException as error:
                    self._count(self.stats.write_statuses, type(error).__name__, sent)
                    time.sleep(0.2 + rng.random() * 0.3)
                    continue
                self._count(self.stats.write_statuses, str(response.status_code), sent)
                if response.status_code in (200, 201):
                    filing.number = response.json()["number"]
                    filing.answered_at = time.monotonic()
                    filing.status = response.status_code
                    break
                if response.status_code < 500 and response.status_code != 429:
                    filing.status = response.status_code  # refused: retrying will not help
                    break
                time.sleep(0.2 + rng.random() * 0.3)

    def _reader(self, seed: int) -> None:
        rng = random.Random(1000 + seed)
        session = requests.Session()
        session.verify = self.stack.tls
        # Not the environment's CA bundle (REQUESTS_CA_BUNDLE would win) nor its proxies.
        session.trust_env = False
        fixture = self.stack.fixture
        cookie = fixture["cookie_name"]
        while not self.stop_flag.is_set():
            who = rng.choice(fixture["reporters"])
            if rng.random() < 0.5:
                path, headers = "/dashboard/", {"Cookie": f"{cookie}={who['session']}"}
            else:
                path, headers = "/api/v1/tickets", {"Authorization": f"Bearer {who['token']}"}
            sent = time.monotonic()
            try:
                response = session.get(
                    f"{self.stack.url}{path}",
                    headers=headers,
                    timeout=(5, 60),
                    allow_redirects=False,
                )
                outcome = str(response.status_code)
                if response.status_code == 302:
                    outcome = "302 (signed out)"
            except requests.RequestException as error:
                outcome = type(error).__name__
            self._count(self.stats.read_statuses, outcome, sent)
            time.sleep(0.05)

    # -- the accounting ---------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        filings = self.stats.filings
        return {
            "filings": len(filings),
            "attempts": sum(f.attempts for f in filings),
            "created_201": sum(1 for f in filings if f.status == 201),
            "replayed_200": sum(1 for f in filings if f.status == 200),
            "refused": sum(1 for f in filings if f.status not in (0, 200, 201)),
            "gave_up": sum(1 for f in filings if f.status == 0),
            "writes": dict(self.stats.write_statuses),
            "reads": dict(self.stats.read_statuses),
        }


def count_5xx(counter: Counter[str], code: str | None = None) -> int:
    return sum(n for k, n in counter.items() if (k == code if code else k.startswith("5")))


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def ticket_checks(stack: Stack, load: FaultLoad, label: str) -> list[Check]:
    """Every filing answered 200/201 is one ticket, exactly once; no number twice."""
    answered = [f for f in load.stats.filings if f.status in (200, 201)]
    keys = [f.key for f in load.stats.filings]
    rows = stack.sql(
        "SELECT submission_key, count(*), min(number) FROM tickets_ticket"
        " WHERE submission_key = ANY(%s) GROUP BY submission_key",
        (keys,),
    )
    per_key = {key: (count, number) for key, count, number in rows}
    missing = [f.key for f in answered if f.key not in per_key]
    doubled = [key for key, (count, _) in per_key.items() if count > 1]
    wrong = [f.key for f in answered if f.key in per_key and per_key[f.key][1] != f.number]
    numbers = [f.number for f in answered]
    unanswered_filed = [f.key for f in load.stats.filings if f.status == 0 and f.key in per_key]
    gave_up = sum(1 for f in load.stats.filings if f.status == 0)
    return [
        Check(
            f"{label}: every answered ticket exists",
            not missing and not wrong,
            f"{len(answered)} answered, {len(missing)} missing, {len(wrong)} with another number",
        ),
        Check(
            f"{label}: each Idempotency-Key filed once",
            not doubled and len(set(numbers)) == len(numbers),
            f"{len(doubled)} keys with more than one ticket, "
            f"{len(numbers) - len(set(numbers))} numbers answered twice",
        ),
        Check(
            f"{label}: no client gave up",
            gave_up == 0,
            f"{gave_up} gave up ({len(unanswered_filed)} of them filed nonetheless)",
        ),
    ]


def print_load(label: str, load: FaultLoad, lost: str) -> None:
    s = load.summary()
    say(
        f"    {label}: {s['attempts']} ticket requests sent for {s['filings']} tickets; "
        f"answered 201 {s['created_201']}, 200 (retry answered) {s['replayed_200']}, "
        f"refused {s['refused']}, gave up {s['gave_up']}"
    )
    say(f"      answers to the filings: {fmt_counter(load.stats.write_statuses)}")
    say(f"      answers to the reads:   {fmt_counter(load.stats.read_statuses)}")
    say(f"      lost: {lost}")


def fmt_counter(counter: Counter[str]) -> str:
    return ", ".join(f"{k}: {n}" for k, n in sorted(counter.items())) or "-"


# --- Faults ----------------------------------------------------------------------------


def fault_app_kill(stack: Stack, seconds: float) -> list[Check]:
    """SIGKILL one app server (master and workers) while tickets are filed."""
    with FaultLoad(stack) as load:
        time.sleep(seconds / 3)
        victim = stack.apps[0]
        kill_group(victim)
        killed_at = time.monotonic() - load.started
        time.sleep(seconds / 3)
        stack.app_start(0)
        back_at = time.monotonic() - load.started
        time.sleep(seconds / 3)
    errors = [outcome for at, outcome in load.stats.errors_at]
    print_load(
        f"app server 1 SIGKILLed at {killed_at:.1f} s, started again at {back_at:.1f} s",
        load,
        "see the checks below (retried requests answered with the first ticket)",
    )
    say(f"      errors the clients saw (then retried): {len(errors)} {dict(Counter(errors))}")
    return ticket_checks(stack, load, "app SIGKILL")


def fault_pg_restart(stack: Stack, seconds: float) -> list[Check]:
    """Stop PostgreSQL (fast shutdown), leave it down a while, start it again."""
    assert stack.pg is not None
    pg = stack.pg
    data = pg.state_dir / "data"
    down_for = max(2.0, seconds / 3)
    ready_while_down = 0
    with FaultLoad(stack) as load:
        time.sleep(seconds / 3)
        down_at = time.monotonic() - load.started
        pg_ctl(pg.bindir, data, "-m", "fast", "stop")
        with contextlib.suppress(requests.RequestException):
            ready_while_down = requests.get(
                f"http://{HOST}:{stack.app_ports[1]}/readyz", timeout=10
            ).status_code
        time.sleep(down_for)
        # restart of a stopped server starts it with its last options (postmaster.opts).
        pg_ctl(pg.bindir, data, "restart", log=pg.state_dir / "postgres.log")
        up_at = time.monotonic() - load.started
        recovered = wait_for(
            "the app after PostgreSQL came back",
            lambda: (
                requests.get(
                    f"{stack.url}/api/v1/tickets",
                    verify=stack.tls,
                    timeout=10,
                    headers={"Authorization": f"Bearer {stack.fixture['reporters'][0]['token']}"},
                ).status_code
                == 200
            ),
            60,
        )
        time.sleep(seconds / 3)
    # A worker's database connection broken by the shutdown ends the process: a service
    # manager starts it again (deploy/systemd: Restart=always), and so does this run.
    exited = [n + 1 for n, worker in enumerate(stack.workers) if worker.poll() is not None]
    for number in exited:
        stack.worker_start(number - 1)
    # Every other error is the outage's (none comes before it).
    during = [o for at, o in load.stats.errors_at if at <= up_at + recovered + 1]
    # Requests sent once the app had answered normally for a second (a slow answer to one
    # sent while it was down is not an error after recovery).
    after = [o for at, o in load.stats.errors_at if at > up_at + recovered + 1]
    answers = Counter(during)
    print_load(
        f"PostgreSQL down from {down_at:.1f} s for {up_at - down_at:.1f} s; the app answered "
        f"normally again {recovered:.1f} s after the start",
        load,
        "see the checks below",
    )
    say(f"      while down: {dict(answers)}; errors after recovery: {dict(Counter(after))}")
    say(f"      /readyz of an app server while down: HTTP {ready_while_down}")
    say(
        f"      db_worker processes that exited with the database: {exited or 'none'}"
        " (started again, as systemd's Restart=always would)"
    )
    apps_down = [n + 1 for n, app in enumerate(stack.apps) if app.poll() is not None]
    checks = ticket_checks(stack, load, "PostgreSQL restart")
    checks.append(
        Check(
            "PostgreSQL restart: app servers still running", not apps_down, f"{apps_down or 'all'}"
        )
    )
    checks.append(
        Check(
            "PostgreSQL restart: /readyz 503 while down",
            ready_while_down == 503,
            f"HTTP {ready_while_down}",
        )
    )
    checks.append(
        Check(
            "PostgreSQL restart: 503, not 500, while down",
            answers.get("500", 0) == 0,
            f"503: {answers.get('503', 0)}, 500: {answers.get('500', 0)}",
        )
    )
    checks.append(
        Check(
            "PostgreSQL restart: no errors after recovery",
            not after,
            f"{len(after)} errors of requests sent later than 1 s after recovery",
        )
    )
    return checks


def sink_message_ids(stack: Stack) -> Counter[str]:
    ids: Counter[str] = Counter()
    for path in stack.mail_dir.glob("*.eml"):
        for line in path.read_bytes().split(b"\n\n", 1)[0].splitlines():
            if line.lower().startswith(b"message-id:"):
                ids[line.split(b":", 1)[1].strip().decode()] += 1
    return ids


def fault_worker_kill(stack: Stack, seconds: float) -> list[Check]:
    """SIGKILL a db_worker while mail goes out; every mail row is sent in the end."""
    first_id = stack.sql("SELECT coalesce(max(id), 0) FROM notifications_outgoingmail")[0][0]
    assert stack.mail_sink is not None
    with FaultLoad(stack, readers=0) as load:
        time.sleep(seconds / 3)
        # The mail server hangs (SIGSTOP): the workers' deliveries wait in "sending",
        # and the kill falls in the middle of one, before the server accepted it.
        os.kill(stack.mail_sink.pid, signal.SIGSTOP)
        try:
            with contextlib.suppress(TopologyError):
                wait_for(
                    "a mail being sent",
                    lambda: (
                        stack.sql(
                            "SELECT count(*) FROM notifications_outgoingmail"
                            " WHERE status = 'sending'"
                        )[0][0]
                        >= len(stack.workers)
                    ),
                    6,
                )
            # Every worker is inside a delivery (or 6 s passed, within EMAIL_TIMEOUT):
            # this one dies in it.
            killed_at, in_delivery = stack.sql(
                "SELECT now(), count(*) FROM notifications_outgoingmail WHERE status = 'sending'"
            )[0]
            kill_group(stack.workers[0])
        finally:
            os.kill(stack.mail_sink.pid, signal.SIGCONT)
        stack.worker_start(0)
        time.sleep(seconds * 2 / 3)
    # The dead worker's claims stay "sending" until the periodic mail sweep gives them
    # back after the lease (SENDING_LEASE, 5 minutes). Instead of waiting, they are made
    # that old here; run_periodic's sweep (every 5 s here) then does the rest by itself.
    # Those are the claims from before the kill still open now (the live worker's ended
    # when the mail server came back), and any older than 15 s (EMAIL_TIMEOUT is 10 s).
    stuck = len(
        stack.sql(
            "UPDATE notifications_outgoingmail SET claimed_at = claimed_at - interval '1 hour'"
            " WHERE id > %s AND status = 'sending'"
            " AND (claimed_at <= %s OR claimed_at < now() - interval '15 s') RETURNING id",
            (stack.mail_floor, killed_at),
        )
    )

    # Deliveries that timed out while the mail server hung are retried with backoff
    # (30 s, then 60 s, ...), and a mail whose task the killed worker had taken, before
    # it claimed the mail, is pending with no task left until the sweep finds it overdue
    # (OVERDUE, 2 minutes: a CI run once waited 119 s here). All pending mails are made
    # due and overdue the same way, so the sweep hands them to a worker at once; a second
    # task for a mail that still has one is harmless (the claim lets one of them send it).
    stack.sql(
        "UPDATE notifications_outgoingmail SET next_attempt_at = now() - interval '1 hour',"
        " enqueued_at = now() - interval '1 hour'"
        " WHERE id > %s AND status = 'pending' RETURNING id",
        (stack.mail_floor,),
    )

    def undelivered() -> int:
        return int(
            stack.sql(
                "SELECT count(*) FROM notifications_outgoingmail"
                " WHERE id > %s AND status IN ('pending', 'sending')",
                (stack.mail_floor,),
            )[0][0]
        )

    with contextlib.suppress(TopologyError):
        wait_for("every mail sent", lambda: undelivered() == 0, 120)
    # Every mail of the run, not only this phase's: a claim the kill broke may be on a
    # mail of an earlier phase that the workers were still working off.
    rows = stack.sql(
        "SELECT message_id, status, id > %s FROM notifications_outgoingmail WHERE id > %s",
        (first_id, stack.mail_floor),
    )
    written = sum(1 for _, _, this_phase in rows if this_phase)
    sink = sink_message_ids(stack)
    sent = [m for m, status, _ in rows if status == "sent"]
    not_sent = [m for m, status, _ in rows if status != "sent"]
    lost = [m for m in sent if m not in sink]
    duplicates = sum(sink[m] - 1 for m in sent if sink[m] > 1)
    print_load(
        f"db_worker 1 SIGKILLed while {in_delivery} mails were being delivered (the mail"
        " server hung), started again",
        load,
        f"{written} mails written in this phase, {len(rows)} in the run: {len(sent)} sent, "
        f"{len(not_sent)} not sent, "
        f"{len(lost)} sent but not at the sink; {stuck} claims of the dead worker given back; "
        f"{duplicates} duplicates at the sink (same Message-ID)",
    )
    return [
        *ticket_checks(stack, load, "worker SIGKILL"),
        Check(
            "worker SIGKILL: every mail sent and received",
            bool(rows) and not not_sent and not lost,
            f"{len(rows)} mails, {len(not_sent)} not sent, {len(lost)} missing at the sink, "
            f"{duplicates} duplicates",
        ),
    ]


def fault_replica_stop(stack: Stack, seconds: float) -> list[Check]:
    """Stop the replica under read load; reads go on, /readyz reports it."""
    assert stack.replica is not None and stack.pg is not None
    with FaultLoad(stack, writers=1, readers=3) as load:
        time.sleep(seconds / 3)
        pg_ctl(stack.pg.bindir, stack.replica.data, "-m", "fast", "stop")
        stopped_at = time.monotonic() - load.started
        time.sleep(seconds / 3)
        ready = requests.get(f"http://{HOST}:{stack.app_ports[0]}/readyz", timeout=10)
        time.sleep(seconds / 3)
    pg_ctl(
        stack.pg.bindir, stack.replica.data, "restart", log=stack.replica.state_dir / "postgres.log"
    )
    body = (
        ready.json() if ready.headers.get("Content-Type", "").startswith("application/json") else {}
    )
    replica_state = json.dumps(body.get("checks", body).get("replica", "not reported"))
    print_load(
        f"replica stopped at {stopped_at:.1f} s (started again after the phase)",
        load,
        "see the checks below",
    )
    say(
        f"      /readyz while the replica was down: HTTP {ready.status_code}, "
        f"replica: {replica_state}"
    )
    read_errors = count_5xx(load.stats.read_statuses)
    return [
        *ticket_checks(stack, load, "replica stop"),
        Check(
            "replica stop: reads keep working",
            read_errors == 0 and not any(k.endswith("Error") for k in load.stats.read_statuses),
            f"{read_errors} 5xx of {sum(load.stats.read_statuses.values())} reads",
        ),
        Check(
            "replica stop: /readyz 200 and reports the replica degraded",
            ready.status_code == 200 and "degraded" in replica_state,
            f"HTTP {ready.status_code}, replica: {replica_state}",
        ),
    ]


def fault_redis_restart(stack: Stack, seconds: float) -> list[Check]:
    """Restart redis-server under load: no 500 storm; sessions as documented."""
    assert stack.redis is not None
    with FaultLoad(stack, writers=2, readers=3) as load:
        time.sleep(seconds / 3)
        B.CHILDREN.stop(stack.redis)
        down_at = time.monotonic() - load.started
        time.sleep(max(1.0, seconds / 6))
        stack.redis_start()
        up_at = time.monotonic() - load.started
        time.sleep(seconds / 2)
    print_load(
        f"Redis stopped at {down_at:.1f} s, back at {up_at:.1f} s (empty: no persistence)",
        load,
        "see the checks below",
    )
    errors = count_5xx(load.stats.read_statuses) + count_5xx(load.stats.write_statuses)
    signed_out = load.stats.read_statuses.get("302 (signed out)", 0)
    return [
        *ticket_checks(stack, load, "Redis restart"),
        Check(
            "Redis restart: no 5xx",
            errors == 0,
            f"{errors} 5xx; {signed_out} reads answered by a redirect to sign in"
            " (sessions are cached_db: they survive from the database)",
        ),
        Check(
            "Redis restart: sessions survive",
            signed_out == 0,
            f"{signed_out} signed out",
        ),
    ]


def run_script(argv: Sequence[object], env: dict[str, str], log: Path) -> tuple[bool, float, str]:
    """Run a backup script: (exited 0, seconds, its last lines), all of it in `log`."""
    started = time.monotonic()
    with log.open("a", encoding="utf-8") as out:
        result = subprocess.run(
            [str(a) for a in argv],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=max(60.0, B.remaining()),
            check=False,
        )
    tail = log.read_text(encoding="utf-8").strip().splitlines()[-3:]
    return result.returncode == 0, time.monotonic() - started, " | ".join(tail)


def backup_restore(stack: Stack, seconds: float) -> list[Check]:
    """scripts/backup.sh while tickets with files are filed, then scripts/restore.sh into
    a fresh cluster and an empty bucket; every ticket answered before the backup began
    must be in the restored database."""
    assert stack.pg is not None
    backup = stack.run / "backup"
    log = stack.logs / "backup-restore.log"
    script_env = {**stack.env, "VENV": str(VENV_BIN.parent)}
    script_env.pop("DATABASE_REPLICA_URL", None)
    with FaultLoad(stack, writers=2, readers=1, with_files=True) as load:
        wait_for(
            "a ticket filed with its file",
            lambda: any(f.status == 201 for f in load.stats.filings),
            60,
        )
        time.sleep(seconds / 4)
        before = time.monotonic()
        tickets_before = int(stack.sql("SELECT count(*) FROM tickets_ticket")[0][0])
        answered = [f for f in load.stats.filings if f.status in (200, 201)]
        backed_up, backup_secs, backup_said = run_script(
            [ROOT / "scripts" / "backup.sh", backup], script_env, log
        )
        during = sum(1 for f in load.stats.filings if f.answered_at > before)
        time.sleep(seconds / 4)
    files = 0
    if backed_up:
        manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
        files = len(manifest["files"])
    fresh = B.pg_start(stack.base)
    try:
        restore_env = {
            **script_env,
            "DATABASE_URL": fresh.url,
            "S3_BUCKET": "lpse-support-restored",
        }
        s3_client(restore_env).create_bucket(Bucket=restore_env["S3_BUCKET"])
        restored, restore_secs, restore_said = (
            run_script([ROOT / "scripts" / "restore.sh", backup], restore_env, log)
            if backed_up
            else (False, 0.0, "no backup to restore")
        )
        found: set[str] = set()
        tickets_restored = 0
        if restored:
            import psycopg

            with psycopg.connect(fresh.url, autocommit=True, connect_timeout=10) as conn:
                tickets_restored = int(
                    conn.execute("SELECT count(*) FROM tickets_ticket").fetchone()[0]  # type: ignore[index]
                )
                found = {
                    key
                    for (key,) in conn.execute(
                        "SELECT submission_key FROM tickets_ticket WHERE submission_key = ANY(%s)",
                        ([f.key for f in answered],),
                    )
                }
    finally:
        B.pg_stop(fresh, stack.base)
    missing = [f.key for f in answered if f.key not in found]
    print_load(
        f"backup.sh {backup_secs:.1f} s while tickets with a file were filed "
        f"({during} answered during it); restore.sh into a fresh cluster and bucket "
        f"{restore_secs:.1f} s",
        load,
        "see the checks below",
    )
    say(
        f"      tickets at backup start {tickets_before:,}, restored {tickets_restored:,}; "
        f"{len(answered)} answered before the backup, {len(answered) - len(missing)} of "
        f"them restored; {files:,} files in the backup, each checked by restore.sh"
    )
    return [
        *ticket_checks(stack, load, "backup under load"),
        Check("backup.sh under load", backed_up, f"{backup_secs:.1f} s: {backup_said}"),
        Check(
            "restore.sh into a fresh cluster and bucket (its checks pass)",
            restored,
            f"{restore_secs:.1f} s: {restore_said}",
        ),
        Check(
            "restore: every ticket answered before the backup is restored",
            restored and not missing and tickets_restored >= tickets_before,
            f"{len(answered)} answered before, {len(missing)} missing; "
            f"{tickets_restored:,} restored of {tickets_before:,} at backup start",
        ),
    ]


FAULTS: tuple[tuple[str, str, Callable[[Stack, float], list[Check]]], ...] = (
    ("app_kill", "SIGKILL an app server during ticket filing", fault_app_kill),
    ("pg_restart", "PostgreSQL fast shutdown and start", fault_pg_restart),
    ("worker_kill", "SIGKILL a worker during mail delivery", fault_worker_kill),
    ("replica_stop", "stop the replica", fault_replica_stop),
    ("redis_restart", "restart Redis", fault_redis_restart),
)


# --- Main ------------------------------------------------------------------------------


def arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--short", action="store_true", help="small and quick (make test)")
    parser.add_argument("--tickets", type=int)
    parser.add_argument("--seconds", type=int, help="per phase")
    parser.add_argument("--users", type=int)
    parser.add_argument(
        "--only", default="", help="comma-separated faults (and/or 'load', 'backup')"
    )
    parser.add_argument("--keep", action="store_true", help="keep the run folder (logs)")
    parser.add_argument(
        "--short-cache",
        type=Path,
        help="with --short: the data set's cache folder instead of a scratch one (as "
        "bench.py --smoke-cache; `make test` gives both one, so the smoke's dump is restored)",
    )
    parser.add_argument(
        "--periodic-seconds",
        type=int,
        help="run_periodic's interval (default 5, for the faults; production runs 60)",
    )
    args = parser.parse_args(argv)
    if args.short_cache is not None and not args.short:
        parser.error("--short-cache is for --short only")
    args.periodic_seconds = args.periodic_seconds or B.env_int("TOPOLOGY_PERIODIC_SECONDS", 5)
    args.tickets = args.tickets or (1000 if args.short else B.env_int("TOPOLOGY_TICKETS", 100_000))
    args.seconds = args.seconds or B.env_int("TOPOLOGY_SECONDS", 4 if args.short else 30)
    args.users = args.users or B.env_int("TOPOLOGY_USERS", 8)
    args.reporters = 50 if args.short else 200
    keys = {k.strip() for k in args.only.split(",") if k.strip()}
    known = {"load", "backup", *(key for key, _, _ in FAULTS)}
    if keys - known:
        parser.error(f"unknown in --only: {sorted(keys - known)}; known: {sorted(known)}")
    args.parts = keys or known
    default_limit = (420 if args.short else 900 + args.tickets // 100) + 20 * args.seconds
    if "backup" in args.parts and not args.short:
        # Phase 3 copies every attachment three times (into the bucket, into the
        # backup, into the new bucket): about 0.85 per ticket, some 100 a second.
        default_limit += args.tickets // 30
    args.time_limit = B.env_int("TOPOLOGY_TIME_LIMIT", default_limit)
    return args


def _alarm(_signum: int, _frame: FrameType | None) -> None:
    raise B.BenchTimeout


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def shortened_pg_memory(short: bool) -> Iterator[None]:
    """The short form's clusters (two of them, in make test) keep a small footprint."""
    if short and "BENCH_PG_OPTIONS" not in os.environ:
        os.environ["BENCH_PG_OPTIONS"] = "-c shared_buffers=128MB"
        try:
            yield
        finally:
            del os.environ["BENCH_PG_OPTIONS"]
    else:
        yield


def main(argv: Sequence[str] | None = None) -> int:
    args = arguments(argv)
    B.DEADLINE = time.monotonic() + args.time_limit
    signal.signal(signal.SIGALRM, _alarm)
    signal.signal(signal.SIGTERM, _terminate)
    signal.alarm(args.time_limit)
    started = time.monotonic()
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        say("topology: nginx missing (scripts/system-deps.sh nginx redis postgresql)")
        return 1
    os.environ["PATH"] = f"{os.environ.get('PATH', '')}{os.pathsep}/usr/sbin"
    run = Path(tempfile.mkdtemp(prefix="lpse-topology."))
    (run / "logs").mkdir()
    stack = Stack(run=run, base=B.clean_environment())
    timings: dict[str, float] = {}
    status = 1
    try:
        with shortened_pg_memory(args.short):
            status = topology(args, stack, timings)
    except B.BenchTimeout:
        say(f"topology: FAILED: the run's time limit ({args.time_limit} s) ran out")
    except (B.BenchError, TopologyError) as error:
        say(f"topology: FAILED: {error}")
    finally:
        signal.alarm(0)
        B.CHILDREN.stop_all()
        if stack.replica is not None and stack.pg is not None:
            replica_stop(stack.replica, stack.base)
        if stack.pg is not None:
            B.pg_stop(stack.pg, stack.base)
        if args.keep or status != 0:
            say(f"topology: run folder kept: {run} (logs in {run / 'logs'})")
        else:
            shutil.rmtree(run, ignore_errors=True)
        say(f"topology: total {time.monotonic() - started:.0f} s")
    return status


_BACKLOG = """
SELECT
    (SELECT count(*) FROM django_tasks_database_dbtaskresult
     WHERE status = 'RUNNING'
        OR (status = 'READY' AND (run_after <= now() OR run_after >= '9999-01-01'))),
    (SELECT count(*) FROM notifications_outgoingmail
     WHERE status = 'pending' AND next_attempt_at <= now())
"""


def settle(stack: Stack, *, quiet_for: float, timeout: float) -> str:
    """Wait until the work the start left has drained before the load is measured: a
    data set restored hours after it was generated has clocks that went past due
    meanwhile, so the first SLA sweep records their warnings and breaches (and the
    auto-close its closings), and the workers deliver their mails. Settled: no task due
    and no mail due for `quiet_for` seconds (longer than one periodic interval)."""
    started = time.monotonic()
    quiet_since: float | None = None
    most = (0, 0)
    while time.monotonic() - started < timeout:
        [(tasks, mails)] = stack.sql(_BACKLOG)
        most = (max(most[0], tasks), max(most[1], mails))
        now = time.monotonic()
        if tasks or mails:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif now - quiet_since >= quiet_for:
            return (
                f"settled in {now - started:.0f} s (at most {most[0]} tasks and {most[1]} "
                f"mails due at once; quiet for {quiet_for:.0f} s)"
            )
        time.sleep(1)
    return (
        f"NOT settled within {timeout:.0f} s ({tasks} tasks and {mails} mails due): the load "
        "below shares the machine with that work"
    )


def topology(args: argparse.Namespace, stack: Stack, timings: dict[str, float]) -> int:
    mode = "short" if args.short else "full"
    if args.short:
        FaultLoad.max_writers = 1
    say(
        f"LPSE Support production topology on loopback ({mode}): {args.tickets:,} tickets, "
        f"{args.seconds} s per phase, limit {args.time_limit} s"
    )
    start_stack(stack, args, timings)
    checks: list[Check] = []
    with B.phase("proxy wiring", timings):
        wiring = check_wiring(stack)
        for problem in wiring:
            say(f"    {problem}")
        checks.append(Check("proxy wiring", not wiring, "; ".join(wiring) or "as configured"))

    if not args.short:
        with B.phase("settle", timings):
            say(f"    {settle(stack, quiet_for=args.periodic_seconds + 5, timeout=900)}")

    results: list[B.Result] = []
    if "load" in args.parts:
        scenarios = [s for s in B.SCENARIOS if not args.short or s.key in SHORT_SCENARIOS]
        load_env = {**stack.base, "BENCH_FIXTURE": str(stack.fixture_path)}
        with B.phase("load through nginx (HTTPS)", timings):
            B.locust_run(
                B.Scenario("warmup", "warm-up", "Warmup"),
                env=load_env,
                url=stack.url,
                users=args.users,
                seconds=min(10, max(2, args.seconds)),
                work=stack.run,
            )
            for scenario in scenarios:
                result = B.locust_run(
                    scenario,
                    env=load_env,
                    url=stack.url,
                    users=args.users,
                    seconds=args.seconds,
                    work=stack.run,
                )
                results.append(result)
                say(
                    f"    {scenario.label:<38} {result.rps:8.1f} req/s  p95 "
                    f"{B._ms(result.p95_ms)} ms  ({result.requests} requests, "
                    f"{result.failures} failures)"
                )
        checks += [
            Check(
                f"load {r.key}: no failures",
                r.failures == 0 and r.requests > 0,
                f"{r.failures} of {r.requests}",
            )
            for r in results
        ]

    for key, title, fault in FAULTS:
        if key not in args.parts:
            continue
        with B.phase(f"fault: {title}", timings):
            found = fault(stack, args.seconds)
        for check in found:
            verdict = "ok" if check.ok else "FAILED"
            say(f"      [{verdict}] {check.name}: {check.detail}")
        checks += found
    if "backup" in args.parts:
        with B.phase("backup during load, restore, compare", timings):
            found = backup_restore(stack, args.seconds)
        for check in found:
            verdict = "ok" if check.ok else "FAILED"
            say(f"      [{verdict}] {check.name}: {check.detail}")
        checks += found

    replication = "-"
    with contextlib.suppress(Exception):
        assert stack.pg is not None
        replication = (
            stack.pg.sql(
                "SELECT string_agg(state || ', replay lag ' || coalesce(replay_lag::text, '0'),"
                " '; ') FROM pg_stat_replication"
            )
            or "no replica attached"
        )
    summary = stack.fixture["summary"]
    say()
    say("=" * 91)
    say(f"LPSE Support production topology ({mode}), {time.strftime('%Y-%m-%d %H:%M')}")
    say(
        f"  data       {summary['tickets']:,} tickets, {summary['reporters']} reporters, "
        f"{summary['staff']} staff"
    )
    say(
        f"  proxy      nginx {nginx_version()} (TLS, HTTP/1.1 to the upstreams, "
        "deploy/nginx/lpse-support.conf)"
    )
    say(
        f"  app        2 gunicorn servers x {stack.app_workers} workers x {stack.app_threads} "
        "threads, DEBUG=0, SECURE_* on, BEHIND_PROXY=1"
    )
    say("  database   PostgreSQL primary (durable) + streaming replica: " + replication)
    say(
        "  around     redis-server, moto S3 (STORAGE_BACKEND=s3), 2 db_worker, run_periodic "
        f"(every {args.periodic_seconds} s), SMTP sink"
    )
    say(
        f"  load       locust over HTTPS (certificate not verified), {args.users} users, "
        f"closed loop, {args.seconds} s per scenario"
    )
    if results:
        say()
        say(B.table(results))
        for result in results:
            for error in result.errors:
                say(f"  {result.key}: {error}")
    say()
    for check in checks:
        verdict = "ok" if check.ok else "FAILED"
        say(f"  [{verdict:>6}] {check.name}: {check.detail}")
    say("phases: " + ", ".join(f"{name} {secs:.1f} s" for name, secs in timings.items()))
    say("=" * 91)
    failed = [c for c in checks if not c.ok]
    for check in failed:
        say(f"topology: FAILED: {check.name}: {check.detail}")
    return 1 if failed else 0


def nginx_version() -> str:
    result = subprocess.run(["nginx", "-v"], capture_output=True, text=True, check=False)
    return result.stderr.strip().rsplit("/", 1)[-1]


if __name__ == "__main__":
    sys.exit(main())
