"""Account services: reporters handed over by SPSE/SiRUP."""

import hashlib
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import assignment_detail, assignment_saved
from accounts.models import (
    ROLES_BY_SOURCE,
    PendingSsoSignIn,
    SignInSource,
    StaffAssignment,
    UsedSsoToken,
    User,
)
from accounts.sso import HandoffClaims, SsoError
from reference.models import ApplicationGroup, Lpse

# Characters Django's username validator accepts, minus "@" and "+", which read badly.
_UNSAFE_USERNAME_CHARS = re.compile(r"[^a-z0-9._-]+")
_USERNAME_MAX_LENGTH = 150
# A race on the same new identity or username resolves within a couple of attempts.
_CREATE_ATTEMPTS = 5
# How long a verified hand-off waits for the browser to come back (or for the person to
# confirm a switch of account) before it must be started again at SPSE/SiRUP.
PENDING_SIGN_IN_SECONDS = 5 * 60


def _username_base(source: str, kd_lpse: int, user_id: str) -> str:
    safe = _UNSAFE_USERNAME_CHARS.sub("_", user_id.lower()).strip("._-") or "user"
    return f"{source}-{kd_lpse}-{safe}"[:120]


def _unique_username(source: str, kd_lpse: int, user_id: str) -> str:
    base = _username_base(source, kd_lpse, user_id)
    candidates = [base, *(f"{base}-{n}" for n in range(2, 20))]
    for candidate in candidates:
        # Case-insensitive, like Django's own forms: "PPK1" and "ppk1" must not both exist.
        if not User.objects.filter(username__iexact=candidate).exists():
            return candidate
    return f"{base}-{secrets.token_hex(4)}"


def _find_reporter(source: str, kd_lpse: int, user_id: str) -> User | None:
    return (
        User.objects.select_for_update()
        .filter(source=source, source_lpse=kd_lpse, source_user_id=user_id)
        .first()
    )


def _lpse_for(source: str, kd_lpse: int) -> Lpse | None:
    if source == SignInSource.SIRUP:
        if kd_lpse != 0:
            raise SsoError("invalid_claim", "sirup users have no LPSE")
        return None
    lpse = Lpse.objects.filter(kd_lpse=kd_lpse).first()
    if lpse is None:
        raise SsoError("unknown_lpse", f"kd_lpse {kd_lpse}")
    return lpse


@transaction.atomic
def reporter_upsert(
    *,
    source: str,
    kd_lpse: int,
    user_id: str,
    name: str,
    email: str,
    role: str,
    instansi: str = "",
    phone: str = "",
) -> User:
    """Create or update the reporter whose identity is (source, kd_lpse, user_id)."""
    if source not in ROLES_BY_SOURCE:
        raise SsoError("unknown_source", source)
    if role not in ROLES_BY_SOURCE[source]:
        raise SsoError("wrong_role", f"role {role!r} for {source}")
    if not user_id:
        raise SsoError("missing_claim", "user id")
    lpse = _lpse_for(source, kd_lpse)

    # Identity is (source, kd_lpse, user id) and nothing else: never the e-mail, which
    # people share, change and mistype.
    user = _find_reporter(source, kd_lpse, user_id)
    attempts = 0
    while user is None:
        attempts += 1
        try:
            with transaction.atomic():
                user = User(
                    username=_unique_username(source, kd_lpse, user_id),
                    source=source,
                    source_lpse=kd_lpse,
                    source_user_id=user_id,
                )
                # Reporters only ever sign in through their source application.
                user.set_unusable_password()
                user.save()
        except IntegrityError:
            # Someone created this identity (or took the username) in between.
            if attempts >= _CREATE_ATTEMPTS:
                raise
            user = _find_reporter(source, kd_lpse, user_id)

    # The source is authoritative for role and LPSE; profile fields the reporter edited
    # under "Ubah Profil" are theirs and are never overwritten.
    edited_fields = user.profile_edited_fields
    edited = set(edited_fields) if isinstance(edited_fields, list) else set()
    user.role = role
    user.lpse = lpse
    user.source_lpse = kd_lpse
    updates = {"full_name": name, "email": email, "instansi": instansi, "phone": phone}
    for field, value in updates.items():
        # instansi/phone are not in the hand-off token: an empty value means "unknown".
        if field in edited or (not value and field in ("instansi", "phone")):
            continue
        setattr(user, field, value)
    user.save(
        update_fields=["role", "lpse", "source_lpse", "full_name", "email", "instansi", "phone"]
    )
    return user


def _purge_used_tokens() -> None:
    # Tokens past expiry (plus the allowed skew) are refused anyway, so their jti rows
    # no longer protect anything; purging on sign-in keeps the table tiny without a
    # cron job. Its own short statement: no locks held through the sign-in itself.
    grace = timedelta(seconds=settings.SSO_CLOCK_SKEW_SECONDS + 60)
    UsedSsoToken.objects.filter(expires_at__lt=timezone.now() - grace).delete()
    PendingSsoSignIn.objects.filter(expires_at__lt=timezone.now()).delete()


