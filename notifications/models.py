"""In-app notifications: one row per recipient, written with the change that caused it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    TICKET_CREATED = "ticket_created", _("Tiket baru dibuat")
    ASSIGNED = "assigned", _("Tiket ditugaskan kepada Anda")
    REPLIED = "replied", _("Balasan dari helpdesk")
    FEEDBACK_REQUESTED = "feedback_requested", _("Helpdesk meminta feedback")
    FEEDBACK_GIVEN = "feedback_given", _("Pelapor mengirim feedback")
    RESOLVED = "resolved", _("Tiket diselesaikan, menunggu konfirmasi")
    REOPENED = "reopened", _("Pelapor membuka kembali tiket")
    ESCALATED = "escalated", _("Tiket dieskalasi ke tier Anda")
    RETURNED = "returned", _("Tiket dikembalikan ke tier Anda")
    CLOSED = "closed", _("Tiket selesai (dikonfirmasi pelapor)")
    FORCE_CLOSED = "force_closed", _("Tiket ditutup pelapor")
    AUTO_CLOSED = "auto_closed", _("Tiket ditutup otomatis")
    MERGED = "merged", _("Tiket digabung")
    SLA_WARNING = "sla_warning", _("Peringatan SLA")
    SLA_BREACH = "sla_breach", _("SLA terlampaui")
    PRIORITY_RAISED = "priority_raised", _("Prioritas tiket naik setelah kode diperiksa")
    # By e-mail only, to the supervisors (reports/monthly.py).
    MONTHLY_REPORT = "monthly_report", _("Laporan bulanan (hari kerja pertama setiap bulan)")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    kind = models.CharField(_("jenis"), max_length=30, choices=NotificationKind.choices)
    title = models.CharField(_("judul"), max_length=200)
    body = models.TextField(_("isi"), blank=True)
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now, editable=False)
    read_at = models.DateTimeField(_("dibaca"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notifikasi")
        verbose_name_plural = _("notifikasi")
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_recent"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class MailStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu dikirim")
    SENDING = "sending", _("Sedang dikirim")
    SENT = "sent", _("Terkirim")
    FAILED = "failed", _("Gagal")


class OutgoingMail(models.Model):
    """One e-mail to one address, written in the transaction of the change it reports.

    This row is the source of truth; background workers deliver it (`services.py`).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    to_address = models.EmailField(_("kepada"))
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, null=True, blank=True, related_name="mails"
    )
    kind = models.CharField(_("jenis"), max_length=30, choices=NotificationKind.choices)
    subject = models.CharField(_("subjek"), max_length=250)
    body_text = models.TextField()
    body_html = models.TextField()
    # Stable across retries, so that a mail sent twice after a crash is recognisable.
    message_id = models.CharField(max_length=200, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MailStatus.choices, default=MailStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    next_attempt_at = models.DateTimeField(_("percobaan berikutnya"))
    # When a task for this mail was last enqueued (the sweep does not pile up tasks).
    enqueued_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(_("terkirim"), null=True, blank=True)
    last_error = models.TextField(_("galat terakhir"), blank=True)
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("email keluar")
        verbose_name_plural = _("email keluar")
        indexes = [
            models.Index(
                fields=["status", "next_attempt_at"],
                condition=models.Q(status__in=["pending", "sending"]),
                name="mail_undelivered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.to_address}: {self.subject}"


class MailOptOut(models.Model):
    """A kind of notification a staff member does not want by e-mail (in-app stays)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_opt_outs"
    )
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="mailoptout_unique_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user} ✕ {self.kind}"
