"""Django admin for the reference data (DESIGN: managed in Django admin)."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from accounts.audit import audit_record, request_address
from accounts.models import AuditAction
from knowledge.admin import CannedResponseArticleInline
from reference.models import (
    Application,
    ApplicationGroup,
    ApplicationVersion,
    CannedResponse,
    Category,
    Directorate,
    Lpse,
    PriorityRule,
    RatingCategory,
    TicketType,
)
from sla.admin import CalendarAdmin


@admin.register(Directorate)
class DirectorateAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


class ApplicationVersionInline(admin.TabularInline):
    model = ApplicationVersion
    extra = 0
    fields = ("name", "is_active", "order")


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "directorate", "is_active", "order")
    list_filter = ("is_active", "directorate")
    search_fields = ("code", "name")
    list_select_related = ("directorate",)
    inlines = [ApplicationVersionInline]


def _group_state(group: ApplicationGroup) -> dict[str, Any]:
    return {
        "code": group.code,
        "name": group.name,
        "directorate": group.directorate.code if group.directorate else None,
        "applications": sorted(group.applications.values_list("code", flat=True)),
    }


@admin.register(ApplicationGroup)
class ApplicationGroupAdmin(admin.ModelAdmin):
    """A group's applications decide what its tier 2/3 staff and supervisors see: every
    change is in the audit log (accounts/audit.py)."""

    list_display = ("code", "name", "directorate")
    search_fields = ("code", "name")
    filter_horizontal = ("applications",)
    list_select_related = ("directorate",)

    def save_model(
        self, request: HttpRequest, obj: ApplicationGroup, form: ModelForm, change: bool
    ) -> None:
        old = ApplicationGroup.objects.filter(pk=obj.pk).first() if change and obj.pk else None
        # Kept on the form: the applications change only in save_related, after this.
        form._audit_before = _group_state(old) if old is not None else None  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        group = form.instance
        before = getattr(form, "_audit_before", None)
        after = _group_state(group)
        if before == after:
            return
        audit_record(
            action=AuditAction.GROUP_CHANGED,
            actor=request.user,
            address=request_address(request),
            target=str(group)[:300],
            detail={"group_id": group.pk, "before": before, "after": after},
        )

    def _record_delete(self, request: HttpRequest, group: ApplicationGroup) -> None:
        audit_record(
            action=AuditAction.GROUP_CHANGED,
            actor=request.user,
            address=request_address(request),
            target=str(group)[:300],
            detail={
                "group_id": group.pk,
                "deleted": True,
                "before": _group_state(group),
                # Assignments to the group go with it (on_delete=CASCADE).
                "assignments_deleted": [
                    str(assignment) for assignment in group.staffassignment_set.all()
                ],
            },
        )

    def delete_model(self, request: HttpRequest, obj: ApplicationGroup) -> None:
        self._record_delete(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ApplicationGroup]) -> None:
        for group in queryset:
            self._record_delete(request, group)
        super().delete_queryset(request, queryset)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "parent",
        "application",
        "is_leaf",
        "base_priority",
        "code_kind",
        "code_required",
        "is_active",
        "order",
    )
    list_filter = (
        "application",
        ("parent", admin.RelatedOnlyFieldListFilter),
        "is_leaf",
        "base_priority",
        "is_active",
    )
    search_fields = ("name", "parent__name")
    list_select_related = ("application", "parent")
    autocomplete_fields = ("parent",)


@admin.register(TicketType)
class TicketTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "is_suggestion", "order")


@admin.register(Lpse)
class LpseAdmin(CalendarAdmin):
    """An LPSE's time zone decides its calendar: a save reaches every process's books."""

    list_display = ("kd_lpse", "name", "province", "timezone", "is_active")
    list_filter = ("timezone", "is_active", "province")
    search_fields = ("name", "=kd_lpse")
    ordering = ("kd_lpse",)


@admin.register(RatingCategory)
class RatingCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "stars", "order")


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ("title", "application", "is_active")
    list_filter = ("is_active", "application")
    search_fields = ("title", "body")
    list_select_related = ("application",)
    # Pusat Bantuan articles that come with it into the reply (knowledge/canned.py).
    inlines = [CannedResponseArticleInline]


@admin.register(PriorityRule)
class PriorityRuleAdmin(admin.ModelAdmin):
    list_display = ("order", "name", "kind", "is_active")
    list_display_links = ("name",)
    list_editable = ("order", "is_active")
    list_filter = ("kind", "is_active")
    fieldsets = (
        (None, {"fields": ("order", "name", "kind", "is_active", "result_priority")}),
        ("Parameter", {"fields": ("window_hours", "raise_levels", "max_priority")}),
        (None, {"fields": ("explanation",)}),
    )
