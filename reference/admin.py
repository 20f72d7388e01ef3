"""Django admin for the reference data (DESIGN: managed in Django admin)."""

from django.contrib import admin

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


@admin.register(ApplicationGroup)
class ApplicationGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "directorate")
    search_fields = ("code", "name")
    filter_horizontal = ("applications",)
    list_select_related = ("directorate",)


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
class LpseAdmin(admin.ModelAdmin):
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
