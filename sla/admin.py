"""SLA targets, working hours and holidays are managed by admins (DESIGN §5)."""

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from sla.calendars import calendar_changed
from sla.models import Holiday, SlaPolicy, WorkingPeriod, WorkSchedule


class CalendarAdmin(admin.ModelAdmin):
    """Every save or delete here reaches every process's SLA calendars at once."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        calendar_changed()

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        # The inlines (a schedule's working periods) are saved here, after save_model.
        super().save_related(request, form, formsets, change)
        calendar_changed()

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        super().delete_model(request, obj)
        calendar_changed()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        super().delete_queryset(request, queryset)
        calendar_changed()


@admin.register(SlaPolicy)
class SlaPolicyAdmin(CalendarAdmin):
    list_display = ("priority", "response_minutes", "resolution_minutes", "around_the_clock")
    list_editable = ("response_minutes", "resolution_minutes", "around_the_clock")


class WorkingPeriodInline(admin.TabularInline):
    model = WorkingPeriod
    extra = 0


@admin.register(WorkSchedule)
class WorkScheduleAdmin(CalendarAdmin):
    list_display = ("__str__", "lpse")
    list_select_related = ("lpse",)
    autocomplete_fields = ("lpse",)
    inlines = [WorkingPeriodInline]


@admin.register(Holiday)
class HolidayAdmin(CalendarAdmin):
    list_display = ("date", "name", "kind", "lpse")
    list_filter = ("kind", "date")
    date_hierarchy = "date"
    search_fields = ("name",)
    list_select_related = ("lpse",)
    autocomplete_fields = ("lpse",)
