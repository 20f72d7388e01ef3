"""Django-side set-up of the load benchmark (scripts/bench.py runs it; not used on its own).

    python scripts/bench_setup.py --out FIXTURE.json [--reporters 200] [--seed 7]
                                  [--zip-files F1 F2 ...]

Runs against the benchmark's database with the benchmark's settings (the environment
scripts/bench.py builds) and writes one JSON file for the locustfile and the memory
probe:

- sessions: reporters and staff are signed in the way django.contrib.auth does it (a
  session row with the user's id, backend and password hash), so no SSO hand-off and
  no password hashing is needed; each user also gets a personal API token;
- the people: generated reporters, half drawn uniformly and half in proportion to the
  tickets they filed (so the busy ones with hundreds of tickets are in), each with a
  sample of their own ticket numbers; staff of every kind (tier-1 agents of busy and
  quiet LPSEs, tier-2 and tier-3 members of every application group, supervisors:
  national and per LPSE), each with a sample of tickets they can see;
- title words with their frequencies (what reporters search their lists for), and
  application/version/category combinations a ticket can be filed with without a
  procurement code (no lookup at the simulator);
- for the memory probe, one ticket with the given files attached (ten 50 MB files).

Nothing here is timed.
"""

import argparse
import json
import os
import random
import re
import statistics
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lpse_support.settings")

import django

django.setup()

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count

from accounts.models import StaffAssignment, User
from accounts.services import staff_member_upsert
from accounts.tokens import api_token_create
from reference.models import Application, Category, Lpse, TicketType
from tickets import services
from tickets.access import tickets_visible_to
from tickets.attachments import attachment_check
from tickets.models import Ticket

SAMPLE_TICKETS = 20
WORD = re.compile(r"[a-z]{3,}")
BACKEND = "django.contrib.auth.backends.ModelBackend"


def session_for(user: User) -> str:
    """A signed-in session, as django.contrib.auth.login() would store it."""
    session = SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = BACKEND
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    assert session.session_key is not None
    return session.session_key


def person(user: User, kind: str, tickets: list[str], ticket_count: int) -> dict[str, Any]:
    _token, raw = api_token_create(user=user, name="bench")
    return {
        "username": user.username,
        "kind": kind,
        "email": user.email or "bench@example.go.id",
        "session": session_for(user),
        "token": raw,
        "ticket_count": ticket_count,
        "tickets": tickets,
    }


