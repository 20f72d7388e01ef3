"""Load benchmark of LPSE Support: throughput and latency of the main pages, and memory.

    make bench                                          (100,000 tickets, 30 s per scenario)
    BENCH_TICKETS=20000 BENCH_SECONDS=10 make bench
    .venv/bin/python scripts/bench.py --smoke           (1,000 tickets, ~3 s per scenario)
    .venv/bin/python scripts/bench.py --json bench.json --only dashboard,search_fts

Every phase runs in a child process with a timeout, and the whole run has a hard limit
(BENCH_TIME_LIMIT seconds); whatever the run started is stopped and removed on exit,
also on Ctrl-C or a timeout. Load goes to 127.0.0.1 only.

1. PostgreSQL: a throwaway cluster (scripts/pg-throwaway.sh) with production durability
   (PG_THROWAWAY_DURABLE=1: fsync, synchronous_commit and full_page_writes on) and
   production memory settings (shared_buffers 2 GB, effective_cache_size 12 GB;
   BENCH_PG_OPTIONS replaces them).
2. Data set: `migrate`, `generate_tickets --tickets N --seed S`, `generate_articles
   --articles A --seed S` (published help articles with their search entries) and
   `train_category_model` on knowledge/eval/category_eval.jsonl (as `make demo` does),
   into a scratch database, saved with `pg_dump -Fc` in the cache directory outside the
   repository,
   `${LPSE_BENCH_CACHE:-~/.cache/lpse-support/bench}/dataset-<N>-a<A>-<S>-<hash>.dump`,
   where the hash covers the migrations and the generators' code; later runs skip the
   generation. Every run then restores the dump (`pg_restore -j 2`) into an empty
   database, runs VACUUM ANALYZE and a CHECKPOINT, so a first and a second run measure
   the same thing.
3. Set-up (scripts/bench_setup.py): signed-in sessions and API tokens for many
   reporters (with their real ticket counts) and staff of every kind, ticket numbers,
   search terms; for the memory probe a ticket with ten large attachments.
4. The app under gunicorn as in production: DEBUG off, not TESTING, settings from the
   environment (.env.example), static files collected into a scratch folder and served
   by WhiteNoise (STATIC_ROOT is not read from the environment: a small settings module
   in the scratch folder sets it, and copies the files rather than compressing them).
   The API's per-user rate limit is raised (API_RATE_LIMIT) so that it does not stop
   the load.
5. With the reports scenario, each report built once with nothing kept (the national
   supervisor, 90 days, one request at a time: "reports built cold"); the locust run
   then reads the built pages the app keeps for REPORT_CACHE_SECONDS, as supervisors
   do. A short warm-up (every scenario, not reported), then memory: the app's worker
   processes' peak RSS over their baseline (VmHWM after resetting it through
   /proc/<pid>/clear_refs, needs root or the same user) while one 50 MB file is uploaded
   and while the zip of ten 50 MB attachments is streamed (random bytes, so nothing
   compresses; the largest growth over the workers is reported), and while the national
   supervisor downloads the console's CSV and XLSX export of every ticket (rows, time to
   the first byte, total time and MB/s printed with the growth; numbers only).
6. One headless locust run per scenario (a separate process), a closed loop of
   BENCH_USERS users for BENCH_SECONDS seconds. Percentiles are locust's (rounded to
   two significant digits above 100 ms). The creation burst (issue 19) runs 50 users
   filing at once, and then checks every ticket they filed in the database: a number
   given once, its history event and report fact, the reporter's notification and mail,
   a mail for every agent told of it, none twice, and a delivery task for each mail.

`--no-memory` skips the memory probes (at 1,000,000 tickets the two exports take about
seven minutes) when a run only compares latencies.

Prints one table (and --json PATH writes it as JSON). The smoke mode (`--smoke`, a step
of scripts/run-tests.sh) uses 1,000 tickets and 1,000 articles, a scratch cache that is
removed afterwards (or --smoke-cache's, which the caller removes), 5 MB files, and exits
non-zero if any scenario had failures or no successful request (a report's own row may
be empty: each report answers in "reports built cold" or the run fails), if the burst's
check found anything missing, or if a memory probe failed; a full run exits non-zero in
the same cases.

Environment: BENCH_TICKETS (100000), BENCH_ARTICLES (5000), BENCH_SEED (1),
BENCH_SECONDS (30), BENCH_USERS (8), BENCH_WORKERS and BENCH_THREADS (gunicorn; default:
two workers per core, 2 threads), BENCH_TIME_LIMIT (seconds; default from the other
values), LPSE_BENCH_CACHE, BENCH_JSON (as --json).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import functools
import hashlib
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from lib import ports

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"  # the only host load ever goes to
MB = 1024 * 1024
# The API's per-token throttle (production: 120/m) would turn the load into 429s.
API_RATE_LIMIT = "1000000/s"
BUILD_DB = "lpse_bench_build"

# What the data set is made of: a change to any of these makes a new cached dump.
DATASET_CODE = (
    "tickets/management/commands/generate_tickets.py",
    "tickets/synthetic/__init__.py",
    "tickets/synthetic/bulk.py",
    "tickets/synthetic/incidents.py",
    "tickets/synthetic/story.py",
    "tickets/synthetic/walk.py",
    "tickets/synthetic/world.py",
    # The lifecycle, the event map and the clock code the stories are derived from
    "tickets/lifecycle.py",
    "tickets/ticket_sla.py",
    "lib/synthetic.py",
    "lib/filenames.py",
    "lib/sla.py",
    "reference/services.py",
    "reference/seed_data.py",
    "sla/seed.py",
    "sla/clocks.py",
    "sla/calendars.py",
    "accounts/services.py",
    # The search entries written with every ticket
    "lib/textsearch.py",
    "tickets/search.py",
    # The report facts written with every ticket (issue 17)
    "tickets/facts.py",
    # The knowledge base's articles and the category model (issue 18: suggestions)
    "knowledge/management/commands/generate_articles.py",
    "lib/synthetic_articles.py",
    "knowledge/search.py",
    "knowledge/categories.py",
    "knowledge/management/commands/train_category_model.py",
    "knowledge/eval/category_eval.jsonl",
    "lib/category_model.py",
)
# The smoke's users finish the request they are making when its seconds are up.
SMOKE_STOP_TIMEOUT = 60

# Published help articles of the data set (issue 18: 5,000 at any size; smoke: fewer).
DEFAULT_ARTICLES = 5000
SMOKE_ARTICLES = 1000
# The category model of the data set: trained on the evaluation texts, as `make demo`
# does (centroid: about a second; the default logreg takes minutes).
CATEGORY_MODEL_TRAINING = (
    *("train_category_model", "--classifier", "centroid"),
    *("--from-file", ROOT / "knowledge" / "eval" / "category_eval.jsonl"),
    *("--note", "bench: knowledge/eval/category_eval.jsonl"),
)


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    user_class: str  # in scripts/bench_locust.py
    # The row of locust's stats reported: all requests, or (the polls) only the timed
    # kind, not the page fetched once to learn its stamp.
    stats_row: str = "Aggregated"
    # Further rows of the same run, each one request name (key suffix, label, name).
    breakdown: tuple[tuple[str, str, str], ...] = ()
    # Users of this scenario's run (None: BENCH_USERS) and whether every ticket it filed
    # is checked afterwards (`burst_check`).
    users: int | None = None
    verify: bool = False


# The supervisors' reports (issue 17), one locust run cycling all of them, one row each.
REPORT_SLUGS = (
    "volume",
    "umur",
    "sla",
    "eskalasi",
    "kepuasan",
    "teratas",
    "petugas",
    "swalayan",
)

# Users filing at once in the creation burst (issue 19).
BURST_USERS = 50

SCENARIOS = (
    Scenario("dashboard", "1  reporter dashboard", "ReporterDashboard"),
    Scenario("list", "2  reporter ticket list", "ReporterList"),
    Scenario("search_title", "3  reporter search (judul)", "ReporterSearch"),
    Scenario("queue", "4  staff queue (console)", "StaffQueue"),
    Scenario("search_fts", "5  staff full-text search (cari)", "StaffSearch"),
    Scenario("detail_reporter", "6a ticket detail, reporter", "ReporterDetail"),
    Scenario("detail_staff", "6b ticket detail, staff console", "StaffDetail"),
    Scenario("api_list", "7  API list GET /api/v1/tickets", "ApiList"),
    Scenario("poll_reporter", "7a page poll (live.js), reporter", "ReporterPoll", "reporter poll"),
    Scenario("poll_staff", "7b page poll (live.js), staff", "StaffPoll", "staff poll"),
    Scenario("create", "8  create ticket (API)", "CreatePlain"),
    Scenario("create_1mb", "9  create ticket + 1 MB file (API)", "CreateAttachment"),
    Scenario(
        "reports",
        "10 supervisor reports, 90 days (all)",
        "SupervisorReports",
        breakdown=tuple((slug, f"10 report {slug}", f"report {slug}") for slug in REPORT_SLUGS),
    ),
    # Issue 18: the page's debounced calls while a reporter types (p95 target 150 ms).
    Scenario("suggest", "11 Buat Tiket suggestions (saran)", "ReporterSuggest"),
    # Issue 19: a national incident, many reporters filing at once; afterwards every
    # ticket of the run is checked (unique number, history, fact, mails and their tasks).
    Scenario(
        "create_burst",
        f"12 creation burst, {BURST_USERS} users (API)",
        "CreatePlain",
        users=BURST_USERS,
        verify=True,
    ),
)


@dataclass
class Result:
    key: str
    label: str
    requests: int = 0
    failures: int = 0
    rps: float = 0.0
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    avg_ms: float | None = None
    errors: list[str] = field(default_factory=list)
    # What the check after a verified scenario found wrong with the data it wrote.
    check_problems: list[str] = field(default_factory=list)
    # A row of one request name within a scenario (the reports one by one): a few
    # seconds of smoke on a busy machine may end before a slow one is answered, so such
    # a row may be empty; every report must still answer 200 in "reports built cold".
    breakdown: bool = False


@dataclass
class MemoryProbe:
    label: str
    ok: bool = False
    growth_mb: float | None = None
    baseline_mb: float | None = None
    worker_pid: int | None = None
    seconds: float | None = None
    detail: str = ""


class BenchError(Exception):
    """A phase failed: the message says which and why."""


class BenchTimeout(BaseException):
    """The hard time limit of the whole run was reached."""


# --- Child processes ------------------------------------------------------------------


class Children:
    """Every process the run starts, each in its own process group, stopped on exit."""

    def __init__(self) -> None:
        self.running: list[subprocess.Popen[bytes]] = []

    def start(
        self, argv: Sequence[object], *, env: dict[str, str], log: Path
    ) -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            process = subprocess.Popen(
                [str(a) for a in argv],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.running.append(process)
        return process

    def stop(self, process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        # Whatever it left in its group (it is our own group: setsid above).
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        if process in self.running:
            self.running.remove(process)

    def stop_all(self) -> None:
        for process in list(reversed(self.running)):
            self.stop(process)


CHILDREN = Children()
DEADLINE = float("inf")


def remaining() -> float:
    return DEADLINE - time.monotonic()


def tail(log: Path, lines: int = 25) -> str:
    try:
        text = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join("    | " + line for line in text[-lines:])


def run(
    what: str, argv: Sequence[object], *, env: dict[str, str], log: Path, timeout: float
) -> None:
    """Run a child to completion within `timeout` (and the run's limit); raise if it fails."""
    limit = min(timeout, max(1.0, remaining()))
    process = CHILDREN.start(argv, env=env, log=log)
    try:
        status = process.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        CHILDREN.stop(process)
        raise BenchError(f"{what}: no result after {limit:.0f} s\n{tail(log)}") from None
    CHILDREN.stop(process)
    if status != 0:
        raise BenchError(f"{what}: exit status {status}\n{tail(log)}")


# --- Environment -----------------------------------------------------------------------


def documented_variables() -> set[str]:
    """Every variable .env.example documents: none of the caller's may leak into the app."""
    names: set[str] = set()
    example = ROOT / ".env.example"
    if example.is_file():
        for line in example.read_text(encoding="utf-8").splitlines():
            if match := re.match(r"^#? *([A-Z][A-Z0-9_]*)=", line):
                names.add(match.group(1))
    return names


def clean_environment() -> dict[str, str]:
    drop = documented_variables() | {
        "DATABASE_URL",
        "TESTING",
        "DJANGO_SETTINGS_MODULE",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "PYTHONPATH",
        "GUNICORN_CMD_ARGS",
    }
    return {
        name: value
        for name, value in os.environ.items()
        if name not in drop and not name.startswith(("LOCUST_", "PG_THROWAWAY_"))
    }


def app_environment(base: dict[str, str], work: Path, database_url: str) -> dict[str, str]:
    """Production settings from the environment, as a deployment would set them."""
    settings_dir = work / "settings"
    settings_dir.mkdir(exist_ok=True)
    # STATIC_ROOT is the one setting not read from the environment (it is inside the
    # repository): collectstatic and WhiteNoise use a scratch folder instead. The files
    # are copied, not compressed (brotli takes ~15 s and no scenario fetches them); the
    # pages' {% static %} URLs are the same either way.
    (settings_dir / "bench_settings.py").write_text(
        "import os\n"
        "from pathlib import Path\n\n"
        "from lpse_support.settings import *  # noqa: F403\n"
        "from lpse_support.settings import STORAGES\n\n"
        'STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])\n'
        'STORAGES = {**STORAGES, "staticfiles": {"BACKEND": '
        '"django.contrib.staticfiles.storage.StaticFilesStorage"}}\n',
        encoding="utf-8",
    )
    env = dict(base)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench_settings",
            "PYTHONPATH": f"{settings_dir}{os.pathsep}{ROOT}",
            "BENCH_STATIC_ROOT": str(work / "static"),
            "DEBUG": "0",
            # Plain HTTP on loopback, like an app server behind a proxy that terminates
            # TLS and redirects to HTTPS itself (.env.example: SECURE_SSL_REDIRECT).
            "SECURE_SSL_REDIRECT": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "DATABASE_URL": database_url,
            "VAR_DIR": str(work / "var"),
            "FILE_UPLOAD_TEMP_DIR": str(work / "upload-tmp"),
            "API_RATE_LIMIT": API_RATE_LIMIT,
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    (work / "var").mkdir(exist_ok=True)
    (work / "upload-tmp").mkdir(exist_ok=True)
    return env


def free_port() -> int:
    """A free loopback port below the kernel's ephemeral range (lib/ports.py)."""
    return ports.free_port()


# --- PostgreSQL ------------------------------------------------------------------------


@dataclass
class Postgres:
    state_dir: Path
    url: str  # the app's role
    bindir: Path

    def database(self, name: str, *, superuser: bool = False) -> str:
        """The URL of another database of the cluster, as the app's role or `postgres`."""
        parts = urlsplit(self.url)
        netloc = parts.netloc
        if superuser:
            netloc = f"postgres@{parts.hostname}:{parts.port}"
        return urlunsplit((parts.scheme, netloc, f"/{name}", "", ""))

    @property
    def name(self) -> str:
        return urlsplit(self.url).path.lstrip("/")

    def sql(self, statement: str, *, database: str = "postgres") -> str:
        result = subprocess.run(
            [
                *(self.bindir / "psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1"),
                *("-d", self.database(database, superuser=True), "-c", statement),
            ],
            capture_output=True,
            text=True,
            timeout=min(120.0, max(1.0, remaining())),
            check=False,
        )
        if result.returncode != 0:
            raise BenchError(f"psql {statement!r}: {result.stderr.strip()}")
        return result.stdout.strip()


def pg_bindir() -> Path:
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: [int(x) if x.isdigit() else 0 for x in re.split(r"\D+", p.parent.name)],
    )
    if not found or not (found[-1] / "pg_restore").exists():
        raise BenchError("no PostgreSQL under /usr/lib/postgresql (apt-get install postgresql)")
    return found[-1]


