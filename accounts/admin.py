"""Django admin for people: staff with their assignments; reporters, read-mostly."""

import csv
import json
from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm, UsernameField
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from accounts.audit import (
    assignment_deleted,
    assignment_detail,
    assignment_saved,
    audit_record,
    request_address,
)
from accounts.models import AuditAction, AuditEvent, SsoKey, StaffAssignment, User
from accounts.throttle import StaffAdminAuthenticationForm

# /admin/login/ is throttled like /masuk/ and says so in the same words.
admin.site.login_form = StaffAdminAuthenticationForm

# The identity a reporter was handed over with: the source is authoritative for it.
SOURCE_FIELDS = (
    "source",
    "source_lpse",
    "source_user_id",
    "role",
    "last_sso_at",
    "profile_edited_fields",
)
# What else stays as the source (or the reporter under "Ubah Profil") left it.
REPORTER_READONLY_FIELDS = (
    "username",
    "full_name",
    "first_name",
    "last_name",
    "email",
    "phone",
    "instansi",
    "lpse",
    "is_staff",
    "is_superuser",
    "groups",
    "user_permissions",
    "last_login",
    "date_joined",
)


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("username", "full_name", "email")
        field_classes = {"username": UsernameField}


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes = {"username": UsernameField}


class StaffAssignmentInline(admin.TabularInline):
    model = StaffAssignment
    extra = 0
    fields = ("role", "lpse", "application_group", "title")
    autocomplete_fields = ("lpse",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    list_display = (
        "username",
        "full_name",
        "email",
        "source",
        "source_lpse",
        "role",
        "is_staff",
        "is_active",
    )
    list_filter = ("source", "role", "is_staff", "is_superuser", "is_active")
    search_fields = ("username", "full_name", "email", "source_user_id", "instansi")
    ordering = ("username",)
    autocomplete_fields = ("lpse",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Data pribadi"),
            {"fields": ("full_name", "first_name", "last_name", "email", "phone", "instansi")},
        ),
        (
            _("Zona waktu tampilan"),
            {
                "fields": ("lpse",),
                "description": _("Untuk petugas: waktu ditampilkan di zona waktu LPSE ini."),
            },
        ),
        (_("Identitas pelapor (dari SPSE/SiRUP)"), {"fields": SOURCE_FIELDS}),
        (
            _("Hak akses"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Tanggal penting"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "email", "password1", "password2"),
            },
        ),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        if obj.is_reporter:
            return SOURCE_FIELDS + REPORTER_READONLY_FIELDS
        return SOURCE_FIELDS

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        # Reporters never hold helpdesk assignments.
        if obj is None or obj.is_reporter:
            return []
        return [StaffAssignmentInline]

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        if formset.model is not StaffAssignment:
            super().save_formset(request, form, formset, change)
            return
        # What each changed row held before, read before the formset writes anything.
        changed_pks = [f.instance.pk for f in formset.forms if f.instance.pk and f.has_changed()]
        before = {
            assignment.pk: assignment_detail(assignment)
            for assignment in StaffAssignment.objects.filter(pk__in=changed_pks).select_related(
                "user", "lpse", "application_group"
            )
        }
        deleted = [
            (f.instance, assignment_detail(f.instance))
            for f in formset.deleted_forms
            if f.instance.pk is not None
        ]
        super().save_formset(request, form, formset, change)
        address = request_address(request)
        for assignment in formset.new_objects:
            assignment_saved(
                assignment=assignment, before=None, actor=request.user, address=address
            )
        for assignment, _fields in formset.changed_objects:
            assignment_saved(
                assignment=assignment,
                before=before.get(assignment.pk),
                actor=request.user,
                address=address,
            )
        for assignment, detail in deleted:
            audit_record(
                action=AuditAction.ASSIGNMENT_DELETED,
                actor=request.user,
                address=address,
                target=str(assignment)[:300],
                detail={"before": detail},
            )


@admin.register(StaffAssignment)
class StaffAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "lpse", "application_group", "title")
    list_filter = ("role", "application_group")
    search_fields = ("user__username", "user__full_name", "lpse__name", "title")
    autocomplete_fields = ("user", "lpse")
    list_select_related = ("user", "lpse", "application_group")

    def save_model(
        self, request: HttpRequest, obj: StaffAssignment, form: ModelForm, change: bool
    ) -> None:
        old = StaffAssignment.objects.filter(pk=obj.pk).first() if change and obj.pk else None
        before = assignment_detail(old) if old is not None else None
        super().save_model(request, obj, form, change)
        assignment_saved(
            assignment=obj, before=before, actor=request.user, address=request_address(request)
        )

    def delete_model(self, request: HttpRequest, obj: StaffAssignment) -> None:
        assignment_deleted(assignment=obj, actor=request.user, address=request_address(request))
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[StaffAssignment]) -> None:
        address = request_address(request)
        for assignment in queryset.select_related("user", "lpse", "application_group"):
            assignment_deleted(assignment=assignment, actor=request.user, address=address)
        super().delete_queryset(request, queryset)


