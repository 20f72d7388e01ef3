"""Personal API tokens: `lps_<prefix>_<secret>`; the prefix finds the row, the secret is
kept only as a SHA-256 hash and compared in constant time."""

import datetime
import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import ApiToken, AuditAction, User
from lib.errors import NotFound

TOKEN_PREFIX = "lps"  # noqa: S105 (the public marker of our tokens, not a secret)
MAX_ACTIVE_TOKENS = 10
# Writing last_used_at on every request would turn reads into writes.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


class TokenLimitReached(Exception):
    pass


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str, address: str = "") -> tuple[ApiToken, str]:
    """A new token for `user`; the full token is returned once and never stored."""
    name = name.strip()[:100] or _("Token API")
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise TokenLimitReached(
            _("Paling banyak %(count)d token aktif. Cabut token yang tidak dipakai lagi.")
            % {"count": MAX_ACTIVE_TOKENS}
        )
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix, key_hash=_hash(secret))
    audit_record(
        action=AuditAction.API_TOKEN_CREATED,
        actor=user,
        address=address,
        target=str(token),
        detail={"token_id": token.pk, "prefix": prefix},
    )
    return token, f"{TOKEN_PREFIX}_{prefix}_{secret}"


def api_token_revoke(*, user: User, token_id: int, address: str = "") -> ApiToken:
    """Revoke one of the user's own tokens (another user's token does not exist)."""
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise NotFound
    if token.revoked_at is None:
        revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        token.refresh_from_db()
        # Only the request that actually revoked it is recorded, not a repeated click.
        if revoked:
            audit_record(
                action=AuditAction.API_TOKEN_REVOKED,
                actor=user,
                address=address,
                target=str(token),
                detail={"token_id": token.pk, "prefix": token.prefix},
            )
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The active user of an active token, or None."""
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = (
        # The user's LPSE too: filing a ticket asks whether it is active.
        ApiToken.objects.select_related("user__lpse")
        .filter(prefix=parts[1], revoked_at__isnull=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.key_hash, _hash(parts[2])):
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.user.api_token = token  # type: ignore[attr-defined]  # for rate limits
    return token.user
