from django.http import HttpRequest

from tickets.access import may_read_articles


def knowledge_nav(request: HttpRequest) -> dict[str, object]:
    """Whether the menu links Pusat Bantuan for this visitor."""
    user = getattr(request, "user", None)
    return {"may_read_knowledge": user is not None and may_read_articles(user)}
