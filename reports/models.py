"""What the reports app keeps itself: which monthly report mails went out.

Reports count the fact rows of the tickets app (`tickets.models.TicketFact`); the only
row of its own is the record that a supervisor's monthly report for a month was
written to the outbox (reports/monthly.py).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.models import OutgoingMail


class MonthlyReportMail(models.Model):
    """One person's monthly report e-mail for one month, written in the transaction of
    its outbox row: the unique pair is what makes a month go out to each person once,
    however often (and on however many machines) the job runs."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The first day of the month reported on.
    month = models.DateField(_("bulan"))
    mail = models.ForeignKey(
        OutgoingMail, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("email laporan bulanan")
        verbose_name_plural = _("email laporan bulanan")
        constraints = [
            models.UniqueConstraint(fields=["user", "month"], name="monthlyreportmail_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.month:%Y-%m}"
