"""Reference data for creating tickets: applications, categories, LPSEs, ticket types."""

from typing import Any

from django.http import HttpRequest

from api.errors import ERROR_RESPONSES
from api.router import router
from api.schemas import ApplicationOut, CategoryOut, DbId, LpseOut, TicketTypeOut
from reference.models import Application, Category, Lpse, TicketType

REFERENCE = ["Referensi"]


@router.get(
    "/applications", response={200: list[ApplicationOut], **ERROR_RESPONSES}, tags=REFERENCE
)
def application_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Applications with their versions (for creating tickets)."""
    return [
        {
            "id": app.pk,
            "code": app.code,
            "name": app.name,
            "versions": [{"id": v.pk, "name": v.name} for v in app.versions.all() if v.is_active],
        }
        for app in Application.objects.filter(is_active=True).prefetch_related("versions")
    ]


@router.get("/categories", response={200: list[CategoryOut], **ERROR_RESPONSES}, tags=REFERENCE)
def category_list(request: HttpRequest, application: DbId | None = None) -> list[dict[str, Any]]:
    """Category trees; `selectable` ones can be chosen for a ticket."""
    categories = Category.objects.filter(is_active=True).select_related("parent")
    if application is not None:
        categories = categories.filter(application_id=application)
    return [
        {
            "id": c.pk,
            "application_id": c.application_id,
            "parent_id": c.parent_id,
            "name": c.name,
            "path": c.path_label,
            "code_kind": c.code_kind,
            "code_required": c.code_required,
            "selectable": c.is_leaf,
        }
        for c in categories.order_by("application_id", "order", "pk")
    ]


@router.get("/lpse", response={200: list[LpseOut], **ERROR_RESPONSES}, tags=REFERENCE)
def lpse_list(request: HttpRequest) -> list[Lpse]:
    # Read here, not by ninja while it builds the answer (api.schemas.TicketAnswer).
    return list(Lpse.objects.filter(is_active=True).order_by("kd_lpse"))


@router.get("/ticket-types", response={200: list[TicketTypeOut], **ERROR_RESPONSES}, tags=REFERENCE)
def ticket_type_list(request: HttpRequest) -> list[TicketType]:
    return list(TicketType.objects.order_by("pk"))
