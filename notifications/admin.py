from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _lazy

from notifications.models import MailOptOut, MailStatus, Notification, OutgoingMail
from notifications.tasks import mail_resend
from tickets.admin import visible_tickets


class TicketScopedAdmin(admin.ModelAdmin):
    """Rows about a ticket show only to who may see that ticket (DESIGN §1: the admin
    sees tickets only through assignments); rows about no ticket show to every admin."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        rows = super().get_queryset(request)
        return rows.filter(Q(ticket__isnull=True) | Q(ticket__in=visible_tickets(request)))


@admin.register(Notification)
class NotificationAdmin(TicketScopedAdmin):
    list_display = ("created_at", "recipient", "kind", "title", "read_at")
    list_filter = ("kind",)
    search_fields = ("title", "recipient__username", "ticket__number")
    raw_id_fields = ("recipient", "ticket")
    list_select_related = ("recipient",)


@admin.register(OutgoingMail)
class OutgoingMailAdmin(TicketScopedAdmin):
    """Why a mail failed, and sending it again; a ticket's mails only to who sees it."""

    list_display = ("created_at", "to_address", "subject", "status", "attempts", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("to_address", "subject", "ticket__number", "message_id")
    raw_id_fields = ("recipient", "ticket")
    date_hierarchy = "created_at"
    actions = ["resend"]
    readonly_fields = [
        field.name for field in OutgoingMail._meta.fields if field.name not in ("id",)
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_lazy("Kirim ulang email yang gagal"))
    def resend(self, request: HttpRequest, queryset: QuerySet[OutgoingMail]) -> None:
        count = mail_resend(
            mail_ids=list(queryset.filter(status=MailStatus.FAILED).values_list("pk", flat=True))
        )
        self.message_user(
            request,
            _lazy("%(count)d email dijadwalkan ulang.") % {"count": count},
            messages.SUCCESS,
        )


@admin.register(MailOptOut)
class MailOptOutAdmin(admin.ModelAdmin):
    list_display = ("user", "kind")
    list_filter = ("kind",)
    raw_id_fields = ("user",)
