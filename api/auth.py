"""Personal API tokens as Bearer credentials; the same access rules as the web follow."""

from typing import Any

from django.http import HttpRequest
from ninja.errors import Throttled
from ninja.security import HttpBearer

from accounts.models import ApiToken, User
from accounts.tokens import api_token_authenticate
from api.ratelimit import anonymous_hit


class TokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> Any:
        found = super().__call__(request)
        if not found:
            # ninja answers 401 before its throttles run: requests without a valid token
            # are counted here, per client address, so guessing tokens is limited too.
            verdict = anonymous_hit(request)
            if not verdict.allowed:
                raise Throttled(wait=verdict.retry_after)
        return found

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        # RequestBodyMiddleware may have checked this header already, before the body.
        checked: User | None = getattr(request, "api_token_user", None)
        user = checked or api_token_authenticate(token)
        if user is None:
            return None
        # Code after authentication reads request.user as the web does; the rate limit
        # is kept per user (api/ratelimit.py), whichever of their tokens is used.
        request.user = user
        found: ApiToken = user.api_token  # type: ignore[attr-defined]
        return found


def api_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user