# The server's memory as a production server would set it (PostgreSQL's default
# shared_buffers, 128 MB, is for a machine of the 1990s): 2 GB of buffers, and the
# planner told that the OS caches most of the rest. Measured at 1,000,000 tickets: the
# staff queue went from 45 to 70 requests/s. BENCH_PG_OPTIONS replaces it.
PG_OPTIONS = "-c shared_buffers=2GB -c effective_cache_size=12GB"


def pg_start(env: dict[str, str]) -> Postgres:
    result = subprocess.run(
        [ROOT / "scripts" / "pg-throwaway.sh", "start"],
        env={
            **env,
            "PG_THROWAWAY_DURABLE": "1",
            "PG_THROWAWAY_OPTIONS": os.environ.get("BENCH_PG_OPTIONS", PG_OPTIONS),
        },
        capture_output=True,
        text=True,
        timeout=min(180.0, max(1.0, remaining())),
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"scripts/pg-throwaway.sh start failed:\n{result.stderr}")
    state = Path(result.stdout.strip().splitlines()[-1])
    url = ""
    for line in (state / "env").read_text(encoding="utf-8").splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export" and words[1].startswith("DATABASE_URL="):
            url = words[1].split("=", 1)[1]
    if not url:
        raise BenchError(f"no DATABASE_URL in {state / 'env'}")
    return Postgres(state, url, pg_bindir())


