"""Who may see and who may act on which ticket.

Web pages, the API, management commands and background jobs all ask here, so that the
rules of DESIGN §1 exist once:

- a reporter sees only their own tickets;
- tier 1 sees its LPSEs' tickets at every tier; tiers 2 and 3 see the tickets of their
  application groups that have reached them; supervisors read within their scope;
- the tier that holds a ticket acts on it: its holder, or, while nobody holds it, any
  agent of that tier who covers it; checking the ticket's code again (triage) is open
  to every agent of that tier, held or not.

`action_refusal` is the one answer to "may this person do this now": services ask it on
the locked row, and pages and the API list their buttons and `allowed_actions` from it.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import STAFF_ROLE_TIERS, StaffAssignment, StaffRole, User
from lib.errors import NotFound
from reference.book import ReferenceBook
from reference.models import Application, Lpse
from tickets.lifecycle import (
    REPORTER_ACTIONS,
    SYSTEM_ACTIONS,
    Action,
    ActionConflict,
    ActionForbidden,
    ActionInvalid,
    TicketActionError,
    check_transition,
)
from tickets.models import CloseReason, Rating, Status, Ticket


@dataclass(frozen=True)
class StaffScope:
    """What a staff member's assignments cover, read once per request."""

    agent_lpse_ids: frozenset[int] = frozenset()
    # tier (2 or 3) -> ids of the applications of that tier's groups
    tier_application_ids: dict[int, frozenset[int]] = field(default_factory=dict)
    supervisor_national: bool = False
    supervisor_lpse_ids: frozenset[int] = frozenset()
    supervisor_application_ids: frozenset[int] = frozenset()
    # Writes the knowledge base (an editor assignment); no ticket is seen through it.
    edits_articles: bool = False

    @property
    def is_empty(self) -> bool:
        return not (
            self.agent_lpse_ids
            or any(self.tier_application_ids.values())
            or self.supervisor_national
            or self.supervisor_lpse_ids
            or self.supervisor_application_ids
        )

    @property
    def supervises(self) -> bool:
        """Whether a supervisor assignment of this person is in force (reports, DESIGN §1)."""
        return bool(
            self.supervisor_national or self.supervisor_lpse_ids or self.supervisor_application_ids
        )

    def supervisor_q(self, prefix: str = "") -> Q:
        """Rows within the supervisor part of the scope only (not what tiers 1–3 see).

        `prefix` reaches the ticket's `lpse_id` and `application_id` through a relation
        ("ticket__"); fact rows carry those columns themselves (no prefix).
        """
        if self.supervisor_national:
            return Q()
        q = Q(**{f"{prefix}pk__in": []})
        if self.supervisor_lpse_ids:
            q |= Q(**{f"{prefix}lpse_id__in": sorted(self.supervisor_lpse_ids)})
        if self.supervisor_application_ids:
            q |= Q(**{f"{prefix}application_id__in": sorted(self.supervisor_application_ids)})
        return q

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

    def fingerprint(self) -> str:
        """The scope as a short text that is the same in every process for the same
        assignments: part of the cache key of a read that depends on the scope."""
        parts = [
            ",".join(map(str, sorted(self.agent_lpse_ids))),
            *(",".join(map(str, sorted(self.tier_application_ids.get(t, ())))) for t in (2, 3)),
            "n" if self.supervisor_national else "",
            ",".join(map(str, sorted(self.supervisor_lpse_ids))),
            ",".join(map(str, sorted(self.supervisor_application_ids))),
        ]
        return hashlib.blake2b("|".join(parts).encode(), digest_size=12).hexdigest()

    def visible_q(self) -> Q:
        if self.supervisor_national:
            return Q()
        q = Q(pk__in=[])
        if self.agent_lpse_ids:
            q |= Q(lpse_id__in=self.agent_lpse_ids)
        for tier in (2, 3):
            if app_ids := self.tier_application_ids.get(tier):
                q |= Q(application_id__in=app_ids, max_tier__gte=tier)
        return q | self.supervisor_q()


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
        editor = False
        # Each assignment is judged by its own columns: a supervisor is national only
        # when the assignment names neither an LPSE nor a group. The group's
        # applications come through a LEFT JOIN, so an empty group yields one row with
        # no application, and that row grants nothing. Neither does an assignment to a
        # deactivated LPSE.
        rows = StaffAssignment.objects.filter(user=user).values_list(
            "role",
            "lpse_id",
            "lpse__is_active",
            "application_group_id",
            "application_group__applications",
        )
        for role, lpse_id, lpse_active, group_id, app_id in rows:
            if role == StaffRole.EDITOR:
                editor = True
            elif lpse_id is not None:
                if not lpse_active:
                    continue
                if role == StaffRole.AGENT:
                    agent_lpses.add(lpse_id)
                elif role == StaffRole.SUPERVISOR:
                    sup_lpses.add(lpse_id)
            elif group_id is not None:
                if app_id is None:
                    continue
                if role in (StaffRole.LKPP, StaffRole.TECHNICAL):
                    tier_apps[STAFF_ROLE_TIERS[role]].add(app_id)
                elif role == StaffRole.SUPERVISOR:
                    sup_apps.add(app_id)
            elif role == StaffRole.SUPERVISOR:
                national = True
        scope = StaffScope(
            agent_lpse_ids=frozenset(agent_lpses),
            tier_application_ids={tier: frozenset(ids) for tier, ids in tier_apps.items()},
            supervisor_national=national,
            supervisor_lpse_ids=frozenset(sup_lpses),
            supervisor_application_ids=frozenset(sup_apps),
            edits_articles=editor,
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
    # The number is unique: no ORDER BY (`.first()` would add one, and compiling the
    # model's ordering across these joins costs more than the query itself). The
    # reference rows come from the process's book, not from five more joins.
    found = (
        tickets_visible_to(user)
        .select_related("holder", "reporter", "merged_into", "incident")
        .filter(number=number)
        .order_by()[:1]
    )
    for ticket in found:
        ReferenceBook.current().attach(ticket)
        return ticket
    raise NotFound


def works_on_current_tier(user: User, ticket: Ticket) -> bool:
    """Whether the user is an agent of the tier that now holds the ticket, for it."""
    return staff_scope(user).covers_at_tier(ticket, ticket.tier)


def staff_acting_on(ticket: Ticket) -> QuerySet[User]:
    """The agents of the tier that now holds the ticket, for its LPSE or application."""
    if ticket.tier == 1:
        q = Q(
            assignments__role=StaffRole.AGENT,
            assignments__lpse_id=ticket.lpse_id,
            assignments__lpse__is_active=True,
        )
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
        | Q(assignments__lpse_id=ticket.lpse_id, assignments__lpse__is_active=True)
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


# --- Reports (issue 17) -----------------------------------------------------------------
#
# Reports are for supervisors, each within the supervisor part of their scope: tier
# agents read tickets but not reports, and admins read them only through a supervisor
# assignment they also hold. A supervisor of a deactivated LPSE or of an application
# group without applications has no scope in force, so no reports.


def may_read_reports(user: User) -> bool:
    """Whether the user may open the reports: an active supervisor with a scope in force."""
    if not user.is_authenticated or not user.is_active or user.is_reporter:
        return False
    return staff_scope(user).supervises


def may_read_staff_report(user: User) -> bool:
    """Whether the user may open the per-agent staff report: the supervisors of a scope
    only (its rows are then limited to that scope by `report_scope_q`)."""
    return may_read_reports(user)


def report_scope_q(user: User, prefix: str = "") -> Q:
    """The tickets (or, with no prefix, the fact rows, which carry `lpse_id` and
    `application_id` too) a report shows this user; nothing for a non-reader.

    `prefix` reaches the ticket's columns through a relation, e.g. "ticket__".
    """
    if not may_read_reports(user):
        return Q(**{f"{prefix}pk__in": []})
    return staff_scope(user).supervisor_q(prefix)


def report_lpses(user: User) -> QuerySet[Lpse]:
    """The LPSEs a report reader may filter by: all of them, unless the scope is only
    some LPSEs (then just those). Deactivated ones stay for national readers: their
    past tickets still count."""
    if not may_read_reports(user):
        return Lpse.objects.none()
    scope = staff_scope(user)
    lpses = Lpse.objects.order_by("name", "kd_lpse")
    if scope.supervisor_national or scope.supervisor_application_ids:
        return lpses
    return lpses.filter(pk__in=sorted(scope.supervisor_lpse_ids))


def report_applications(user: User) -> QuerySet[Application]:
    """The applications a report reader may filter by: all of them, unless the scope is
    only application groups (then just their applications)."""
    if not may_read_reports(user):
        return Application.objects.none()
    scope = staff_scope(user)
    applications = Application.objects.order_by("order", "code")
    if scope.supervisor_national or scope.supervisor_lpse_ids:
        return applications
    return applications.filter(pk__in=sorted(scope.supervisor_application_ids))


# --- The knowledge base (issue 18) --------------------------------------------------------
#
# Anybody signed in reads the published articles; nobody else, unless KNOWLEDGE_PUBLIC
# opens them to everyone. Editors (an `editor` staff assignment, national) write them
# and also see drafts and archived ones. Supervisors read reports, not drafts: a
# supervisor who should edit holds an editor assignment as well. A draft or archived
# article is, to everybody else, exactly an unknown address (404).

# The published status of `knowledge.models.ArticleStatus` (kept equal by a test): this
# layer is below the knowledge app and names its rows by their columns only.
ARTICLE_PUBLISHED = "published"


def may_edit_articles(user: User | AnonymousUser) -> bool:
    """Whether the user writes the knowledge base: an active editor assignment."""
    if not isinstance(user, User) or not user.is_active or user.is_reporter:
        return False
    return staff_scope(user).edits_articles


def may_draft_article_from(user: User, ticket: Ticket) -> bool:
    """Whether the user may turn this ticket into a draft Pusat Bantuan article: staff
    with an assignment, once the ticket has been resolved. Asked of a ticket the caller
    read through `get_ticket_for_user` (who does not see it gets the 404 from there)."""
    return (
        user.is_active
        and not user.is_reporter
        and is_staff_member(user)
        and (ticket.resolved_at is not None)
    )


def may_read_articles(user: User | AnonymousUser) -> bool:
    """Whether the user may open the knowledge base at all (published articles)."""
    if isinstance(user, User) and user.is_active:
        return True
    return bool(settings.KNOWLEDGE_PUBLIC)


def articles_readable_q(user: User | AnonymousUser) -> Q:
    """The articles this user may read, as a filter on `knowledge.Article`: every one for
    editors, the published ones for other readers, none for anybody else."""
    if may_edit_articles(user):
        return Q()
    if may_read_articles(user):
        return Q(status=ARTICLE_PUBLISHED)
    return Q(pk__in=[])


# --- May do ------------------------------------------------------------------------------

# Every action a person can take on a ticket (the periodic auto-close is nobody's).
PERSON_ACTIONS = tuple(
    action for action in Action if action not in SYSTEM_ACTIONS and action != Action.CREATE
)


def action_refusal(
    user: User | None, ticket: Ticket | None, action: str
) -> TicketActionError | None:
    """Why `user` may not take `action` on `ticket` now, or None when they may.

    403 (`ActionForbidden`): not this person's to do; 409 (`ActionConflict`): not in the
    ticket's current status or position; 400 (`ActionInvalid`): nothing to act on. Who
    may *see* the ticket is asked first, by `get_ticket_for_user` (404). `ticket` is None
    for `Action.CREATE`; `user` is None only for the system's actions (`SYSTEM_ACTIONS`:
    the periodic `Action.AUTO_CLOSE`, a linked ticket resolved with its incident).
    """
    if action == Action.CREATE:
        return _create_refusal(user)
    assert ticket is not None
    if action in SYSTEM_ACTIONS:
        return _transition_refusal(action, ticket) or _position_refusal(ticket, action)
    if user is None or not user.is_authenticated or not user.is_active:
        return ActionForbidden(_("Akun Anda tidak aktif."))
    if action in REPORTER_ACTIONS:
        refusal = _reporter_refusal(user, ticket, action)
    else:
        refusal = _staff_refusal(user, ticket, action)
    return refusal or _transition_refusal(action, ticket) or _position_refusal(ticket, action)


def allowed_actions(
    user: User, ticket: Ticket, among: Iterable[str] = PERSON_ACTIONS
) -> frozenset[str]:
    """The actions (of `among`) this person may take on this ticket now: the buttons."""
    return frozenset(action for action in among if action_refusal(user, ticket, action) is None)


def _create_refusal(user: User | None) -> TicketActionError | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return ActionForbidden(_("Akun Anda tidak aktif."))
    if not user.is_reporter:
        return ActionForbidden(_("Hanya pelapor yang dapat membuat tiket."))
    if user.lpse is not None and not user.lpse.is_active:
        return ActionForbidden(
            _(
                "LPSE asal Anda sedang dinonaktifkan di LPSE Support, sehingga tiket baru "
                "tidak dapat dibuat. Tiket Anda yang sudah ada tetap dapat diikuti."
            )
        )
    return None


def _reporter_refusal(user: User, ticket: Ticket, action: str) -> TicketActionError | None:
    if ticket.reporter_id != user.pk:
        return ActionForbidden(_("Hanya pelapor tiket ini yang dapat melakukan aksi ini."))
    if action == Action.RATE:
        if ticket.status not in (Status.CLOSED, Status.FORCE_CLOSED):
            return ActionConflict(
                _("Penilaian dapat diberikan setelah tiket selesai atau ditutup.")
            )
        if ticket.close_reason in (CloseReason.AUTO_CLOSED, CloseReason.MERGED):
            return ActionConflict(_("Tiket yang ditutup otomatis atau digabung tidak dinilai."))
        if Rating.objects.filter(ticket_id=ticket.pk).exists():
            return ActionConflict(_("Tiket ini sudah diberi penilaian."))
    return None


def _staff_refusal(user: User, ticket: Ticket, action: str) -> TicketActionError | None:
    if user.is_reporter:
        return ActionForbidden(_("Aksi ini hanya untuk petugas helpdesk."))
    if action == Action.NOTE:
        return None  # any staff member who can see the ticket may leave a note
    if not works_on_current_tier(user, ticket):
        return ActionForbidden(
            _("Tiket ini sedang berada di %(tier)s; Anda tidak bertugas di tier tersebut.")
            % {"tier": ticket.get_tier_display()}
        )
    if action == Action.REVALIDATE_CODE:
        # Checking a code is part of triage: any agent of the ticket's tier, whoever holds it.
        return None
    holder_id = ticket.holder_id
    if action == Action.TAKE and holder_id is not None:
        if holder_id == user.pk:
            return ActionConflict(_("Anda sudah menangani tiket ini."))
        return ActionConflict(
            _("Tiket sudah diambil oleh %(name)s.") % {"name": _holder_name(ticket)}
        )
    if holder_id is not None and holder_id != user.pk:
        return ActionForbidden(
            _("Tiket ini ditangani oleh %(name)s; hanya dia yang dapat mengubahnya.")
            % {"name": _holder_name(ticket)}
        )
    if holder_id is None and action not in UNHELD_ACTIONS:
        return ActionConflict(_("Ambil tiket ini terlebih dahulu."))
    return None


# What an agent of the ticket's tier may do to a ticket nobody holds yet: triage.
UNHELD_ACTIONS = frozenset(
    {Action.TAKE, Action.ASSIGN, Action.MERGE, Action.LINK_INCIDENT, Action.UNLINK_INCIDENT}
)


def _holder_name(ticket: Ticket) -> str:
    return ticket.holder.display_name if ticket.holder is not None else ""


def _transition_refusal(action: str, ticket: Ticket) -> TicketActionError | None:
    try:
        check_transition(action, ticket.status)
    except TicketActionError as refusal:
        return refusal
    return None


def _position_refusal(ticket: Ticket, action: str) -> TicketActionError | None:
    """What the ticket's tier or data rule out, whatever its status allows."""
    if action == Action.ESCALATE and ticket.tier >= 3:
        return ActionConflict(_("Tiket sudah berada di tier tertinggi."))
    if action == Action.RETURN and ticket.tier <= 1:
        return ActionConflict(_("Tiket sudah berada di tier pertama."))
    if action == Action.REVALIDATE_CODE and not ticket.code:
        return ActionInvalid(_("Tiket ini tidak memiliki kode untuk divalidasi."))
    if action == Action.MERGE and ticket.is_incident:
        return ActionConflict(
            _("Insiden induk tidak dapat digabung; lepaskan dahulu tiket yang ditautkan kepadanya.")
        )
    if action == Action.LINK_INCIDENT:
        if ticket.is_incident:
            return ActionConflict(
                _("Tiket ini adalah insiden induk: tiket lain yang ditautkan kepadanya.")
            )
        if ticket.incident_id is not None:
            return ActionConflict(
                _("Tiket ini sudah ditautkan ke insiden; lepaskan dahulu untuk memindahkannya.")
            )
    if action in (Action.UNLINK_INCIDENT, Action.INCIDENT_RESOLVE) and ticket.incident_id is None:
        return ActionInvalid(_("Tiket ini tidak ditautkan ke insiden."))
    return None
