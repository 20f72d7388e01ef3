"""Tender incidents: many tickets about one tender in one LPSE within a few days.

When SPSE fails at a tender's upload stage, its bidders all write in: 20–60 tickets
about the same tender code, the same category, mostly from providers (Pelaku Usaha),
within one to three local days. The reports' *top codes* exist to find these. A few
such incidents are planned per month, drawn before any ticket from the seed and the
filing moments alone, and each takes tickets already filed in its window (so volumes
and their daily shape stay as `ticket_times` drew them).

An incident's tickets keep their own story (the walk, the SLA, the rating); only what
was filed (LPSE, application, category, code) and, for most of them, who filed it, is
the incident's: a provider's ticket elsewhere trades its reporter with the incident's
ticket, so every reporter keeps their number of tickets.
"""

import bisect
import datetime
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from accounts.models import ReporterRole, SignInSource
from reference.models import CodeKind
from tickets.synthetic.world import AppInfo, Context, LeafInfo, ReporterPlan

INCIDENTS_PER_MONTH = (2, 4)
INCIDENT_TICKETS = (20, 60)
INCIDENT_DAYS = (1, 3)
# An incident takes at most this share of the tickets filed in its window (small data
# sets get small incidents, or none: fewer than MIN_TICKETS is not an incident).
MAX_WINDOW_SHARE = 0.25
MIN_TICKETS = 10
PROVIDER_SHARE = 0.85
APPLICATION = "SPSE"
INCIDENT_STAGE = "Upload Dokumen Penawaran"
# Filed while the stage is about to end: Emergency by the blocking-deadline rule.
INCIDENT_EMERGENCY_SHARE = 0.5
# The categories an upload-stage incident is filed under, when the tree has them.
UPLOAD_WORDS = ("upload", "unggah")


@dataclass(frozen=True)
class Incident:
    lpse: tuple[int, int, str, str]
    app: AppInfo
    leaf: LeafInfo
    code: str


def _incident_leaves(app: AppInfo) -> list[LeafInfo]:
    tender = [leaf for leaf in app.leaves if leaf.code_kind == CodeKind.TENDER]
    upload = [leaf for leaf in tender if any(w in leaf.name.lower() for w in UPLOAD_WORDS)]
    return upload or tender


def incidents_plan(
    seed: int,
    times: list[float],
    context: Context,
    reporters: list[ReporterPlan],
    owners: list[int],
) -> dict[int, Incident]:
    """The incident of each ticket index that belongs to one; trades `owners` in place so
    that most of an incident's tickets come from providers."""
    app = context.apps.get(APPLICATION)
    leaves = _incident_leaves(app) if app is not None else []
    if app is None or not leaves or not times or not context.lpses:
        return {}
    rng = random.Random(f"incidents:{seed}")
    taken: dict[int, Incident] = {}
    month = 30 * 86400
    start = times[0]
    while start < times[-1]:
        for _ in range(rng.randint(*INCIDENTS_PER_MONTH)):
            lpse = rng.choice(context.lpses)
            zone = ZoneInfo(lpse[3])
            moment = start + rng.random() * month
            day = datetime.datetime.fromtimestamp(moment, zone).date()
            first = datetime.datetime.combine(day, datetime.time(), zone).timestamp()
            last = first + rng.randint(*INCIDENT_DAYS) * 86400
            window = [
                i
                for i in range(bisect.bisect_left(times, first), bisect.bisect_left(times, last))
                if i not in taken
            ]
            size = min(rng.randint(*INCIDENT_TICKETS), int(len(window) * MAX_WINDOW_SHARE))
            if size < MIN_TICKETS:
                continue
            code = f"{rng.randint(1000, 99999)}{lpse[1]:03d}"
            incident = Incident(lpse, app, rng.choice(leaves), code)
            for index in rng.sample(window, size):
                taken[index] = incident
        start += month
    _providers_report(rng, taken, reporters, owners)
    return taken


def _providers_report(
    rng: random.Random,
    taken: dict[int, Incident],
    reporters: list[ReporterPlan],
    owners: list[int],
) -> None:
    """Most incident tickets get a provider as reporter, by trading reporters with a
    provider's ticket outside any incident."""
    providers = [
        index
        for index, owner in enumerate(owners)
        if index not in taken and reporters[owner].role == ReporterRole.PELAKU_USAHA
    ]
    rng.shuffle(providers)
    for index in sorted(taken):
        reporter = reporters[owners[index]]
        if reporter.role == ReporterRole.PELAKU_USAHA or not providers:
            continue
        # (SiRUP's reporters file SiRUP tickets, never an SPSE tender's.)
        if reporter.source != SignInSource.SIRUP and rng.random() >= PROVIDER_SHARE:
            continue
        other = providers.pop()
        owners[index], owners[other] = owners[other], owners[index]
