"""SLA targets, working hours and holidays are managed by admins (DESIGN §5)."""

from django.contrib import admin

from sla.models import Holiday, SlaPolicy, WorkingPeriod, WorkSchedule


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ("priority", "response_minutes", "resolution_minutes", "around_the_clock")
    list_editable = ("response_minutes", "resolution_minutes", "around_the_clock")


class WorkingPeriodInline(admin.TabularInline):
    model = WorkingPeriod
    extra = 0


@admin.register(WorkSchedule)
class WorkScheduleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "lpse")
    list_select_related = ("lpse",)
    autocomplete_fields = ("lpse",)
    inlines = [WorkingPeriodInline]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("date", "name", "kind", "lpse")
    list_filter = ("kind", "date")
    date_hierarchy = "date"
    search_fields = ("name",)
    list_select_related = ("lpse",)
    autocomplete_fields = ("lpse",)
