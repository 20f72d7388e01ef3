"""Django admin for tickets: read-only. Every change goes through the state machine
(`tickets.services`), never through a form that could set a status, holder or tier."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tickets.models import Message, Ticket, TicketEvent


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
    list_filter = ("status", "tier", "priority", "application")
    search_fields = ("=number", "title")
    date_hierarchy = "created_at"
    list_select_related = ("lpse", "application", "holder")
    # Explicitly listed: the state machine's fields are never editable here.
    readonly_fields = ("status", "holder", "tier", "revision", "max_tier")
    inlines = [MessageInline, TicketEventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