def _consume_jti(claims: HandoffClaims) -> None:
    try:
        with transaction.atomic():
            UsedSsoToken.objects.create(
                source=claims.source, jti=claims.jti, expires_at=claims.expires_at
            )
    except IntegrityError as error:
        # The unique constraint also catches two concurrent uses of the same token.
        raise SsoError("replayed", f"jti {claims.jti!r}") from error


def reporter_sign_in(*, claims: HandoffClaims) -> User:
    """Consume a verified hand-off token and return its reporter, created or updated."""
    _purge_used_tokens()
    # One transaction: a refused sign-in (unknown LPSE, inactive user) changes nothing.
    with transaction.atomic():
        _consume_jti(claims)
        if (
            claims.source == SignInSource.SPSE
            and Lpse.objects.filter(kd_lpse=claims.kd_lpse, is_active=False).exists()
        ):
            # Deactivated at LPSE Support: no new sign-ins for it (existing sessions
            # are the session middleware's business).
            raise SsoError("lpse_inactive", f"kd_lpse {claims.kd_lpse}")
        user = reporter_upsert(
            source=claims.source,
            kd_lpse=claims.kd_lpse,
            user_id=claims.user_id,
            name=claims.name,
            email=claims.email,
            role=claims.role,
        )
        if not user.is_active:
            raise SsoError("inactive", f"user {user.pk}")
        user.last_sso_at = timezone.now()
        user.save(update_fields=["last_sso_at"])
    return user


def _nonce_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode("utf-8")).hexdigest()


def pending_sign_in_create(*, user: User, source: str) -> str:
    """Record a verified hand-off of `user`; returns the secret the browser carries."""
    nonce = secrets.token_urlsafe(32)
    PendingSsoSignIn.objects.create(
        nonce_hash=_nonce_hash(nonce),
        user=user,
        source=source,
        expires_at=timezone.now() + timedelta(seconds=PENDING_SIGN_IN_SECONDS),
    )
    return nonce


def pending_sign_in_find(nonce: str) -> PendingSsoSignIn | None:
    """The unexpired pending hand-off of `nonce`, without using it up."""
    if not nonce:
        return None
    return (
        PendingSsoSignIn.objects.select_related("user", "user__lpse")
        .filter(nonce_hash=_nonce_hash(nonce), expires_at__gte=timezone.now())
        .first()
    )


def pending_sign_in_take(nonce: str) -> User | None:
    """Use up the pending hand-off of `nonce`; its user, or None if gone or expired.

    The row is deleted whatever happens next, so a hand-off completes at most once.
    """
    pending = pending_sign_in_find(nonce)
    if pending is None:
        return None
    # Two requests racing for the same row: only the one whose DELETE removed it wins.
    deleted, _ = PendingSsoSignIn.objects.filter(pk=pending.pk).delete()
    if not deleted:
        return None
    user = pending.user
    if not user.is_active:
        return None
    if user.lpse is not None and not user.lpse.is_active:
        return None
    return user


def pending_sign_in_discard(nonce: str) -> None:
    """Forget a pending hand-off (the person chose "Batal")."""
    if nonce:
        PendingSsoSignIn.objects.filter(nonce_hash=_nonce_hash(nonce)).delete()


@transaction.atomic
def reporter_profile_update(
    *, user: User, full_name: str, email: str, phone: str, instansi: str
) -> User:
    """Save what the reporter changed under *Ubah Profil*; sign-in never overwrites it again."""
    values = {"full_name": full_name, "email": email, "phone": phone, "instansi": instansi}
    changed = [field for field, value in values.items() if getattr(user, field) != value]
    for field in changed:
        setattr(user, field, values[field])
    edited = set(user.profile_edited_fields or []) | set(changed)
    user.profile_edited_fields = sorted(edited)
    user.save(update_fields=[*changed, "profile_edited_fields"])
    return user


@transaction.atomic
def staff_member_upsert(
    *,
    username: str,
    full_name: str,
    email: str,
    assignments: list[tuple[str, int | None, str | None, str]],
    password: str | None = None,
) -> User:
    """Create or refresh a staff member and their assignments (role, kd_lpse, group, title)."""
    user, created = User.objects.get_or_create(
        username=username, defaults={"full_name": full_name, "email": email}
    )
    if created and password:
        user.set_password(password)
    user.full_name, user.email, user.is_active = full_name, email, True
    user.save()
    for role, kd_lpse, group_code, title in assignments:
        lpse = Lpse.objects.get(kd_lpse=kd_lpse) if kd_lpse else None
        group = ApplicationGroup.objects.get(code=group_code) if group_code else None
        existing = StaffAssignment.objects.filter(
            user=user, role=role, lpse=lpse, application_group=group
        ).first()
        before = assignment_detail(existing) if existing else None
        assignment, _created = StaffAssignment.objects.update_or_create(
            user=user, role=role, lpse=lpse, application_group=group, defaults={"title": title}
        )
        assignment_saved(assignment=assignment, before=before)
    return user
