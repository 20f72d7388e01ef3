"""The ticket state machine (DESIGN §4): which action is allowed from which status.

This is the only place that knows the transitions. Services ask `check_transition`
before they change anything; pages ask `available_actions` which buttons to show.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models import OPEN_STATUSES, EventKind, Status


class Action(models.TextChoices):
    # staff
    TAKE = "take", _("Ambil tiket")
    ASSIGN = "assign", _("Tugaskan")
    REPLY = "reply", _("Balas")
    NOTE = "note", _("Catatan internal")
    REQUEST_FEEDBACK = "request_feedback", _("Minta feedback")
    RESOLVE = "resolve", _("Selesaikan")
    ESCALATE = "escalate", _("Eskalasi")
    RETURN = "return", _("Kembalikan ke tier sebelumnya")
    MERGE = "merge", _("Gabungkan ke tiket lain")
    REVALIDATE_CODE = "revalidate_code", _("Validasi ulang kode")
    OVERRIDE_PRIORITY = "override_priority", _("Ubah prioritas")
    CHANGE_CATEGORY = "change_category", _("Ubah kategori")
    LINK_INCIDENT = "link_incident", _("Tautkan ke insiden")
    UNLINK_INCIDENT = "unlink_incident", _("Lepaskan dari insiden")
    # reporter
    GIVE_FEEDBACK = "give_feedback", _("Beri Feedback")
    CONFIRM = "confirm", _("Ya, sudah")
    REOPEN = "reopen", _("Belum")
    FORCE_CLOSE = "force_close", _("Tutup Tiket")
    RATE = "rate", _("Beri penilaian")
    # the periodic command
    AUTO_CLOSE = "auto_close", _("Tutup otomatis")
    # a linked ticket, when its incident is resolved (done with the incident's resolution)
    INCIDENT_RESOLVE = "incident_resolve", _("Diselesaikan bersama insiden")
    # filing a new ticket: no ticket and no status yet (asked of `access.action_refusal`)
    CREATE = "create", _("Buat Tiket")


STAFF_ACTIONS = frozenset(
    {
        Action.TAKE,
        Action.ASSIGN,
        Action.REPLY,
        Action.NOTE,
        Action.REQUEST_FEEDBACK,
        Action.RESOLVE,
        Action.ESCALATE,
        Action.RETURN,
        Action.MERGE,
        Action.REVALIDATE_CODE,
        Action.OVERRIDE_PRIORITY,
        Action.CHANGE_CATEGORY,
        Action.LINK_INCIDENT,
        Action.UNLINK_INCIDENT,
    }
)
# Done by the system, never by a person's request: the periodic command, the incident.
SYSTEM_ACTIONS = frozenset({Action.AUTO_CLOSE, Action.INCIDENT_RESOLVE})
REPORTER_ACTIONS = frozenset(
    {Action.GIVE_FEEDBACK, Action.CONFIRM, Action.REOPEN, Action.FORCE_CLOSE, Action.RATE}
)

# Open and still waiting for its answer.
UNANSWERED_STATUSES = frozenset({Status.NEW, Status.IN_PROGRESS, Status.AWAITING_FEEDBACK})

# From which statuses each action may be taken, and the status it leads to (None: stays).
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    Action.TAKE: (frozenset({Status.NEW, Status.IN_PROGRESS}), Status.IN_PROGRESS),
    Action.ASSIGN: (frozenset({Status.NEW, Status.IN_PROGRESS}), Status.IN_PROGRESS),
    Action.REPLY: (frozenset({Status.IN_PROGRESS, Status.AWAITING_FEEDBACK}), None),
    Action.NOTE: (OPEN_STATUSES, None),
    Action.REQUEST_FEEDBACK: (frozenset({Status.IN_PROGRESS}), Status.AWAITING_FEEDBACK),
    Action.RESOLVE: (frozenset({Status.IN_PROGRESS}), Status.AWAITING_CONFIRMATION),
    Action.ESCALATE: (frozenset({Status.IN_PROGRESS}), Status.IN_PROGRESS),
    Action.RETURN: (frozenset({Status.IN_PROGRESS}), Status.IN_PROGRESS),
    Action.MERGE: (frozenset({Status.NEW, Status.IN_PROGRESS}), Status.CLOSED),
    Action.REVALIDATE_CODE: (OPEN_STATUSES, None),
    Action.OVERRIDE_PRIORITY: (OPEN_STATUSES, None),
    Action.CHANGE_CATEGORY: (OPEN_STATUSES, None),
    # Awaiting confirmation, a ticket has its answer already: nothing to link it for.
    Action.LINK_INCIDENT: (UNANSWERED_STATUSES, None),
    Action.UNLINK_INCIDENT: (OPEN_STATUSES, None),
    Action.INCIDENT_RESOLVE: (UNANSWERED_STATUSES, Status.AWAITING_CONFIRMATION),
    Action.GIVE_FEEDBACK: (frozenset({Status.AWAITING_FEEDBACK}), Status.IN_PROGRESS),
    Action.CONFIRM: (frozenset({Status.AWAITING_CONFIRMATION}), Status.CLOSED),
    Action.REOPEN: (frozenset({Status.AWAITING_CONFIRMATION}), Status.IN_PROGRESS),
    Action.FORCE_CLOSE: (OPEN_STATUSES, Status.FORCE_CLOSED),
    Action.RATE: (frozenset({Status.CLOSED, Status.FORCE_CLOSED}), None),
    Action.AUTO_CLOSE: (frozenset({Status.AWAITING_CONFIRMATION}), Status.CLOSED),
}


# The event each action records (the history a ticket replays to its status).
EVENT_OF_ACTION: dict[str, str] = {
    Action.TAKE: EventKind.TAKEN,
    Action.ASSIGN: EventKind.ASSIGNED,
    Action.REPLY: EventKind.REPLIED,
    Action.NOTE: EventKind.NOTED,
    Action.REQUEST_FEEDBACK: EventKind.FEEDBACK_REQUESTED,
    Action.RESOLVE: EventKind.RESOLVED,
    Action.ESCALATE: EventKind.ESCALATED,
    Action.RETURN: EventKind.RETURNED,
    Action.MERGE: EventKind.MERGED,
    Action.GIVE_FEEDBACK: EventKind.FEEDBACK_GIVEN,
    Action.CONFIRM: EventKind.CONFIRMED,
    Action.REOPEN: EventKind.REOPENED,
    Action.FORCE_CLOSE: EventKind.FORCE_CLOSED,
    Action.RATE: EventKind.RATED,
    Action.AUTO_CLOSE: EventKind.AUTO_CLOSED,
    Action.REVALIDATE_CODE: EventKind.CODE_REVALIDATED,
    Action.OVERRIDE_PRIORITY: EventKind.PRIORITY_CHANGED,
    Action.CHANGE_CATEGORY: EventKind.CATEGORY_CHANGED,
    Action.LINK_INCIDENT: EventKind.INCIDENT_LINKED,
    Action.UNLINK_INCIDENT: EventKind.INCIDENT_UNLINKED,
    # A resolution like any other (reports count it so), its data naming the incident.
    Action.INCIDENT_RESOLVE: EventKind.RESOLVED,
}


class TicketActionError(Exception):
    """An action the domain refuses or cannot do now; `status_code` is what web and API
    answer."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ActionForbidden(TicketActionError):
    """The person may see the ticket but may not take this action (403)."""

    status_code = 403


class ActionConflict(TicketActionError):
    """Not allowed in the current status, or taken from a stale page (409)."""

    status_code = 409


class ActionInvalid(TicketActionError):
    """The input of the action is not acceptable (400)."""


class StorageUnavailable(TicketActionError):
    """The attachment storage could not write or read a file (503): nothing was changed,
    and the same request may succeed later."""

    status_code = 503


def target_status(action: str, current: str) -> str:
    return TRANSITIONS[action][1] or current


def check_transition(action: str, status: str) -> None:
    """Refuse (409) an action that the ticket's status does not allow."""
    allowed, _target = TRANSITIONS[action]
    if status not in allowed:
        raise ActionConflict(
            str(
                _("Aksi «%(action)s» tidak dapat dilakukan karena status tiket «%(status)s».")
                % {"action": Action(action).label, "status": Status(status).label}
            )
        )