def pg_stop(pg: Postgres, env: dict[str, str]) -> None:
    subprocess.run(
        [ROOT / "scripts" / "pg-throwaway.sh", "stop", pg.state_dir],
        env=env,
        capture_output=True,
        timeout=90,
        check=False,
    )


# --- Data set --------------------------------------------------------------------------


def dataset_hash() -> str:
    digest = hashlib.sha256()
    files = sorted(ROOT.glob("*/migrations/*.py")) + [ROOT / name for name in DATASET_CODE]
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0")
        digest.update(path.read_bytes() if path.exists() else b"(missing)")
        digest.update(b"\0")
    return digest.hexdigest()[:12]


def cache_directory(smoke_dir: Path | None) -> Path:
    if smoke_dir is not None:
        return smoke_dir
    default = Path.home() / ".cache" / "lpse-support" / "bench"
    directory = Path(os.environ.get("LPSE_BENCH_CACHE") or default).expanduser().resolve()
    if directory == ROOT or ROOT in directory.parents:
        raise BenchError(f"LPSE_BENCH_CACHE must be outside the repository (got {directory})")
    return directory


def dataset_load(
    *,
    pg: Postgres,
    env: dict[str, str],
    cache: Path,
    tickets: int,
    articles: int,
    seed: int,
    logs: Path,
    timings: dict[str, float],
) -> tuple[str, Path]:
    """Restore the cached dump (made first when missing); returns how, and the dump."""
    dump = cache / f"dataset-{tickets}-a{articles}-{seed}-{dataset_hash()}.dump"
    how = "restored from cache"
    manage: list[object] = [PYTHON, ROOT / "manage.py"]
    if not dump.exists():
        how = "generated, then restored"
        started = time.monotonic()
        cache.mkdir(parents=True, exist_ok=True)
        partial = dump.with_name(f".{dump.name}.{os.getpid()}.partial")
        build = {**env, "DATABASE_URL": pg.database(BUILD_DB)}
        try:
            pg.sql(f'DROP DATABASE IF EXISTS "{BUILD_DB}"')
            pg.sql(f'CREATE DATABASE "{BUILD_DB}" OWNER "{urlsplit(pg.url).username}"')
            run(
                "migrate",
                [*manage, "migrate", "--noinput", "-v", "0"],
                env=build,
                log=logs / "dataset.log",
                timeout=300,
            )
            run(
                "generate_tickets",
                [*manage, "generate_tickets", "--tickets", tickets, "--seed", seed, "-v", "0"],
                env=build,
                log=logs / "dataset.log",
                timeout=300 + tickets * 0.02,
            )
            run(
                "generate_articles",
                [*manage, "generate_articles", "--articles", articles, "--seed", seed],
                env=build,
                log=logs / "dataset.log",
                timeout=120 + articles * 0.01,
            )
            run(
                "train_category_model",
                [*manage, *CATEGORY_MODEL_TRAINING],
                env=build,
                log=logs / "dataset.log",
                timeout=300,
            )
            run(
                "pg_dump",
                [pg.bindir / "pg_dump", "-Fc", "-f", partial, pg.database(BUILD_DB)],
                env=env,
                log=logs / "dataset.log",
                timeout=300 + tickets * 0.01,
            )
            os.replace(partial, dump)
        finally:
            partial.unlink(missing_ok=True)
        pg.sql(f'DROP DATABASE IF EXISTS "{BUILD_DB}"')
        timings["dataset: generate + dump"] = time.monotonic() - started
    started = time.monotonic()
    run(
        "pg_restore",
        [
            *(pg.bindir / "pg_restore", "-j", "2", "--no-owner", "--no-privileges"),
            *("--exit-on-error", "-d", pg.url, dump),
        ],
        env=env,
        log=logs / "dataset.log",
        timeout=300 + tickets * 0.01,
    )
    timings["dataset: restore"] = time.monotonic() - started
    started = time.monotonic()
    run(
        "vacuumdb",
        [pg.bindir / "vacuumdb", "-z", "-j", "2", "-q", "-d", pg.database(pg.name, superuser=True)],
        env=env,
        log=logs / "dataset.log",
        timeout=300 + tickets * 0.01,
    )
    # A no-op when the dump is current (the hash covers the migrations).
    run(
        "migrate",
        [*manage, "migrate", "--noinput", "-v", "0"],
        env=env,
        log=logs / "dataset.log",
        timeout=300,
    )
    timings["dataset: vacuum analyze + migrate"] = time.monotonic() - started
    # The restore leaves gigabytes of dirty buffers: written out now, not by the
    # checkpointer while the load runs (a run without the memory probes, which used to
    # give it minutes, measured the disk's catching up: creation and reports slowed by
    # a third).
    started = time.monotonic()
    pg.sql("CHECKPOINT")
    timings["dataset: checkpoint"] = time.monotonic() - started
    dataset_check(pg, dump)
    return how, dump


