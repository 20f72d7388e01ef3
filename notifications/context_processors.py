from django.http import HttpRequest

from notifications.services import unread_count


def bell(request: HttpRequest) -> dict[str, object]:
    """The unread count shown on the bell in the top bar (one indexed count)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user)}