def reporters_pick(rng: random.Random, wanted: int) -> list[tuple[int, int]]:
    """(user id, ticket count): half uniformly, half weighted by tickets filed."""
    counts = list(
        Ticket.objects.values_list("reporter_id").annotate(n=Count("id")).order_by("reporter_id")
    )
    if not counts:
        sys.exit("bench_setup: the database has no tickets")
    chosen: dict[int, int] = {}
    uniform = rng.sample(counts, min(len(counts), wanted // 2))
    chosen.update(uniform)
    weights = [n for _, n in counts]
    tries = 0
    while len(chosen) < min(wanted, len(counts)) and tries < wanted * 50:
        user_id, n = rng.choices(counts, weights=weights)[0]
        chosen[user_id] = n
        tries += 1
    return sorted(chosen.items())


def sample_numbers(rng: random.Random, tickets: Any, limit: int = SAMPLE_TICKETS) -> list[str]:
    numbers = list(tickets.order_by("?").values_list("number", flat=True)[:limit])
    rng.shuffle(numbers)
    return numbers


def staff_pick(rng: random.Random) -> list[tuple[User, str]]:
    """Agents of busy and quiet LPSEs, tier 2 and 3 of every group, supervisors."""
    busy = list(
        Ticket.objects.values_list("lpse_id").annotate(n=Count("id")).order_by("-n", "lpse_id")
    )
    lpse_ids = [lpse_id for lpse_id, _ in busy]
    picked_lpses = lpse_ids[:4] + rng.sample(lpse_ids[4:], min(4, len(lpse_ids[4:])))
    people: dict[int, tuple[User, str]] = {}
    agents = StaffAssignment.objects.filter(role="agent", lpse_id__in=picked_lpses)
    for assignment in agents.select_related("user"):
        people[assignment.user_id] = (assignment.user, "agent (tier 1)")
    for role, kind in (("lkpp", "tier 2 (LKPP)"), ("technical", "tier 3 (technical)")):
        for assignment in StaffAssignment.objects.filter(role=role).select_related("user"):
            people.setdefault(assignment.user_id, (assignment.user, kind))
    national = staff_member_upsert(
        username="bench-supervisor",
        full_name="Supervisor Uji Beban",
        email="bench-supervisor@lkpp.example",
        assignments=[("supervisor", None, None, "")],
    )
    people[national.pk] = (national, "supervisor (national)")
    for lpse in Lpse.objects.filter(pk__in=lpse_ids[:2]).order_by("kd_lpse"):
        supervisor = staff_member_upsert(
            username=f"bench-supervisor-{lpse.kd_lpse}",
            full_name=f"Supervisor Uji Beban {lpse.kd_lpse}",
            email=f"bench-supervisor-{lpse.kd_lpse}@lpse.example",
            assignments=[("supervisor", lpse.kd_lpse, None, "")],
        )
        people[supervisor.pk] = (supervisor, "supervisor (LPSE)")
    return list(people.values())


def title_terms(rng: random.Random, limit: int = 300) -> list[tuple[str, int]]:
    """Words of ticket titles with their frequencies, from a sample of titles."""
    top = Ticket.objects.order_by("-id").values_list("id", flat=True).first() or 0
    ids = rng.sample(range(1, top + 1), min(top, 20_000))
    counter: Counter[str] = Counter()
    for title in Ticket.objects.filter(id__in=ids).values_list("title", flat=True):
        counter.update(set(WORD.findall(title.lower())))
    return counter.most_common(limit)


def create_choices() -> list[dict[str, Any]]:
    """What a ticket can be filed with, without a code (so no lookup at a source)."""
    choices = []
    lpses = list(Lpse.objects.filter(is_active=True).values_list("id", flat=True))
    types = list(TicketType.objects.values_list("id", flat=True))
    for application in Application.objects.filter(is_active=True).order_by("id"):
        versions = list(application.versions.filter(is_active=True).values_list("id", flat=True))
        categories = list(
            Category.objects.filter(
                application=application, is_leaf=True, is_active=True, code_required=False
            ).values_list("id", flat=True)
        )
        if versions and categories:
            choices.append(
                {
                    "application": application.pk,
                    "code": application.code,
                    "versions": versions,
                    "categories": categories,
                    "lpses": lpses,
                    "ticket_types": types,
                }
            )
    if not choices:
        sys.exit("bench_setup: no application/category to file a ticket without a code")
    return choices


def zip_ticket(reporter: User, choice: dict[str, Any], paths: list[Path]) -> str:
    """A ticket of `reporter` with these files attached, filed through the services."""
    handles = [path.open("rb") for path in paths]
    try:
        checked = [
            attachment_check(UploadedFile(handle, name=path.name, size=path.stat().st_size))
            for handle, path in zip(handles, paths, strict=True)
        ]
        application = Application.objects.get(pk=choice["application"])
        draft = services.TicketDraft(
            notification_email=reporter.email or "bench@example.go.id",
            title="Uji beban: lampiran besar",
            lpse=Lpse.objects.get(pk=choice["lpses"][0]),
            application=application,
            version=application.versions.get(pk=choice["versions"][0]),
            ticket_type=TicketType.objects.get(pk=choice["ticket_types"][0]),
            category=Category.objects.get(pk=choice["categories"][0]),
            code="",
            error_code="",
            description="Sepuluh lampiran besar untuk mengukur memori unduhan zip.",
        )
        ticket = services.ticket_create(reporter=reporter, draft=draft, files=checked)
    finally:
        for handle in handles:
            handle.close()
    return ticket.number


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--reporters", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--zip-files", type=Path, nargs="*", default=[])
    args = parser.parse_args()
    rng = random.Random(args.seed)

    picked = reporters_pick(rng, args.reporters)
    users = User.objects.in_bulk([user_id for user_id, _ in picked])
    reporters = [
        person(
            users[user_id],
            "reporter",
            sample_numbers(rng, tickets_visible_to(users[user_id])),
            count,
        )
        for user_id, count in picked
    ]
    staff = []
    for user, kind in staff_pick(rng):
        visible = tickets_visible_to(user)
        staff.append(person(user, kind, sample_numbers(rng, visible), visible.count()))
    choices = create_choices()

    generated = Ticket.objects.count()
    probe: dict[str, Any] = {}
    if args.zip_files:
        # The busiest picked reporter files the ticket: its token uploads the probe file.
        user_id, _count = max(picked, key=lambda item: item[1])
        owner = next(r for r in reporters if r["username"] == users[user_id].username)
        probe = {
            "reporter": owner,
            "zip_ticket": zip_ticket(users[user_id], choices[0], args.zip_files),
            "choice": choices[0],
        }

    counts = [r["ticket_count"] for r in reporters]
    kinds = Counter(s["kind"] for s in staff)
    fixture = {
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "reporters": reporters,
        "staff": staff,
        "title_terms": title_terms(rng),
        "create_choices": choices,
        "probe": probe,
        "summary": {
            "tickets": generated,
            "reporters": len(reporters),
            "reporter_tickets_min": min(counts),
            "reporter_tickets_median": statistics.median(counts),
            "reporter_tickets_max": max(counts),
            "staff": len(staff),
            "staff_kinds": dict(sorted(kinds.items())),
        },
    }
    args.out.write_text(json.dumps(fixture, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
