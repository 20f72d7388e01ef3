"""Locust users of the load benchmark: one class per scenario (scripts/bench.py runs
`locust --headless ... <Class>` once per scenario; not meant to be run by hand).

Environment: BENCH_FIXTURE, the JSON file scripts/bench_setup.py wrote (sessions,
tokens, ticket numbers, search terms). Every request signs in as a person drawn at
random from the fixture's reporters or staff, so no single user's rows stay cached.
The users wait for nothing between requests (a closed loop): with N users there are
always N requests in flight, and requests/s is what the app sustains.

Each request must answer exactly the expected status (redirects are not followed: a
302 to the sign-in page counts as a failure, not as a fast page).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser
from urllib3 import encode_multipart_formdata

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_phrases import PHRASES, typed_so_far

from lib.synthetic import WordModel

FIXTURE: dict[str, Any] = json.loads(
    Path(os.environ.get("BENCH_FIXTURE", "bench-fixture.json")).read_text(encoding="utf-8")
)
COOKIE: str = FIXTURE["cookie_name"]
REPORTERS: list[dict[str, Any]] = FIXTURE["reporters"]
STAFF: list[dict[str, Any]] = FIXTURE["staff"]
# People with at least one ticket to open.
REPORTERS_WITH_TICKETS = [r for r in REPORTERS if r["tickets"]]
STAFF_WITH_TICKETS = [s for s in STAFF if s["tickets"]]
TITLE_WORDS = [word for word, _ in FIXTURE["title_terms"]]
TITLE_WEIGHTS = [count for _, count in FIXTURE["title_terms"]]
CHOICES: list[dict[str, Any]] = FIXTURE["create_choices"]
# The generator's own vocabulary and Zipf weights: "tender" often, rare tokens sometimes.
WORDS = WordModel()
ONE_MB = 1024 * 1024
# Ticket pages each simulated user keeps open in the poll scenarios.
OPEN_PAGES = 16
# Buat Tiket's suggestions: the applications chosen, as often as they have problems in
# scripts/bench_phrases.py (SPSE most).
SUGGEST_WEIGHTS = [len(PHRASES.get(choice["code"], ())) or 1 for choice in CHOICES]


def pdf_bytes(size: int, rng: random.Random) -> bytes:
    """A file the attachment rules accept as .pdf: the header, then random bytes."""
    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    return head + rng.randbytes(size - len(head))


ATTACHMENT = pdf_bytes(ONE_MB, random.Random(1))
QUEUES = ("", "", "", "belum_diambil", "menunggu_pelapor", "semua")


class BenchUser(FastHttpUser):
    abstract = True
    wait_time = constant(0)
    network_timeout = 60.0
    connection_timeout = 10.0

    def on_start(self) -> None:
        self.rng = random.Random()
        # Buat Tiket's form being typed (reporter_suggest): application, reporter, key.
        self.form: tuple[dict[str, Any], Any, str] | None = None
        self.form_calls = 0
        self.stamps: dict[tuple[str, str], str] = {}
        self.open_pages: dict[str, list[tuple[dict[str, Any], str]]] = {}

    # -- helpers ------------------------------------------------------------------------

    def page(self, path: str, name: str, who: dict[str, Any]) -> None:
        """GET a page signed in with `who`'s session cookie; 200 or it is a failure."""
        headers = {"Cookie": f"{COOKIE}={who['session']}"}
        self.expect("GET", path, name, headers, 200)

    def api(self, method: str, path: str, name: str, who: dict[str, Any], **kw: Any) -> None:
        headers = {"Authorization": f"Bearer {who['token']}", **kw.pop("headers", {})}
        self.expect(method, path, name, headers, kw.pop("status", 200), **kw)

    def expect(
        self, method: str, path: str, name: str, headers: dict[str, str], status: int, **kw: Any
    ) -> None:
        with self.client.request(
            method,
            path,
            name=name,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
            **kw,
        ) as response:
            if response.status_code == status:
                response.success()
            else:
                where = response.headers.get("Location", "") if response.headers else ""
                response.failure(f"HTTP {response.status_code} {where}".strip())

    def reporter(self) -> dict[str, Any]:
        return self.rng.choice(REPORTERS)

    def staff(self) -> dict[str, Any]:
        return self.rng.choice(STAFF)

    def create(self, name: str, files: list[tuple[str, bytes]]) -> None:
        who = self.reporter()
        choice = self.rng.choice(CHOICES)
        fields: list[tuple[str, Any]] = [
            ("notification_email", who["email"]),
            ("title", " ".join(WORDS.words(self.rng, self.rng.randint(3, 8))).capitalize()),
            ("lpse", str(self.rng.choice(choice["lpses"]))),
            ("application", str(choice["application"])),
            ("version", str(self.rng.choice(choice["versions"]))),
            ("ticket_type", str(self.rng.choice(choice["ticket_types"]))),
            ("category", str(self.rng.choice(choice["categories"]))),
            ("description", " ".join(WORDS.sentence(self.rng) for _ in range(3))),
        ]
        fields += [("files", (filename, content, "application/pdf")) for filename, content in files]
        body, content_type = encode_multipart_formdata(fields)
        self.api(
            "POST",
            "/api/v1/tickets",
            name,
            who,
            data=body,
            headers={"Content-Type": content_type},
            status=201,
        )

    # -- scenarios (each class below runs one) -------------------------------------------

    def reporter_dashboard(self) -> None:
        self.page("/dashboard/", "reporter dashboard", self.reporter())

    def reporter_list(self) -> None:
        self.page("/tiket/", "reporter list", self.reporter())

    def reporter_search(self) -> None:
        term = self.rng.choices(TITLE_WORDS, weights=TITLE_WEIGHTS)[0]
        self.page(f"/tiket/?judul={quote(term)}", "reporter search", self.reporter())

    def staff_queue(self) -> None:
        queue = self.rng.choice(QUEUES)
        self.page(f"/konsol/?antrian={queue}" if queue else "/konsol/", "staff queue", self.staff())

    def staff_search(self) -> None:
        term = WORDS.words(self.rng, 1)[0]
        self.page(f"/konsol/?antrian=semua&cari={quote(term)}", "staff search", self.staff())

    def reporter_detail(self) -> None:
        who = self.rng.choice(REPORTERS_WITH_TICKETS)
        self.page(f"/tiket/{self.rng.choice(who['tickets'])}/", "reporter detail", who)

    def staff_detail(self) -> None:
        who = self.rng.choice(STAFF_WITH_TICKETS)
        self.page(f"/konsol/tiket/{self.rng.choice(who['tickets'])}/", "staff detail", who)

    def api_list(self) -> None:
        who = self.reporter() if self.rng.random() < 0.5 else self.staff()
        self.api("GET", "/api/v1/tickets", "api list", who)

    def poll(self, prefix: str, name: str, people: list[dict[str, Any]]) -> None:
        """An open ticket page asking whether anything changed (static/js/live.js, every
        5 s): with the stamp it was rendered with, 204 when nothing did. Each simulated
        user keeps a few pages open (people and tickets drawn once); a page is fetched
        (reported apart, as "... (page)") to learn its stamp, and again when it moved."""
        pages = self.open_pages.get(prefix)
        if pages is None:
            pages = self.open_pages[prefix] = [
                (who, self.rng.choice(who["tickets"]))
                for who in (self.rng.choice(people) for _ in range(OPEN_PAGES))
            ]
        who, number = self.rng.choice(pages)
        path = f"{prefix}{number}/"
        headers = {"Cookie": f"{COOKIE}={who['session']}"}
        key = (who["session"], number)
        stamp = self.stamps.get(key)
        if stamp is None:
            response = self.client.request("GET", path, name=f"{name} (page)", headers=headers)
            found = re.search(rb'data-live-poll data-stamp="([^"]+)"', response.content or b"")
            stamp = self.stamps[key] = found.group(1).decode() if found else "0"
        headers["X-Live-Poll"] = "1"
        with self.client.request(
            "GET",
            f"{path}?live={quote(stamp)}",
            name=name,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 204:
                response.success()
            elif response.status_code == 200:
                # The ticket changed, or the SLA's time slot did: the whole page came back.
                self.stamps.pop(key, None)
                response.success()
            else:
                response.failure(f"HTTP {response.status_code}")

    def poll_reporter(self) -> None:
        self.poll("/tiket/", "reporter poll", REPORTERS_WITH_TICKETS)

    def poll_staff(self) -> None:
        self.poll("/konsol/tiket/", "staff poll", STAFF_WITH_TICKETS)

    def reporter_suggest(self) -> None:
        """One of Buat Tiket's debounced calls (GET /tiket/buat/saran/, htmx): the title
        and description typed so far (3-20 words) and the application chosen, on one
        form (its reporter and submission key) for FORM_CALLS calls, as a reporter's
        pauses while typing one ticket; then another reporter's new form. The first
        call of a form records it (one insert), the others read."""
        if self.form is None or self.form_calls >= FORM_CALLS:
            choice = self.rng.choices(CHOICES, weights=SUGGEST_WEIGHTS)[0]
            self.form = (choice, self.reporter(), self.rng.randbytes(16).hex())
            self.form_calls = 0
        choice, reporter, key = self.form
        self.form_calls += 1
        title, description = typed_so_far(self.rng, choice["code"])
        query = urlencode(
            {
                "application": choice["application"],
                "title": title,
                "description": description,
                "submission_key": key,
            }
        )
        self.page(f"/tiket/buat/saran/?{query}", "suggest", reporter)

    def reports(self) -> None:
        # In turn across all users of the process, not at random: even a few seconds of
        # smoke load reaches every report (the run fails on a report never answered).
        slug = REPORT_SLUGS[next(REPORT_TURNS) % len(REPORT_SLUGS)]
        self.page(f"/konsol/laporan/{slug}/?periode=90_hari", f"report {slug}", NATIONAL[0])

    def create_plain(self) -> None:
        self.create("create", [])

    def create_attachment(self) -> None:
        self.create("create + 1 MB", [("lampiran.pdf", ATTACHMENT)])


class ReporterDashboard(BenchUser):
    @task
    def one(self) -> None:
        self.reporter_dashboard()


class ReporterList(BenchUser):
    @task
    def one(self) -> None:
        self.reporter_list()


class ReporterSearch(BenchUser):
    @task
    def one(self) -> None:
        self.reporter_search()


class StaffQueue(BenchUser):
    @task
    def one(self) -> None:
        self.staff_queue()


class StaffSearch(BenchUser):
    @task
    def one(self) -> None:
        self.staff_search()


class ReporterDetail(BenchUser):
    @task
    def one(self) -> None:
        self.reporter_detail()


class StaffDetail(BenchUser):
    @task
    def one(self) -> None:
        self.staff_detail()


class ApiList(BenchUser):
    @task
    def one(self) -> None:
        self.api_list()


class ReporterPoll(BenchUser):
    @task
    def one(self) -> None:
        self.poll_reporter()


class StaffPoll(BenchUser):
    @task
    def one(self) -> None:
        self.poll_staff()


class CreatePlain(BenchUser):
    @task
    def one(self) -> None:
        self.create_plain()


class CreateAttachment(BenchUser):
    @task
    def one(self) -> None:
        self.create_attachment()


class ReporterSuggest(BenchUser):
    @task
    def one(self) -> None:
        self.reporter_suggest()


# The national supervisor reads every report over 90 days (issue 17: p95 ≤ 500 ms).
REPORT_TURNS = itertools.count()
# Suggestion calls per Buat Tiket form: a reporter pauses a few times while typing.
FORM_CALLS = 6
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
NATIONAL = [s for s in STAFF if s["kind"] == "supervisor (national)"]


class SupervisorReports(BenchUser):
    """Each report in turn (one request name per report: the bench's breakdown rows)."""

    @task
    def one(self) -> None:
        self.reports()


class Warmup(BenchUser):
    """Every scenario in turn, to load templates and fill connections before timing."""

    @task
    def one(self) -> None:
        getattr(self, self.rng.choice(SCENARIO_METHODS))()


SCENARIO_METHODS = (
    "reporter_dashboard",
    "reporter_list",
    "reporter_search",
    "staff_queue",
    "staff_search",
    "reporter_detail",
    "staff_detail",
    "api_list",
    "poll_reporter",
    "poll_staff",
    "create_plain",
    "create_attachment",
    "reports",
    "reporter_suggest",
)
