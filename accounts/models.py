from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.ssokeys import key_problem, parse_kd_lpse_list
from reference.choices import ChoiceLabels


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


class User(ChoiceLabels, AbstractUser):
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


class PendingSsoSignIn(models.Model):
    """A verified hand-off waiting for the browser to come back to /sso/lanjut/.

    The hand-off is a cross-site POST, which a SameSite=Lax session cookie does not
    accompany: the POST cannot see who is signed in, and setting a session there would
    replace that person silently. So the POST only records the verified identity here,
    keyed by a random value set in a cookie of its own, and the same-site GET that
    follows decides (or asks) with the real session at hand.
    """

    # SHA-256 of the cookie value: the row alone does not sign anybody in.
    nonce_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=10, choices=SignInSource.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.source}:{self.user_id}"


class SsoAlgorithm(models.TextChoices):
    HS256 = "HS256", _("HS256 (rahasia bersama)")
    RS256 = "RS256", _("RS256 (kunci publik RSA)")


class SsoKey(models.Model):
    """A key SPSE or SiRUP signs hand-off tokens with, selected by the token's `kid`.

    About 700 SPSE instances each sign with their own key, restricted to the LPSEs it
    may vouch for, so that one compromised SPSE cannot sign in reporters of another
    LPSE. Rotation: add the new key with a later valid_from, then deactivate the old.
    """

    source = models.CharField(_("sumber masuk"), max_length=10, choices=SignInSource.choices)
    kid = models.CharField(
        _("kid"),
        max_length=100,
        help_text=_("Nilai header `kid` token yang memilih kunci ini, mis. spse-119-2026."),
    )
    algorithm = models.CharField(
        _("algoritma"), max_length=10, choices=SsoAlgorithm.choices, default=SsoAlgorithm.HS256
    )
    key = models.TextField(
        _("kunci verifikasi"),
        help_text=_(
            "HS256: rahasia bersama, minimal 32 byte. RS256: kunci publik RSA (PEM), "
            "bukan kunci privat."
        ),
    )
    kd_lpse = models.CharField(
        _("kode LPSE yang diizinkan"),
        max_length=4000,
        blank=True,
        help_text=_(
            "Kode LPSE yang boleh ditandatangani kunci ini, dipisahkan koma (mis. 119, 120). "
            "Wajib untuk SPSE; kosong untuk SiRUP yang bersifat nasional."
        ),
    )
    valid_from = models.DateTimeField(_("berlaku mulai"), null=True, blank=True)
    valid_until = models.DateTimeField(_("berlaku sampai"), null=True, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)
    note = models.CharField(_("catatan"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    class Meta:
        verbose_name = _("kunci masuk SSO")
        verbose_name_plural = _("kunci masuk SSO")
        ordering = ["source", "kid"]
        constraints = [
            models.UniqueConstraint(fields=["source", "kid"], name="ssokey_unique_kid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} · {self.kid}"

    @property
    def allowed_lpse(self) -> frozenset[int]:
        """The LPSE codes this key may sign for; empty means any (SiRUP only)."""
        try:
            return frozenset(parse_kd_lpse_list(self.kd_lpse))
        except ValueError:
            # Only reachable if the row was written around validation: allow nothing.
            return frozenset({-1})

    def is_valid_at(self, moment: datetime) -> bool:
        if not self.is_active:
            return False
        if self.valid_from is not None and moment < self.valid_from:
            return False
        return self.valid_until is None or moment < self.valid_until

    def clean(self) -> None:
        errors: dict[str, str] = {}
        problem = key_problem(self.algorithm, self.key or "")
        if problem:
            errors["key"] = problem
        try:
            codes = parse_kd_lpse_list(self.kd_lpse or "")
        except ValueError as error:
            errors["kd_lpse"] = str(error)
        else:
            if self.source == SignInSource.SPSE and not codes:
                errors["kd_lpse"] = str(
                    _(
                        "Kunci SPSE wajib menyebut minimal satu kode LPSE yang boleh "
                        "ia tandatangani."
                    )
                )
            elif self.source == SignInSource.SIRUP and codes:
                errors["kd_lpse"] = str(
                    _("SiRUP bersifat nasional: kosongkan kode LPSE untuk kunci SiRUP.")
                )
            else:
                self.kd_lpse = ", ".join(str(code) for code in codes)
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            errors["valid_until"] = str(_("Tanggal akhir berlaku harus setelah tanggal mulai."))
        if errors:
            raise ValidationError(errors)


class StaffRole(models.TextChoices):
    AGENT = "agent", _("Tier 1 — Agen LPSE")
    LKPP = "lkpp", _("Tier 2 — Helpdesk Eproc LKPP")
    TECHNICAL = "technical", _("Tier 3 — Tim Teknis")
    SUPERVISOR = "supervisor", _("Supervisor")
    # Writes the knowledge base (Pusat Bantuan, issue 18): national, no LPSE or group.
    EDITOR = "editor", _("Editor Pusat Bantuan")


STAFF_ROLE_TIERS: dict[str, int] = {StaffRole.AGENT: 1, StaffRole.LKPP: 2, StaffRole.TECHNICAL: 3}


class StaffAssignment(models.Model):
    """One thing a staff member does: tier 1 at an LPSE, tier 2/3 for an application
    group, supervisor (national when neither LPSE nor group is set), or editor of the
    knowledge base (always national)."""

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
                    | models.Q(role="editor", lpse__isnull=True, application_group__isnull=True)
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