def dataset_check(pg: Postgres, dump: Path) -> None:
    """Every restored ticket has its report fact (the generator writes them since issue 17);
    there are published articles with search entries and a category model (issue 18)."""
    tickets, facts, articles, models = pg.sql(
        "SELECT (SELECT count(*) FROM tickets_ticket) || ' ' || "
        "(SELECT count(*) FROM tickets_ticketfact) || ' ' || "
        "(SELECT count(*) FROM knowledge_article"
        " WHERE status = 'published' AND search_vector IS NOT NULL) || ' ' || "
        "(SELECT count(*) FROM knowledge_categorymodel)",
        database=pg.name,
    ).split()
    if tickets != facts:
        raise BenchError(
            f"the data set {dump.name} has {tickets} tickets but {facts} report facts: "
            "a dump from a generator without facts; delete it to make a new one"
        )
    if not int(articles) or not int(models):
        raise BenchError(
            f"the data set {dump.name} has {articles} searchable published articles and "
            f"{models} category models: delete it to make a new one"
        )


def burst_mark(pg: Postgres) -> int:
    """The last ticket id before a verified scenario: it checks those after it."""
    return int(pg.sql("SELECT coalesce(max(id), 0) FROM tickets_ticket", database=pg.name))


# What every ticket filed during a verified scenario must have, counted in one statement;
# each count but the first must be zero. Agents are those `tickets.access.staff_acting_on`
# tells of a new ticket (tier 1 of its LPSE, active, the LPSE active) with an address and
# without the kind turned off.
_BURST_CHECK = """
WITH new AS (
    SELECT id, number, reporter_id, lpse_id FROM tickets_ticket WHERE id > {mark}
), agent AS (
    SELECT DISTINCT new.id AS ticket_id, u.id AS user_id
    FROM new
    JOIN accounts_staffassignment a ON a.lpse_id = new.lpse_id AND a.role = 'agent'
    JOIN reference_lpse l ON l.id = a.lpse_id AND l.is_active
    JOIN accounts_user u ON u.id = a.user_id AND u.is_active AND u.email <> ''
    WHERE NOT EXISTS (
        SELECT 1 FROM notifications_mailoptout o
        WHERE o.user_id = u.id AND o.kind = 'ticket_created'
    )
), mail AS (
    SELECT m.id, m.ticket_id, m.recipient_id FROM notifications_outgoingmail m
    JOIN new ON new.id = m.ticket_id WHERE m.kind = 'ticket_created'
)
SELECT concat_ws(' ',
    (SELECT count(*) FROM new),
    (SELECT count(*) - count(DISTINCT number) FROM new),
    (SELECT count(*) FROM new WHERE NOT EXISTS (
        SELECT 1 FROM tickets_ticketevent e WHERE e.ticket_id = new.id AND e.kind = 'created')),
    (SELECT count(*) FROM new WHERE NOT EXISTS (
        SELECT 1 FROM tickets_ticketfact f WHERE f.ticket_id = new.id)),
    (SELECT count(*) FROM new WHERE NOT EXISTS (
        SELECT 1 FROM notifications_notification n
        WHERE n.ticket_id = new.id AND n.recipient_id = new.reporter_id)),
    (SELECT count(*) FROM new WHERE NOT EXISTS (
        SELECT 1 FROM mail WHERE mail.ticket_id = new.id
        AND mail.recipient_id = new.reporter_id)),
    (SELECT count(*) FROM agent WHERE NOT EXISTS (
        SELECT 1 FROM mail WHERE mail.ticket_id = agent.ticket_id
        AND mail.recipient_id = agent.user_id)),
    (SELECT count(*) - count(DISTINCT (ticket_id, recipient_id)) FROM mail),
    (SELECT count(*) FROM mail WHERE mail.id NOT IN (
        SELECT (r.args_kwargs -> 'args' ->> 0)::bigint FROM django_tasks_database_dbtaskresult r
        WHERE r.task_path = 'notifications.tasks.deliver_mail'))
)
"""
_BURST_PROBLEMS = (
    "tickets with a number given twice",
    "tickets without their history event",
    "tickets without their report fact",
    "tickets without the reporter's notification",
    "tickets without the reporter's mail",
    "agents' mails missing",
    "mails written twice",
    "mails without a delivery task",
)


def burst_check(pg: Postgres, mark: int) -> list[str]:
    """What is wrong with the tickets filed after `mark` (nothing: [])."""
    filed, *counts = (
        int(n) for n in pg.sql(_BURST_CHECK.format(mark=mark), database=pg.name).split()
    )
    problems = [f"{n} {label}" for n, label in zip(counts, _BURST_PROBLEMS, strict=True) if n]
    if not filed:
        problems.append("no ticket was filed")
    say(f"    checked {filed} tickets filed in the burst: {'; '.join(problems) or 'all complete'}")
    return problems


# --- The app ---------------------------------------------------------------------------