# A cell starting with one of these is a formula to a spreadsheet; usernames of failed
# sign-ins are typed by anybody.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Append-only and for superusers only: list, filter, search and export."""

    list_display = ("at", "action", "actor_username", "address", "target")
    list_filter = ("action", "at")
    search_fields = ("actor_username", "address", "target")
    date_hierarchy = "at"
    readonly_fields = (
        "at",
        "action",
        "actor",
        "actor_username",
        "address",
        "target",
        "detail",
    )
    actions = ["export_csv"]
    list_per_page = 100

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Ekspor yang dipilih sebagai CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> HttpResponse:
        rows = list(queryset.order_by("at", "id"))
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [
                gettext_now("waktu"),
                gettext_now("aksi"),
                gettext_now("nama pengguna"),
                gettext_now("alamat klien"),
                gettext_now("sasaran"),
                gettext_now("rincian"),
            ]
        )
        for event in rows:
            writer.writerow(
                [
                    _csv_cell(event.at.isoformat()),
                    _csv_cell(event.action),
                    _csv_cell(event.actor_username),
                    _csv_cell(event.address),
                    _csv_cell(event.target),
                    _csv_cell(json.dumps(event.detail, ensure_ascii=False, sort_keys=True)),
                ]
            )
        # Exporting the log is itself an event: who took a copy, of how much.
        audit_record(
            action=AuditAction.EXPORT,
            actor=request.user,
            address=request_address(request),
            target=gettext_now("catatan audit"),
            detail={"rows": len(rows), "first_id": rows[0].pk if rows else None},
        )
        return response


@admin.register(SsoKey)
class SsoKeyAdmin(admin.ModelAdmin):
    """The hand-off verification keys: one or more per SPSE instance, and SiRUP's.

    Validation (key length and kind, LPSE codes, dates) is SsoKey.clean, which the admin
    form runs. Every change is recorded in the audit log: who, which kid, which fields —
    never the key itself.
    """

    list_display = (
        "kid",
        "source",
        "algorithm",
        "kd_lpse",
        "valid_from",
        "valid_until",
        "is_active",
    )
    list_filter = ("source", "algorithm", "is_active")
    search_fields = ("kid", "kd_lpse", "note")
    fields = (
        "source",
        "kid",
        "algorithm",
        "key",
        "kd_lpse",
        ("valid_from", "valid_until"),
        "is_active",
        "note",
        ("created_at", "updated_at"),
    )
    readonly_fields = ("created_at", "updated_at")

    def save_model(self, request: HttpRequest, obj: SsoKey, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _audit_sso_key(request, obj, changed=list(form.changed_data), change=change)

    def delete_model(self, request: HttpRequest, obj: SsoKey) -> None:
        _audit_sso_key(request, obj, changed=[], change=False, deleted=True)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SsoKey]) -> None:
        for key in queryset:
            _audit_sso_key(request, key, changed=[], change=False, deleted=True)
        super().delete_queryset(request, queryset)


def _audit_sso_key(
    request: HttpRequest, key: SsoKey, *, changed: list[str], change: bool, deleted: bool = False
) -> None:
    audit_record(
        action=AuditAction.SSO_KEY_CHANGED,
        actor=request.user,
        address=request_address(request),
        target=f"{key.source}:{key.kid}",
        detail={
            "operation": "deleted" if deleted else ("changed" if change else "created"),
            # Names of the changed fields only: the key material never enters the log.
            "fields": sorted(changed),
            "is_active": key.is_active,
            "kd_lpse": key.kd_lpse,
        },
    )
