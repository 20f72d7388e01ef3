"""Who may see and who may act on which ticket.

Web pages, the API, management commands and background jobs all ask here, so that the
rules of DESIGN §1 exist once:

- a reporter sees only their own tickets;
- tier 1 sees its LPSEs' tickets at every tier; tiers 2 and 3 see the tickets of their
  application groups that have reached them; supervisors read within their scope;
- the tier that holds a ticket acts on it: its holder, or, while nobody holds it, any
  agent of that tier who covers it.
"""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import STAFF_ROLE_TIERS, StaffAssignment, StaffRole, User
from tickets.models import Ticket


@dataclass(frozen=True)
class StaffScope:
    """What a staff member's assignments cover, read once per request."""

    agent_lpse_ids: frozenset[int] = frozenset()
    # tier (2 or 3) -> ids of the applications of that tier's groups
    tier_application_ids: dict[int, frozenset[int]] = field(default_factory=dict)
    supervisor_national: bool = False
    supervisor_lpse_ids: frozenset[int] = frozenset()
    supervisor_application_ids: frozenset[int] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not (
            self.agent_lpse_ids
            or any(self.tier_application_ids.values())
            or self.supervisor_national
            or self.supervisor_lpse_ids
            or self.supervisor_application_ids
        )

    def tiers(self) -> list[int]:
        tiers = [1] if self.agent_lpse_ids else []
        return tiers + [tier for tier in (2, 3) if self.tier_application_ids.get(tier)]

    def covers_at_tier(self, ticket: Ticket, tier: int) -> bool:
        """Whether this person works at `tier` for the ticket's LPSE or application."""
        if tier == 1:
            return ticket.lpse_id in self.agent_lpse_ids
        return ticket.application_id in self.tier_application_ids.get(tier, frozenset())

    def acting_q(self) -> Q:
        """Tickets whose current tier is one this person works at for them."""
        q = Q(pk__in=[])
        if self.agent_lpse_ids:
            q |= Q(tier=1, lpse_id__in=self.agent_lpse_ids)
        for tier in (2, 3):
            if app_ids := self.tier_application_ids.get(tier):
                q |= Q(tier=tier, application_id__in=app_ids)
        return q

    def visible_q(self) -> Q:
        if self.supervisor_national:
            return Q()
        q = Q(pk__in=[])
        if self.agent_lpse_ids:
            q |= Q(lpse_id__in=self.agent_lpse_ids)
        for tier in (2, 3):
            if app_ids := self.tier_application_ids.get(tier):
                q |= Q(application_id__in=app_ids, max_tier__gte=tier)
        if self.supervisor_lpse_ids:
            q |= Q(lpse_id__in=self.supervisor_lpse_ids)
        if self.supervisor_application_ids:
            q |= Q(application_id__in=self.supervisor_application_ids)
        return q


_SCOPE_CACHE = "_staff_scope"


def staff_scope(user: User) -> StaffScope:
    """The user's staff scope; cached on the user object for the request."""
    cached = getattr(user, _SCOPE_CACHE, None)
    if cached is not None:
        return cached
    if not user.is_authenticated or not user.is_active or user.is_reporter:
        scope = StaffScope()
    else:
        agent_lpses: set[int] = set()
        tier_apps: dict[int, set[int]] = {2: set(), 3: set()}
        national = False
        sup_lpses: set[int] = set()
        sup_apps: set[int] = set()
        # Each assignment is judged by its own columns: a supervisor is national only
        # when the assignment names neither an LPSE nor a group. The group's
        # applications come through a LEFT JOIN, so an empty group yields one row with
        # no application, and that row grants nothing.
        rows = StaffAssignment.objects.filter(user=user).values_list(
            "role", "lpse_id", "application_group_id", "application_group__applications"
        )
        for role, lpse_id, group_id, app_id in rows:
            if role == StaffRole.AGENT:
                if lpse_id is not None:
                    agent_lpses.add(lpse_id)
            elif role in (StaffRole.LKPP, StaffRole.TECHNICAL):
                if group_id is not None and app_id is not None:
                    tier_apps[STAFF_ROLE_TIERS[role]].add(app_id)
            elif role == StaffRole.SUPERVISOR:
                if lpse_id is not None:
                    sup_lpses.add(lpse_id)
                elif group_id is not None:
                    if app_id is not None:
                        sup_apps.add(app_id)
                else:
                    national = True
        scope = StaffScope(
            agent_lpse_ids=frozenset(agent_lpses),
            tier_application_ids={tier: frozenset(ids) for tier, ids in tier_apps.items()},
            supervisor_national=national,
            supervisor_lpse_ids=frozenset(sup_lpses),
            supervisor_application_ids=frozenset(sup_apps),
        )
    setattr(user, _SCOPE_CACHE, scope)
    return scope


def is_staff_member(user: User) -> bool:
    """Whether the user has any helpdesk assignment (console access)."""
    return not staff_scope(user).is_empty


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    """Tickets this user may see."""
    if not user.is_authenticated or not user.is_active:
        return Ticket.objects.none()
    if user.is_reporter:
        return Ticket.objects.filter(reporter=user)
    scope = staff_scope(user)
    if scope.is_empty:
        # Admins see tickets only through assignments they also hold.
        return Ticket.objects.none()
    return Ticket.objects.filter(scope.visible_q())


def get_ticket_for_user(user: User, number: str) -> Ticket:
    """The ticket with this number if the user may see it; 404 exactly as if it did not exist."""
    ticket = (
        tickets_visible_to(user)
        .select_related(
            "lpse",
            "application",
            "version",
            "category__parent",
            "ticket_type",
            "holder",
            "reporter",
            "merged_into",
        )
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def works_on_current_tier(user: User, ticket: Ticket) -> bool:
    """Whether the user is an agent of the tier that now holds the ticket, for it."""
    return staff_scope(user).covers_at_tier(ticket, ticket.tier)


def may_change(user: User, ticket: Ticket) -> bool:
    """The holder changes the ticket; while nobody holds it, any agent of its tier may."""
    if not works_on_current_tier(user, ticket):
        return False
    return ticket.holder_id is None or ticket.holder_id == user.pk


def staff_acting_on(ticket: Ticket) -> QuerySet[User]:
    """The agents of the tier that now holds the ticket, for its LPSE or application."""
    if ticket.tier == 1:
        q = Q(assignments__role=StaffRole.AGENT, assignments__lpse_id=ticket.lpse_id)
    else:
        role = StaffRole.LKPP if ticket.tier == 2 else StaffRole.TECHNICAL
        q = Q(
            assignments__role=role,
            assignments__application_group__applications=ticket.application_id,
        )
    return User.objects.filter(q, is_active=True).distinct().order_by("pk")


def supervisors_of(ticket: Ticket) -> QuerySet[User]:
    """Supervisors whose scope covers the ticket: national, its LPSE, or its application."""
    supervisor = Q(assignments__role=StaffRole.SUPERVISOR)
    scope = (
        Q(assignments__lpse__isnull=True, assignments__application_group__isnull=True)
        | Q(assignments__lpse_id=ticket.lpse_id)
        | Q(assignments__application_group__applications=ticket.application_id)
    )
    return User.objects.filter(supervisor & scope, is_active=True).distinct().order_by("pk")


def ticket_holder_on_duty(ticket: Ticket) -> User | None:
    """The holder, if still active and still working at the ticket's tier; else None
    (then the tier's agents are the ones to tell)."""
    holder = ticket.holder
    if holder is None or not holder.is_active or not works_on_current_tier(holder, ticket):
        return None
    return holder