def gunicorn_start(
    env: dict[str, str],
    port: int,
    workers: int,
    threads: int,
    log: Path,
    *,
    probe: str = "/",
) -> subprocess.Popen[bytes]:
    """Start gunicorn and wait until GET `probe` answers 200 (scripts/topology.py probes
    /healthz: behind its proxy the app redirects plain HTTP)."""
    process = CHILDREN.start(
        [
            *(PYTHON, "-m", "gunicorn", "lpse_support.wsgi:application"),
            # The production configuration; the options below override its values.
            *("--config", ROOT / "lpse_support" / "gunicorn_conf.py"),
            *("--bind", f"{HOST}:{port}", "--worker-class", "gthread"),
            *("--workers", str(workers), "--threads", str(threads)),
            # Long enough for a 50 MB upload or a 500 MB zip on a loaded machine.
            *("--timeout", "120", "--graceful-timeout", "10", "--keep-alive", "5"),
            *("--error-logfile", "-", "--log-level", "warning"),
        ],
        env=env,
        log=log,
    )
    deadline = time.monotonic() + min(60.0, max(1.0, remaining()))
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited with status {process.returncode}\n{tail(log)}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"http://{HOST}:{port}{probe}", timeout=5).status_code == 200:
                return process
        time.sleep(0.3)
    raise BenchError(f"gunicorn did not answer on {HOST}:{port} within 60 s\n{tail(log)}")


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == master:
            pids.append(int(entry.name))
    return sorted(pids)


