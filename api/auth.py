"""Personal API tokens as Bearer credentials; the same access rules as the web follow."""

from django.http import HttpRequest
from ninja.security import HttpBearer

from accounts.models import ApiToken, User
from accounts.tokens import api_token_authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        # RequestBodyMiddleware may have checked this header already, before the body.
        checked: User | None = getattr(request, "api_token_user", None)
        user = checked or api_token_authenticate(token)
        if user is None:
            return None
        # Code after authentication reads request.user as the web does.
        request.user = user
        # The token (not the user) is the key of the rate limit: one per token.
        found: ApiToken = user.api_token  # type: ignore[attr-defined]
        return found


def api_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user
