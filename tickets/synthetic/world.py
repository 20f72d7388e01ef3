"""What the generated tickets are spread over: reference data, staff and reporters."""

import random
from dataclasses import dataclass, field

from accounts.models import ReporterRole, SignInSource
from accounts.services import staff_member_upsert
from lib.synthetic import (
    company_name,
    cumulative,
    person_name,
    reporter_ticket_counts,
    unit_name,
    weighted_index,
    zipf_weights,
)
from reference.models import (
    Application,
    ApplicationGroup,
    Category,
    Lpse,
    Priority,
    RatingCategory,
    TicketType,
)

REPORTER_CAP = 2000
SPSE_ROLES = (
    (ReporterRole.PELAKU_USAHA, 45),
    (ReporterRole.POKJA, 20),
    (ReporterRole.PPK, 20),
    (ReporterRole.PP, 8),
    (ReporterRole.KUPPBJ, 2),
)
SIRUP_ROLES = ((ReporterRole.PA_KPA, 3), (ReporterRole.ADMIN_PPE, 2))


@dataclass
class LeafInfo:
    id: int
    name: str
    priority: str
    code_kind: str
    is_question: bool
    is_error: bool


@dataclass
class AppInfo:
    id: int
    code: str
    name: str
    group_code: str
    versions: list[int]
    leaves: list[LeafInfo]
    leaf_cum: list[float] = field(default_factory=list)


def _leaves(application: Application) -> list[LeafInfo]:
    return [
        LeafInfo(
            id=c.id,
            name=c.name,
            priority=c.base_priority,
            code_kind=c.code_kind,
            is_question=c.is_question,
            is_error=c.name.startswith("Halaman error"),
        )
        for c in Category.objects.filter(
            application=application, is_leaf=True, is_active=True
        ).order_by("parent__order", "order", "id")
    ]


@dataclass
class Context:
    """Ids and names of the reference data and staff, read once."""

    apps: dict[str, AppInfo]
    lpses: list[tuple[int, int, str, str]]  # (id, kd_lpse, name, timezone)
    ticket_types: list[tuple[int, str, bool]]  # (id, code, is_suggestion)
    rating_categories: list[tuple[int, list[int]]]  # (id, stars)
    agents: dict[int, list[int]]  # lpse id -> staff ids
    lkpp: dict[str, list[int]]  # group code -> staff ids
    technical: dict[str, list[int]]
    priority_labels: dict[str, str]

    @classmethod
    def load(cls) -> "Context":
        groups = {
            app_id: code
            for code, app_id in ApplicationGroup.objects.values_list("code", "applications")
            if app_id is not None
        }
        apps: dict[str, AppInfo] = {}
        for application in Application.objects.order_by("order", "id"):
            leaves = _leaves(application)
            if not leaves:
                continue
            apps[application.code] = AppInfo(
                id=application.id,
                code=application.code,
                name=application.name,
                group_code=groups.get(application.id, ""),
                versions=list(application.versions.order_by("order").values_list("id", flat=True)),
                leaves=leaves,
                # Generic leaves last; a few specific problems make up most tickets.
                leaf_cum=cumulative(zipf_weights(len(leaves), 0.8)),
            )
        lpses = list(
            Lpse.objects.filter(is_active=True)
            .order_by("kd_lpse")
            .values_list("id", "kd_lpse", "name", "timezone")
        )
        return cls(
            apps=apps,
            lpses=lpses,
            ticket_types=list(
                TicketType.objects.order_by("order").values_list("id", "code", "is_suggestion")
            ),
            rating_categories=list(RatingCategory.objects.values_list("id", "stars")),
            agents={},
            lkpp={},
            technical={},
            priority_labels={p.value: str(p.label) for p in Priority},
        )

    def staff_pool(self, lpse_id: int, group: str, tier: int) -> list[int]:
        """Who works on a ticket of this LPSE and application group at this tier."""
        agents = self.agents[lpse_id]  # staff_ensure gives every LPSE its agents
        if tier == 1:
            return agents
        lkpp = self.lkpp.get(group) or agents
        return lkpp if tier == 2 else self.technical.get(group) or lkpp


def staff_ensure(context: Context) -> None:
    """Two tier-1 agents per LPSE, one tier-2 and one tier-3 member per group."""
    for lpse_id, kd, _name, _tz in context.lpses:
        context.agents[lpse_id] = [
            staff_member_upsert(
                username=f"synthetic-agent-{kd}-{n}",
                full_name=f"Agen Sintetis {kd}-{n}",
                email=f"synthetic-agent-{kd}-{n}@lpse.example",
                assignments=[("agent", kd, None, "helpdesk")],
            ).pk
            for n in (1, 2)
        ]
    for group in ApplicationGroup.objects.order_by("code"):
        for role, target in (("lkpp", context.lkpp), ("technical", context.technical)):
            target[group.code] = [
                staff_member_upsert(
                    username=f"synthetic-{role}-{group.code}",
                    full_name=f"Petugas Sintetis {role} {group.code}",
                    email=f"synthetic-{role}-{group.code}@lkpp.example",
                    assignments=[(role, None, group.code, "")],
                ).pk
            ]


# --- Plans --------------------------------------------------------------------------


@dataclass
class ReporterPlan:
    user_id: str
    source: str
    kd_lpse: int
    lpse_id: int | None
    role: str
    name: str
    email: str
    instansi: str
    tickets: int


def _reporter_plan(
    rng: random.Random,
    n: int,
    count: int,
    lpses: tuple[list[tuple[int, int, str, str]], list[float]],
    seed: int,
) -> ReporterPlan:
    lpse_order, lpse_cum = lpses
    sirup_total = sum(w for _, w in SIRUP_ROLES)
    sirup_share = sirup_total / (sirup_total + sum(w for _, w in SPSE_ROLES))
    name = person_name(rng)
    if rng.random() < sirup_share:
        source, kd, lpse_id = SignInSource.SIRUP, 0, None
        role = SIRUP_ROLES[0][0] if rng.random() < 0.6 else SIRUP_ROLES[1][0]
        instansi = unit_name(rng, "Kabupaten")
    else:
        lpse_id, kd, lpse_name, _tz = lpse_order[weighted_index(rng, lpse_cum)]
        source = SignInSource.SPSE
        role = SPSE_ROLES[weighted_index(rng, cumulative(w for _, w in SPSE_ROLES))][0]
        place = lpse_name.removeprefix("LPSE ")
        instansi = company_name(rng) if role == "pelaku_usaha" else unit_name(rng, place)
    return ReporterPlan(
        user_id=f"syn{seed}-{n:07d}",
        source=source,
        kd_lpse=kd,
        lpse_id=lpse_id,
        role=role,
        name=name,
        email=f"{name.lower().replace(' ', '.')}.{n}@example.co.id",
        instansi=instansi,
        tickets=count,
    )


def reporters_plan(seed: int, total: int, context: Context) -> tuple[list[ReporterPlan], list[int]]:
    """The reporters and, for each ticket in filing order, the index of its reporter."""
    rng = random.Random(f"reporters:{seed}")
    counts = reporter_ticket_counts(rng, total, cap=REPORTER_CAP)
    lpse_order = list(context.lpses)
    rng.shuffle(lpse_order)
    lpses = (lpse_order, cumulative(zipf_weights(len(lpse_order), 0.7)))
    reporters = [_reporter_plan(rng, n, count, lpses, seed) for n, count in enumerate(counts)]
    owners = [n for n, count in enumerate(counts) for _ in range(count)]
    rng.shuffle(owners)
    return reporters, owners