def status_kb(pid: int, name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return int(line.split()[1])
    raise BenchError(f"no {name} in /proc/{pid}/status")


# --- Load ------------------------------------------------------------------------------


def locust_run(
    scenario: Scenario,
    *,
    env: dict[str, str],
    url: str,
    users: int,
    seconds: int,
    work: Path,
    stop_timeout: int = 0,
) -> Result:
    """The scenario's row (`_locust_once`), with one more run, three times as long, if
    not a single request was counted, answered or failed. locust writes its stats CSV
    once a second and not again at shutdown, so a run of a few seconds on a busy machine,
    where cold app workers answer their first requests slowly, can show nothing (a CI
    run of the topology failed so with "load api_list: no failures: 0 of 0", while
    locust's own summary showed 3 requests). Nothing is hidden: a run with failures is
    never repeated, and the second run is checked as the first would have been."""
    run = functools.partial(
        _locust_once,
        scenario,
        env=env,
        url=url,
        users=users,
        work=work,
        stop_timeout=stop_timeout,
    )
    result = run(seconds=seconds)
    if result.requests == 0 and result.failures == 0:
        say(
            f"    {scenario.label}: no request answered in {seconds} s (a busy machine): "
            f"run again for {3 * seconds} s"
        )
        result = run(seconds=3 * seconds)
    return result


def _locust_once(
    scenario: Scenario,
    *,
    env: dict[str, str],
    url: str,
    users: int,
    seconds: int,
    work: Path,
    stop_timeout: int = 0,
) -> Result:
    """The scenario's row; `breakdown_results` reads its further rows afterwards.

    With `stop_timeout`, each user finishes the request it is making when the time is up
    (locust's --stop-timeout) instead of dropping it: the smoke's three seconds on a busy
    machine can end while every user still waits on a slow report, which then counted as
    never answered (a CI run failed so with "report eskalasi: no successful request")."""
    prefix = work / "locust" / scenario.key
    prefix.parent.mkdir(exist_ok=True)
    log = work / "logs" / f"locust-{scenario.key}.log"
    process = CHILDREN.start(
        [
            *(PYTHON, "-m", "locust", "-f", ROOT / "scripts" / "bench_locust.py", "--headless"),
            *("--host", url, "--users", str(users), "--spawn-rate", str(users)),
            *("--run-time", f"{seconds}s", "--csv", str(prefix), "--only-summary"),
            *("--loglevel", "WARNING", "--exit-code-on-error", "0"),
            *(("--stop-timeout", str(stop_timeout)) if stop_timeout else ()),
            scenario.user_class,
        ],
        env=env,
        log=log,
    )
    limit = min(seconds + stop_timeout + 60.0, max(1.0, remaining()))
    try:
        status = process.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        CHILDREN.stop(process)
        raise BenchError(
            f"locust {scenario.key}: no result after {limit:.0f} s\n{tail(log)}"
        ) from None
    CHILDREN.stop(process)
    stats = Path(f"{prefix}_stats.csv")
    if status != 0 or not stats.exists():
        raise BenchError(f"locust {scenario.key}: exit status {status}\n{tail(log)}")
    result = _read_stats(stats, [(scenario.key, scenario.label, scenario.stats_row)])[0]
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        with failures.open(newline="", encoding="utf-8") as handle:
            rows = sorted(csv.DictReader(handle), key=lambda r: -int(r["Occurrences"]))
        result.errors = [f"{r['Occurrences']}x {r['Error']}" for r in rows[:3]]
    if "CPU usage above" in log.read_text(encoding="utf-8", errors="replace"):
        result.errors.append("locust warned: its CPU usage was above 90 % (load generator busy)")
    return result


def breakdown_results(scenario: Scenario, work: Path) -> list[Result]:
    """The rows of a scenario's single request names (after its `locust_run`)."""
    rows = [(f"{scenario.key}_{suffix}", label, name) for suffix, label, name in scenario.breakdown]
    results = _read_stats(work / "locust" / f"{scenario.key}_stats.csv", rows) if rows else []
    for result in results:
        result.breakdown = True
    return results


def _read_stats(stats: Path, rows: Sequence[tuple[str, str, str]]) -> list[Result]:
    """One Result per (key, label, locust request name); zero for a name never seen."""
    results = {name: Result(key, label) for key, label, name in rows}
    with stats.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            result = results.get(row["Name"])
            if result is None:
                continue
            result.requests = int(row["Request Count"])
            result.failures = int(row["Failure Count"])
            result.rps = float(row["Requests/s"])
            result.p50_ms = _number(row["50%"])
            result.p95_ms = _number(row["95%"])
            result.p99_ms = _number(row["99%"])
            result.avg_ms = _number(row["Average Response Time"])
    return list(results.values())


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


# --- Memory ----------------------------------------------------------------------------


def random_file(path: Path, size: int) -> None:
    """Random bytes behind a PDF header: accepted as .pdf, and incompressible."""
    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    with path.open("wb") as out:
        out.write(head)
        left = size - len(head)
        while left > 0:
            chunk = min(left, MB)
            out.write(os.urandom(chunk))
            left -= chunk


def memory_probe(label: str, master: int, action: Callable[[], str]) -> MemoryProbe:
    """Peak RSS growth over the workers while `action` runs (the largest one reported)."""
    probe = MemoryProbe(label)
    try:
        baseline: dict[int, int] = {}
        pids = worker_pids(master)
        if not pids:
            raise BenchError("no gunicorn worker processes found")
        for pid in pids:
            # "5" resets the peak (VmHWM) to the current RSS (proc(5), clear_refs).
            Path(f"/proc/{pid}/clear_refs").write_text("5")
            baseline[pid] = status_kb(pid, "VmRSS")
        started = time.monotonic()
        probe.detail = action()
        probe.seconds = time.monotonic() - started
        growth = {pid: status_kb(pid, "VmHWM") - baseline[pid] for pid in pids}
        worst = max(growth, key=lambda pid: growth[pid])
        probe.growth_mb = growth[worst] / 1024
        probe.baseline_mb = baseline[worst] / 1024
        probe.worker_pid = worst
        probe.ok = True
    except (OSError, BenchError, requests.RequestException) as error:
        probe.detail = f"failed: {error}"
    return probe


def upload_action(url: str, fixture: dict[str, Any], path: Path) -> Callable[[], str]:
    def action() -> str:
        probe = fixture["probe"]
        choice = probe["choice"]
        with path.open("rb") as handle:
            response = requests.post(
                f"{url}/api/v1/tickets",
                headers={"Authorization": f"Bearer {probe['reporter']['token']}"},
                data={
                    "notification_email": probe["reporter"]["email"],
                    "title": "Uji beban: unggah berkas besar",
                    "lpse": choice["lpses"][0],
                    "application": choice["application"],
                    "version": choice["versions"][0],
                    "ticket_type": choice["ticket_types"][0],
                    "category": choice["categories"][0],
                    "description": "Satu lampiran besar untuk mengukur memori unggahan.",
                },
                files={"files": (path.name, handle, "application/pdf")},
                timeout=(10, min(300.0, max(1.0, remaining()))),
                allow_redirects=False,
            )
        if response.status_code != 201:
            raise BenchError(f"upload answered HTTP {response.status_code}: {response.text[:300]}")
        return f"HTTP 201, ticket {response.json()['number']}"

    return action


def zip_action(url: str, fixture: dict[str, Any], expected: int) -> Callable[[], str]:
    def action() -> str:
        probe = fixture["probe"]
        number = probe["zip_ticket"]
        cookie = f"{fixture['cookie_name']}={probe['reporter']['session']}"
        total = 0
        last = b""
        with requests.get(
            f"{url}/tiket/{number}/lampiran/",
            headers={"Cookie": cookie},
            stream=True,
            timeout=(10, 120),
            allow_redirects=False,
        ) as response:
            if response.status_code != 200:
                raise BenchError(f"zip answered HTTP {response.status_code}")
            for chunk in response.iter_content(MB):
                if remaining() <= 0:
                    raise BenchTimeout
                total += len(chunk)
                last = (last + chunk)[-65536:]
        if total < expected or b"PK\x05\x06" not in last:
            raise BenchError(f"zip of {total} bytes is not a whole archive of {expected} bytes")
        return f"HTTP 200, {total / MB:.0f} MB streamed, ticket {number}"

    return action


def export_action(
    url: str, fixture: dict[str, Any], extension: str, save: Path
) -> Callable[[], str]:
    """Download the whole national list as the national supervisor (console exports) into
    `save`: rows, time to the first byte, total time, throughput."""

    def action() -> str:
        national = next(s for s in fixture["staff"] if s["kind"] == "supervisor (national)")
        cookie = f"{fixture['cookie_name']}={national['session']}"
        total = 0
        first_byte = 0.0
        started = time.monotonic()
        with (
            requests.get(
                f"{url}/konsol/ekspor.{extension}",
                params={"antrian": "semua"},
                headers={"Cookie": cookie},
                stream=True,
                timeout=(10, min(600.0, max(1.0, remaining()))),
                allow_redirects=False,
            ) as response,
            save.open("wb") as out,
        ):
            if response.status_code != 200:
                raise BenchError(f"export answered HTTP {response.status_code}")
            for chunk in response.iter_content(64 * 1024):
                if not total:
                    first_byte = time.monotonic() - started
                if remaining() <= 0:
                    raise BenchTimeout
                total += len(chunk)
                out.write(chunk)
        seconds = time.monotonic() - started
        rows = _csv_rows(save) if extension == "csv" else _xlsx_rows(save)
        save.unlink()
        return (
            f"HTTP 200, {rows:,} rows, {total / MB:.1f} MB, first byte {first_byte:.2f} s, "
            f"total {seconds:.1f} s, {total / MB / max(seconds, 1e-6):.1f} MB/s"
        )

    return action


def cold_reports(url: str, fixture: dict[str, Any]) -> list[tuple[str, float]]:
    """Each report built once with nothing kept (reports/snapshots.py keeps a built page
    for REPORT_CACHE_SECONDS): the national supervisor, 90 days, one request at a time.
    A first pass per day loads the code and templates; the second, per month (another
    key), is timed: (slug, seconds)."""
    national = next(s for s in fixture["staff"] if s["kind"] == "supervisor (national)")
    cookie = f"{fixture['cookie_name']}={national['session']}"
    timed = []
    for grouping in ("hari", "bulan"):
        for slug in REPORT_SLUGS:
            started = time.monotonic()
            response = requests.get(
                f"{url}/konsol/laporan/{slug}/",
                params={"periode": "90_hari", "per": grouping},
                headers={"Cookie": cookie},
                timeout=(10, 300),
                allow_redirects=False,
            )
            seconds = time.monotonic() - started
            if response.status_code != 200:
                raise BenchError(f"report {slug} answered HTTP {response.status_code}")
            if grouping == "bulan":
                timed.append((slug, seconds))
    return timed


def _csv_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return sum(1 for _row in csv.reader(handle)) - 1


def _xlsx_rows(path: Path) -> int:
    """The data rows of the sheet, from its autofilter's range (read as a stream)."""
    with zipfile.ZipFile(path) as archive, archive.open("xl/worksheets/sheet1.xml") as sheet:
        tail = b""
        while chunk := sheet.read(MB):
            tail = (tail + chunk)[-4096:]
    found = re.search(rb'<autoFilter ref="A1:[A-Z]+(\d+)"', tail)
    if found is None:
        raise BenchError("the exported sheet has no autofilter range")
    return int(found.group(1)) - 1


# --- Output ----------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def table(results: list[Result]) -> str:
    lines = [
        f"{'scenario':<38} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'requests':>9} {'failures':>9}",
        "-" * 91,
    ]
    for r in results:
        lines.append(
            f"{r.label:<38} {r.rps:>8.1f} {_ms(r.p50_ms):>7} {_ms(r.p95_ms):>7} "
            f"{_ms(r.p99_ms):>7} {r.requests:>9} {r.failures:>9}"
        )
    return "\n".join(lines)


def _rounded(row: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 1) if isinstance(v, float) else v for k, v in row.items()}


def say(message: str = "") -> None:
    print(message, flush=True)


@contextlib.contextmanager
def phase(name: str, timings: dict[str, float]) -> Iterator[None]:
    say(f"==> {name}")
    started = time.monotonic()
    try:
        yield
    finally:
        timings.setdefault(name, time.monotonic() - started)


