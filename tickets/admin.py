"""Django admin for tickets: read-only. Every change goes through the state machine
(`tickets.services`), never through a form that could set a status, holder or tier.

The admin sees tickets only through assignments it also holds (DESIGN §1): every list
and page here is scoped by `tickets_visible_to`, like the console."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import User
from tickets.access import tickets_visible_to
from tickets.models import OPEN_STATUSES, Message, Ticket, TicketEvent


def visible_tickets(request: HttpRequest) -> QuerySet[Ticket]:
    """The tickets the signed-in admin may see through their own assignments."""
    user = request.user
    return tickets_visible_to(user) if isinstance(user, User) else Ticket.objects.none()


class InactiveLpseFilter(admin.SimpleListFilter):
    """Open tickets of a deactivated LPSE: the ones waiting to be handed elsewhere."""

    title = _lazy("LPSE nonaktif")
    parameter_name = "lpse_nonaktif"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("terbuka", _lazy("Tiket terbuka di LPSE nonaktif"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
        if self.value() == "terbuka":
            return queryset.filter(lpse__is_active=False, status__in=OPEN_STATUSES)
        return queryset


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ("created_at", "author", "kind", "is_internal", "body")
    readonly_fields = fields


class TicketEventInline(ReadOnlyInline):
    model = TicketEvent
    fields = ("created_at", "actor", "kind", "from_status", "to_status", "is_internal", "reason")
    readonly_fields = fields


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "title",
        "lpse",
        "application",
        "priority",
        "status",
        "tier",
        "holder",
        "created_at",
    )
    list_filter = ("status", "tier", "priority", "application", InactiveLpseFilter)
    search_fields = ("=number", "title")
    date_hierarchy = "created_at"
    list_select_related = ("lpse", "application", "holder")
    # Explicitly listed: the state machine's fields are never editable here.
    readonly_fields = ("status", "holder", "tier", "revision", "max_tier")
    inlines = [MessageInline, TicketEventInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Ticket]:
        return visible_tickets(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
