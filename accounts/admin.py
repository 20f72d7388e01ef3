"""Django admin for people: staff with their assignments; reporters, read-mostly."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm, UsernameField
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import StaffAssignment, User
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


@admin.register(StaffAssignment)
class StaffAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "lpse", "application_group", "title")
    list_filter = ("role", "application_group")
    search_fields = ("user__username", "user__full_name", "lpse__name", "title")
    autocomplete_fields = ("user", "lpse")
    list_select_related = ("user", "lpse", "application_group")