# --- Main ------------------------------------------------------------------------------


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--smoke", action="store_true", help="small, quick, strict (for CI)")
    parser.add_argument("--tickets", type=int)
    parser.add_argument("--articles", type=int, help="published help articles")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--seconds", type=int, help="per scenario")
    parser.add_argument("--users", type=int)
    parser.add_argument(
        "--json",
        type=Path,
        default=Path(os.environ["BENCH_JSON"]) if os.environ.get("BENCH_JSON") else None,
        help="write the results here as JSON (default: $BENCH_JSON, if set)",
    )
    parser.add_argument("--only", default="", help="comma-separated scenario keys")
    parser.add_argument("--no-cache", action="store_true", help="generate into a scratch cache")
    parser.add_argument(
        "--smoke-cache",
        type=Path,
        help="with --smoke: keep the data set's dump in this folder (made if missing, left "
        "for the caller to remove) instead of a scratch one; `make test` gives the bench "
        "smoke and the topology's short form one, so the data set is generated once",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (logs)")
    parser.add_argument(
        "--no-memory",
        action="store_true",
        help="skip the memory probes (about 7 minutes at 1,000,000: the exports) when only "
        "latencies are compared; never with --smoke",
    )
    args = parser.parse_args(argv)
    smoke = args.smoke
    if smoke and args.no_memory:
        parser.error("--smoke always runs the memory probes")
    if args.smoke_cache is not None and not smoke:
        parser.error("--smoke-cache is for --smoke only")
    args.tickets = args.tickets or (1000 if smoke else env_int("BENCH_TICKETS", 100_000))
    args.articles = args.articles or (
        SMOKE_ARTICLES if smoke else env_int("BENCH_ARTICLES", DEFAULT_ARTICLES)
    )
    args.seed = args.seed if args.seed is not None else env_int("BENCH_SEED", 1)
    args.seconds = args.seconds or (3 if smoke else env_int("BENCH_SECONDS", 30))
    args.users = args.users or env_int("BENCH_USERS", 8)
    args.memory_mb = 5 if smoke else 50
    args.reporters = 50 if smoke else 200
    cores = os.cpu_count() or 2
    # gthread: two processes per core (CPU-bound Python holds the GIL, so threads of one
    # process share a core), each with 2 threads to cover the time requests wait for
    # PostgreSQL or the disk; 2 cores give 8 requests in progress = the default users.
    # Measured at 100,000 tickets (12 s per scenario): 4x2 served the search and ticket
    # creation 40-50 % faster than 2x4, the queue and detail alike; 6x1 no better.
    args.workers = env_int("BENCH_WORKERS", max(2, 2 * cores))
    args.threads = env_int("BENCH_THREADS", 2)
    keys = [k.strip() for k in args.only.split(",") if k.strip()]
    known = {s.key for s in SCENARIOS}
    if unknown := [k for k in keys if k not in known]:
        parser.error(f"unknown scenario(s) {unknown}; known: {', '.join(sorted(known))}")
    args.scenarios = [s for s in SCENARIOS if not keys or s.key in keys]
    default_limit = (
        480 if smoke else 900 + args.tickets // 100 + len(args.scenarios) * (args.seconds + 45)
    )
    args.time_limit = env_int("BENCH_TIME_LIMIT", default_limit)
    if args.tickets < 100 or args.articles < 1 or args.seconds < 1 or args.users < 1:
        parser.error("need at least 100 tickets, 1 article, 1 second and 1 user")
    return args


def _alarm(_signum: int, _frame: FrameType | None) -> None:
    raise BenchTimeout


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    global DEADLINE
    args = arguments(argv)
    DEADLINE = time.monotonic() + args.time_limit
    signal.signal(signal.SIGALRM, _alarm)
    signal.signal(signal.SIGTERM, _terminate)
    signal.alarm(args.time_limit)
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="lpse-bench."))
    (work / "logs").mkdir()
    base = clean_environment()
    running: list[Postgres] = []
    timings: dict[str, float] = {}
    status = 1
    try:
        status = bench(args, work, base, timings, running)
    except BenchTimeout:
        say(f"bench: FAILED: the run's time limit ({args.time_limit} s, BENCH_TIME_LIMIT) ran out")
    except BenchError as error:
        say(f"bench: FAILED: {error}")
    finally:
        signal.alarm(0)
        CHILDREN.stop_all()
        for pg in running:
            pg_stop(pg, base)
        if args.keep:
            say(f"bench: scratch folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
        say(f"bench: total {time.monotonic() - started:.0f} s")
    return status


def bench(
    args: argparse.Namespace,
    work: Path,
    base: dict[str, str],
    timings: dict[str, float],
    running: list[Postgres],
) -> int:
    """The run; the caller stops what is in `running` (and every child) afterwards."""
    logs = work / "logs"
    cache = cache_directory(
        args.smoke_cache or (work / "cache" if args.smoke or args.no_cache else None)
    )
    mode = "smoke" if args.smoke else "full"
    say(
        f"LPSE Support load benchmark ({mode}): {args.tickets:,} tickets, "
        f"{args.articles:,} articles, seed {args.seed}, "
        f"{args.users} users, {args.seconds} s per scenario, limit {args.time_limit} s"
    )

    with phase("postgres", timings):
        pg = pg_start(base)
        running.append(pg)
        durability = pg.sql(
            "SELECT string_agg(name || '=' || current_setting(name), ' ' ORDER BY name)"
            " FROM pg_settings"
            " WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes',"
            " 'shared_buffers', 'effective_cache_size')"
        )
        version = pg.sql("SHOW server_version")
    env = app_environment(base, work, pg.url)

    with phase("dataset", timings):
        how, dump = dataset_load(
            pg=pg,
            env=env,
            cache=cache,
            tickets=args.tickets,
            articles=args.articles,
            seed=args.seed,
            logs=logs,
            timings=timings,
        )
        say(f"    {how}: {dump} ({dump.stat().st_size / MB:.1f} MB)")
        if not (args.smoke or args.no_cache):
            dumps = sorted(cache.glob("dataset-*.dump"))
            total = sum(d.stat().st_size for d in dumps) / MB
            say(f"    cache: {len(dumps)} data set(s), {total:.0f} MB in {cache} (safe to delete)")

    files = work / "files"
    files.mkdir()
    size = args.memory_mb * MB
    with phase("memory files", timings):
        upload_file = files / f"unggah-{args.memory_mb}mb.pdf"
        random_file(upload_file, size)
        zip_files = [files / f"lampiran-{n:02d}.pdf" for n in range(1, 11)]
        for path in zip_files:
            random_file(path, size)

    fixture_path = work / "fixture.json"
    with phase("setup", timings):
        manage: list[object] = [PYTHON, ROOT / "manage.py"]
        started = time.monotonic()
        run(
            "collectstatic",
            [*manage, "collectstatic", "--noinput", "-v", "0"],
            env=env,
            log=logs / "setup.log",
            timeout=300,
        )
        timings["setup: collectstatic"] = time.monotonic() - started
        started = time.monotonic()
        run(
            "bench_setup",
            [
                *(PYTHON, ROOT / "scripts" / "bench_setup.py", "--out", fixture_path),
                *("--reporters", args.reporters, "--zip-files", *zip_files),
            ],
            env=env,
            log=logs / "setup.log",
            timeout=600,
        )
        timings["setup: sessions, tokens, zip ticket"] = time.monotonic() - started
        fixture: dict[str, Any] = json.loads(fixture_path.read_text(encoding="utf-8"))
        for path in zip_files:  # now copied into the app's storage
            path.unlink()

    port = free_port()
    url = f"http://{HOST}:{port}"
    app_log = logs / "gunicorn.log"
    with phase("gunicorn", timings):
        app = gunicorn_start(env, port, args.workers, args.threads, app_log)

    load_env = {**base, "BENCH_FIXTURE": str(fixture_path)}
    results: list[Result] = []
    cold: list[tuple[str, float]] = []
    if any(scenario.key == "reports" for scenario in args.scenarios):
        with phase("reports built cold", timings):
            cold = cold_reports(url, fixture)
    with phase("warm-up", timings):
        warmup = Scenario("warmup", "warm-up", "Warmup")
        warm = locust_run(
            warmup,
            env=load_env,
            url=url,
            users=args.users,
            seconds=min(10, max(2, args.seconds)),
            work=work,
        )
        if warm.failures:
            say(f"    warm-up had {warm.failures} failures: {'; '.join(warm.errors)}")

    # Before the load: its freed heap would hide a little of what the probes allocate.
    probes: list[MemoryProbe] = []
    if args.no_memory:
        say("==> memory probes: skipped (--no-memory)")
    else:
        with phase("memory probes", timings):
            probes.append(
                memory_probe(
                    f"upload of one {args.memory_mb} MB file (POST /api/v1/tickets)",
                    app.pid,
                    upload_action(url, fixture, upload_file),
                )
            )
            probes.append(
                memory_probe(
                    f"zip of ten {args.memory_mb} MB attachments (GET /tiket/<nomor>/lampiran/)",
                    app.pid,
                    zip_action(url, fixture, 10 * size),
                )
            )
            # Console exports of the whole national list (issue 17): bounded memory, streaming.
            for extension in ("csv", "xlsx"):
                probes.append(
                    memory_probe(
                        f"export of the national list as {extension.upper()} "
                        f"(GET /konsol/ekspor.{extension})",
                        app.pid,
                        export_action(url, fixture, extension, files / f"ekspor.{extension}"),
                    )
                )
    with phase("load", timings):
        for scenario in args.scenarios:
            if app.poll() is not None:
                raise BenchError(f"gunicorn died (status {app.returncode})\n{tail(app_log)}")
            mark = burst_mark(pg) if scenario.verify else 0
            main = locust_run(
                scenario,
                env=load_env,
                url=url,
                users=scenario.users or args.users,
                seconds=args.seconds,
                work=work,
                stop_timeout=SMOKE_STOP_TIMEOUT if args.smoke else 0,
            )
            if scenario.verify:
                main.check_problems = burst_check(pg, mark)
            for result in [main, *breakdown_results(scenario, work)]:
                results.append(result)
                say(
                    f"    {result.label:<38} {result.rps:8.1f} req/s  "
                    f"p95 {_ms(result.p95_ms)} ms"
                    f"  ({result.requests} requests, {result.failures} failures)"
                )

    if app.poll() is not None:
        raise BenchError(f"gunicorn died (status {app.returncode})\n{tail(app_log)}")

    summary = fixture["summary"]
    kinds = ", ".join(f"{kind} {n}" for kind, n in summary["staff_kinds"].items())
    say()
    say("=" * 91)
    say(f"LPSE Support load benchmark ({mode}), {time.strftime('%Y-%m-%d %H:%M')}")
    say(
        f"  data       {summary['tickets']:,} tickets, {args.articles:,} published articles "
        f"(seed {args.seed}), {how}"
    )
    say(f"  database   PostgreSQL {version} on {HOST}, {durability}")
    say(
        f"  app        gunicorn gthread, {args.workers} workers x {args.threads} threads, "
        "DEBUG=0, not TESTING, static files by WhiteNoise"
    )
    say(
        f"  load       locust headless, {args.users} users, closed loop (no wait), "
        f"{args.seconds} s per scenario after a warm-up, from another process"
    )
    say(
        f"  people     {summary['reporters']} reporters (tickets each: min "
        f"{summary['reporter_tickets_min']}, median {summary['reporter_tickets_median']:g}, "
        f"max {summary['reporter_tickets_max']}), {summary['staff']} staff ({kinds})"
    )
    say(
        f"  note       API_RATE_LIMIT={API_RATE_LIMIT} for the bench: the per-user throttle "
        "(production default 120/m) is out of the way"
    )
    say()
    say(table(results))
    for result in results:
        for error in result.errors:
            say(f"  {result.key}: {error}")
    say()
    for probe in probes:
        if probe.ok and probe.growth_mb is not None and probe.baseline_mb is not None:
            say(
                f"memory: {probe.label}: peak +{probe.growth_mb:.1f} MB over baseline RSS "
                f"{probe.baseline_mb:.0f} MB (worker {probe.worker_pid}; {probe.detail}; "
                f"{probe.seconds:.1f} s)"
            )
        else:
            say(f"memory: {probe.label}: {probe.detail}")
    if cold:
        say(
            "reports built cold (national, 90 days, one request each, nothing kept): "
            + ", ".join(f"{slug} {seconds * 1000:.0f} ms" for slug, seconds in cold)
        )
    say("phases: " + ", ".join(f"{name} {secs:.1f} s" for name, secs in timings.items()))
    say("=" * 91)

    problems = [f"{r.key}: {r.failures} failures" for r in results if r.failures] + [
        f"{r.key}: no successful request"
        for r in results
        if r.requests - r.failures <= 0 and not r.breakdown
    ]
    problems += [f"{r.key}: {problem}" for r in results for problem in r.check_problems]
    problems += [f"memory probe failed: {p.label}" for p in probes if not p.ok]

    if args.json:
        document = {
            "mode": mode,
            "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "tickets": summary["tickets"],
            "articles": args.articles,
            "seed": args.seed,
            "dataset": {"how": how, "dump": str(dump)},
            "postgres": {"version": version, "settings": durability},
            "gunicorn": {"class": "gthread", "workers": args.workers, "threads": args.threads},
            "load": {"users": args.users, "seconds": args.seconds, "rate_limit": API_RATE_LIMIT},
            "people": summary,
            "scenarios": [_rounded(asdict(r)) for r in results],
            "memory": [_rounded(asdict(p)) for p in probes],
            "reports_cold_ms": {slug: round(seconds * 1000) for slug, seconds in cold},
            "phases_seconds": {name: round(secs, 1) for name, secs in timings.items()},
            "problems": problems,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        say(f"bench: results written to {args.json}")
    for problem in problems:
        say(f"bench: FAILED: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
