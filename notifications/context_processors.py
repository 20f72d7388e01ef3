from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from notifications.services import unread_count


def bell(request: HttpRequest) -> dict[str, object]:
    """The unread count shown on the bell in the top bar (one indexed count), counted
    only when a template shows it: partials (HTMX answers) ask nothing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
