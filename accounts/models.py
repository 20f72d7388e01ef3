from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReporterRole(models.TextChoices):
    PPK = "ppk", _("Pejabat Pembuat Komitmen (PPK)")
    POKJA = "pokja", _("Pokja Pemilihan")
    PP = "pp", _("Pejabat Pengadaan (PP)")
    PELAKU_USAHA = "pelaku_usaha", _("Pelaku Usaha")
    KUPPBJ = "kuppbj", _("KUPPBJ")
    PA_KPA = "pa_kpa", _("PA/KPA")
    ADMIN_PPE = "admin_ppe", _("Admin PPE pada Aplikasi SiRUP")


class SignInSource(models.TextChoices):
    SPSE = "spse", "SPSE"
    SIRUP = "sirup", "SiRUP"


# Which roles each source may hand over (DESIGN: SPSE roles vs SiRUP roles).
ROLES_BY_SOURCE: dict[str, frozenset[str]] = {
    SignInSource.SPSE: frozenset(
        {
            ReporterRole.PPK,
            ReporterRole.POKJA,
            ReporterRole.PP,
            ReporterRole.PELAKU_USAHA,
            ReporterRole.KUPPBJ,
        }
    ),
    SignInSource.SIRUP: frozenset({ReporterRole.PA_KPA, ReporterRole.ADMIN_PPE}),
}

PROFILE_FIELDS = ("full_name", "email", "phone", "instansi")


class User(AbstractUser):
    """A person: a reporter handed over by SPSE/SiRUP, or staff with a local password.

    A reporter's identity is (source, source_lpse, source_user_id); e-mail never
    identifies anybody.
    """

    full_name = models.CharField(_("nama"), max_length=200, blank=True)
    phone = models.CharField(_("no. HP"), max_length=30, blank=True)
    instansi = models.CharField(_("instansi"), max_length=300, blank=True)
    role = models.CharField(_("peran"), max_length=20, choices=ReporterRole.choices, blank=True)
    source = models.CharField(
        _("sumber masuk"), max_length=10, choices=SignInSource.choices, blank=True
    )
    # 0 for SiRUP, which is national.
    source_lpse = models.PositiveIntegerField(_("kode LPSE sumber"), default=0)
    source_user_id = models.CharField(_("user ID di sumber"), max_length=150, blank=True)
    lpse = models.ForeignKey(
        "reference.Lpse",
        verbose_name=_("LPSE"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Fields the reporter changed under "Ubah Profil": sign-in never overwrites them.
    profile_edited_fields = models.JSONField(default=list, blank=True)
    last_sso_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_lpse", "source_user_id"],
                condition=~models.Q(source=""),
                name="user_unique_source_identity",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    @property
    def is_reporter(self) -> bool:
        return bool(self.source)


class UsedSsoToken(models.Model):
    """A `jti` already used to sign in; a second use of the same token is a replay."""

    source = models.CharField(max_length=10, choices=SignInSource.choices)
    jti = models.CharField(max_length=200)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "jti"], name="usedssotoken_unique_jti")
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.jti}"


class StaffRole(models.TextChoices):
    AGENT = "agent", _("Tier 1 — Agen LPSE")
    LKPP = "lkpp", _("Tier 2 — Helpdesk Eproc LKPP")
    TECHNICAL = "technical", _("Tier 3 — Tim Teknis")
    SUPERVISOR = "supervisor", _("Supervisor")


STAFF_ROLE_TIERS: dict[str, int] = {StaffRole.AGENT: 1, StaffRole.LKPP: 2, StaffRole.TECHNICAL: 3}


class StaffAssignment(models.Model):
    """One thing a staff member does: tier 1 at an LPSE, tier 2/3 for an application
    group, or supervisor (national when neither LPSE nor group is set)."""

    user = models.ForeignKey(
        User, verbose_name=_("petugas"), on_delete=models.CASCADE, related_name="assignments"
    )
    role = models.CharField(_("peran"), max_length=20, choices=StaffRole.choices)
    lpse = models.ForeignKey(
        "reference.Lpse", verbose_name=_("LPSE"), on_delete=models.CASCADE, null=True, blank=True
    )
    application_group = models.ForeignKey(
        "reference.ApplicationGroup",
        verbose_name=_("grup aplikasi"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    title = models.CharField(
        _("jabatan"),
        max_length=100,
        blank=True,
        help_text=_("Misalnya helpdesk, verifikator, admin agency, admin PPE."),
    )

    class Meta:
        verbose_name = _("penugasan petugas")
        verbose_name_plural = _("penugasan petugas")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role="agent", lpse__isnull=False, application_group__isnull=True)
                    | models.Q(
                        role__in=["lkpp", "technical"],
                        lpse__isnull=True,
                        application_group__isnull=False,
                    )
                    | models.Q(role="supervisor", lpse__isnull=True)
                    | models.Q(role="supervisor", application_group__isnull=True)
                ),
                name="staffassignment_scope_matches_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "lpse", "application_group"],
                name="staffassignment_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        scope = self.lpse or self.application_group or _("nasional")
        return f"{self.user} · {self.get_role_display()} · {scope}"


class ApiToken(models.Model):
    """A personal API token: shown once when created, stored only as a hash."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nama token"), max_length=100)
    # The public part of the token, to find the row without storing the secret.
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("terakhir dipakai"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("dicabut"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("token API")
        verbose_name_plural = _("token API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AuditAction(models.TextChoices):
    SIGN_IN = "sign_in", _("Masuk")
    SIGN_IN_FAILED = "sign_in_failed", _("Gagal masuk")
    SIGN_OUT = "sign_out", _("Keluar")
    LOCKED_OUT = "locked_out", _("Dikunci karena gagal masuk berulang")
    API_TOKEN_CREATED = "api_token_created", _("Token API dibuat")
    API_TOKEN_REVOKED = "api_token_revoked", _("Token API dicabut")
    ASSIGNMENT_CREATED = "assignment_created", _("Penugasan dibuat")
    ASSIGNMENT_CHANGED = "assignment_changed", _("Penugasan diubah")
    ASSIGNMENT_DELETED = "assignment_deleted", _("Penugasan dihapus")
    GROUP_CHANGED = "group_changed", _("Grup aplikasi diubah")
    SSO_KEY_CHANGED = "sso_key_changed", _("Kunci SSO diubah")
    EXPORT = "export", _("Ekspor")


class AuditLogIsAppendOnly(Exception):
    """An audit event is never changed or removed once written."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: object) -> int:
        raise AuditLogIsAppendOnly("audit events cannot be updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("audit events cannot be deleted")


class AuditEvent(models.Model):
    """One security-relevant event (accounts/audit.py); rows are only ever added."""

    at = models.DateTimeField(_("waktu"), default=timezone.now, db_index=True)
    # The account may be deleted later; actor_username keeps who it was.
    actor = models.ForeignKey(
        User,
        verbose_name=_("pelaku"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_username = models.CharField(_("nama pengguna"), max_length=150, blank=True)
    action = models.CharField(_("aksi"), max_length=30, choices=AuditAction.choices)
    address = models.CharField(_("alamat klien"), max_length=45, blank=True)
    target = models.CharField(_("sasaran"), max_length=300, blank=True)
    detail = models.JSONField(_("rincian"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("catatan audit")
        verbose_name_plural = _("catatan audit")
        indexes = [models.Index(fields=["action", "-at"], name="auditevent_action_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogIsAppendOnly("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("audit events cannot be deleted")
