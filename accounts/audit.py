"""The append-only audit log: who did what security-relevant thing, from where.

`audit_record` is the one way in. Sign-ins, failures, sign-outs and lockouts are
recorded from Django's and axes' signals (connected in accounts/apps.py); token,
assignment and group changes by the services and admin pages that make them.
"""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from accounts.clientip import client_ip
from accounts.middleware import LAST_ACTIVITY_KEY, STARTED_KEY
from accounts.models import AuditAction, AuditEvent, StaffAssignment, User


def audit_record(
    *,
    action: str,
    actor: Any = None,
    username: str = "",
    address: str = "",
    target: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. `username` defaults to the actor's (kept if the user goes)."""
    if actor is not None and not getattr(actor, "pk", None):
        actor = None  # AnonymousUser, or an unsaved user
    if not username and actor is not None:
        username = actor.get_username()
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_username=str(username)[:150],
        address=address[:45],
        target=str(target)[:300],
        detail=detail or {},
    )


def request_address(request: HttpRequest | None) -> str:
    return client_ip(request) if request is not None else ""


def assignment_description(assignment: StaffAssignment) -> str:
    return str(assignment)[:300]


def assignment_detail(assignment: StaffAssignment) -> dict[str, Any]:
    return {
        "user": assignment.user.get_username(),
        "role": assignment.role,
        "lpse": assignment.lpse.kd_lpse if assignment.lpse else None,
        "application_group": (
            assignment.application_group.code if assignment.application_group else None
        ),
        "title": assignment.title,
    }


def assignment_saved(
    *,
    assignment: StaffAssignment,
    before: dict[str, Any] | None,
    actor: Any = None,
    address: str = "",
) -> None:
    """Record a created (before is None) or changed assignment; an unchanged save is not."""
    after = assignment_detail(assignment)
    if before == after:
        return
    audit_record(
        action=AuditAction.ASSIGNMENT_CREATED if before is None else AuditAction.ASSIGNMENT_CHANGED,
        actor=actor,
        address=address,
        target=assignment_description(assignment),
        detail={"assignment_id": assignment.pk, "before": before, "after": after},
    )


def assignment_deleted(
    *, assignment: StaffAssignment, actor: Any = None, address: str = ""
) -> None:
    audit_record(
        action=AuditAction.ASSIGNMENT_DELETED,
        actor=actor,
        address=address,
        target=assignment_description(assignment),
        detail={"assignment_id": assignment.pk, "before": assignment_detail(assignment)},
    )


def _is_staff_side(user: Any) -> bool:
    # Reporters arrive by SSO: their sign-ins are not what this log watches.
    return user is not None and not getattr(user, "is_reporter", False)


@receiver(user_logged_in, dispatch_uid="audit_sign_in")
def _signed_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        # The idle timeout (accounts/middleware.py) counts from the sign-in itself.
        now = timezone.now().timestamp()
        request.session[STARTED_KEY] = now
        request.session[LAST_ACTIVITY_KEY] = now
    if not _is_staff_side(user):
        return
    audit_record(
        action=AuditAction.SIGN_IN,
        actor=user,
        address=request_address(request),
        detail={"path": getattr(request, "path", "")[:200]},
    )


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def _sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username") or "")[:150]
    audit_record(
        action=AuditAction.SIGN_IN_FAILED,
        actor=User.objects.filter(username=username).first() if username else None,
        username=username,
        address=request_address(request),
        detail={
            "path": getattr(request, "path", "")[:200],
            "locked": bool(getattr(request, "axes_locked_out", False)),
        },
    )


@receiver(user_logged_out, dispatch_uid="audit_sign_out")
def _signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None or not _is_staff_side(user):
        return
    audit_record(
        action=AuditAction.SIGN_OUT,
        actor=user,
        address=request_address(request),
        detail={"reason": getattr(request, "sign_out_reason", "user")},
    )


def _locked_out(
    sender: Any, request: HttpRequest | None, username: str | None, ip_address: str, **kwargs: Any
) -> None:
    name = str(username or "")[:150]
    audit_record(
        action=AuditAction.LOCKED_OUT,
        actor=User.objects.filter(username=name).first() if name else None,
        username=name,
        address=ip_address or "",
        detail={"path": getattr(request, "path", "")[:200]},
    )


def connect_axes_signals() -> None:
    from axes.signals import user_locked_out

    user_locked_out.connect(_locked_out, dispatch_uid="audit_locked_out")
