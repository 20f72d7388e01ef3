"""SLA policy and the working calendar it is counted in (DESIGN §5), admin-managed."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from reference.models import Priority


class SlaPolicy(models.Model):
    """Targets for one priority: first response and resolution, in working minutes."""

    priority = models.CharField(
        _("prioritas"), max_length=10, choices=Priority.choices, unique=True
    )
    response_minutes = models.PositiveIntegerField(
        _("target respons pertama (menit)"),
        help_text=_("Dalam menit kerja; 1 hari kerja = 480 menit (8 jam kerja)."),
    )
    resolution_minutes = models.PositiveIntegerField(
        _("target penyelesaian (menit)"),
        help_text=_("Dalam menit kerja; 1 hari kerja = 480 menit (8 jam kerja)."),
    )
    around_the_clock = models.BooleanField(
        _("dihitung 24 jam"),
        default=False,
        help_text=_("Dihitung terus-menerus, termasuk malam, akhir pekan, dan hari libur."),
    )

    class Meta:
        verbose_name = _("kebijakan SLA")
        verbose_name_plural = _("kebijakan SLA")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(response_minutes__gt=0, resolution_minutes__gt=0),
                name="slapolicy_positive_targets",
            )
        ]

    def __str__(self) -> str:
        return str(Priority(self.priority).label)

    @property
    def response_target(self) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.response_minutes)

    @property
    def resolution_target(self) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.resolution_minutes)


class WorkSchedule(models.Model):
    """Working hours of one LPSE, or the national default when no LPSE is set."""

    lpse = models.OneToOneField(
        "reference.Lpse",
        verbose_name=_("LPSE"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Kosongkan untuk jam kerja nasional (dipakai LPSE tanpa jam kerja sendiri)."),
    )

    class Meta:
        verbose_name = _("jam kerja")
        verbose_name_plural = _("jam kerja")
        constraints = [
            # NULLs are distinct in a plain unique index: 0 stands for "national".
            models.UniqueConstraint(
                Coalesce("lpse", models.Value(0)), name="workschedule_one_per_lpse_or_national"
            )
        ]

    def __str__(self) -> str:
        if self.lpse_id is None:
            return str(_("Jam kerja nasional"))
        return str(_("Jam kerja %(lpse)s") % {"lpse": self.lpse})


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Senin")
    TUESDAY = 1, _("Selasa")
    WEDNESDAY = 2, _("Rabu")
    THURSDAY = 3, _("Kamis")
    FRIDAY = 4, _("Jumat")
    SATURDAY = 5, _("Sabtu")
    SUNDAY = 6, _("Minggu")


class WorkingPeriod(models.Model):
    """One stretch of working time on a weekday, in the LPSE's local time."""

    schedule = models.ForeignKey(WorkSchedule, on_delete=models.CASCADE, related_name="periods")
    weekday = models.PositiveSmallIntegerField(_("hari"), choices=Weekday.choices)
    start = models.TimeField(_("mulai"))
    end = models.TimeField(_("selesai"))

    class Meta:
        ordering = ["weekday", "start"]
        verbose_name = _("waktu kerja")
        verbose_name_plural = _("waktu kerja")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="workingperiod_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self) -> None:
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValidationError(_("Jam selesai harus setelah jam mulai."))


class HolidayKind(models.TextChoices):
    PUBLIC = "public", _("Hari libur nasional")
    JOINT = "joint", _("Cuti bersama")
    LOCAL = "local", _("Libur daerah")


class Holiday(models.Model):
    """A day without working time: national (no LPSE) or for one LPSE only."""

    date = models.DateField(_("tanggal"))
    name = models.CharField(_("nama"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=10, choices=HolidayKind.choices)
    lpse = models.ForeignKey(
        "reference.Lpse",
        verbose_name=_("LPSE"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Kosongkan untuk libur nasional."),
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("hari libur")
        verbose_name_plural = _("hari libur")
        constraints = [
            models.UniqueConstraint(
                fields=["date"],
                condition=models.Q(lpse__isnull=True),
                name="holiday_unique_national_date",
            ),
            models.UniqueConstraint(fields=["date", "lpse"], name="holiday_unique_lpse_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"
