import string
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Priority(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    MAJOR = "major", _("Major")
    MEDIUM = "medium", _("Medium")
    MINOR = "minor", _("Minor")


class CodeKind(models.TextChoices):
    NONE = "none", _("Tidak ada")
    TENDER = "tender", _("Kode Tender")
    NON_TENDER = "non_tender", _("Kode Non Tender")
    RUP = "rup", _("Kode RUP")
    CATALOG = "catalog", _("Kode Paket Katalog")


class TimeZone(models.TextChoices):
    WIB = "Asia/Jakarta", "WIB"
    WITA = "Asia/Makassar", "WITA"
    WIT = "Asia/Jayapura", "WIT"


TIME_ZONE_ABBREVIATIONS = {tz.value: tz.label for tz in TimeZone}


class Directorate(models.Model):
    code = models.SlugField(_("kode"), max_length=30, unique=True)
    name = models.CharField(_("nama"), max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name = _("direktorat")
        verbose_name_plural = _("direktorat")

    def __str__(self) -> str:
        return self.name


class Application(models.Model):
    code = models.CharField(_("kode"), max_length=20, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    directorate = models.ForeignKey(
        Directorate, verbose_name=_("direktorat"), on_delete=models.PROTECT
    )
    is_active = models.BooleanField(_("aktif"), default=True)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("aplikasi")
        verbose_name_plural = _("aplikasi")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class ApplicationGroup(models.Model):
    """Applications handled together by one LKPP helpdesk (tier 2) and technical team (tier 3)."""

    code = models.SlugField(_("kode"), max_length=30, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    directorate = models.ForeignKey(
        Directorate, verbose_name=_("direktorat"), on_delete=models.PROTECT, null=True, blank=True
    )
    applications = models.ManyToManyField(
        Application, verbose_name=_("aplikasi"), related_name="groups", blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("grup aplikasi")
        verbose_name_plural = _("grup aplikasi")

    def __str__(self) -> str:
        return self.name


class ApplicationVersion(models.Model):
    application = models.ForeignKey(
        Application, verbose_name=_("aplikasi"), on_delete=models.CASCADE, related_name="versions"
    )
    name = models.CharField(_("versi"), max_length=50)
    is_active = models.BooleanField(_("aktif"), default=True)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        ordering = ["application", "order", "-name"]
        verbose_name = _("versi aplikasi")
        verbose_name_plural = _("versi aplikasi")
        constraints = [
            models.UniqueConstraint(fields=["application", "name"], name="version_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.application.code} {self.name}"


class Category(models.Model):
    """A node of an application's category tree; tickets use leaves only."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("aplikasi"),
        on_delete=models.CASCADE,
        related_name="categories",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("induk"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    name = models.CharField(_("nama"), max_length=200)
    is_leaf = models.BooleanField(_("kategori akhir"), default=True)
    base_priority = models.CharField(
        _("prioritas dasar"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM
    )
    code_kind = models.CharField(
        _("jenis kode"), max_length=12, choices=CodeKind.choices, default=CodeKind.NONE
    )
    code_required = models.BooleanField(_("kode wajib"), default=False)
    is_blocking = models.BooleanField(_("menghambat kegiatan berbatas waktu"), default=False)
    is_question = models.BooleanField(_("pertanyaan/konsultasi"), default=False)
    is_active = models.BooleanField(_("aktif"), default=True)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        ordering = ["application", "order", "name"]
        verbose_name = _("kategori")
        verbose_name_plural = _("kategori")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "parent", "name"], name="category_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.path_label

    @property
    def path_label(self) -> str:
        if self.parent_id is None:
            return self.name
        return f"{self.parent.name} › {self.name}"  # type: ignore[union-attr]


class TicketType(models.Model):
    code = models.SlugField(_("kode"), max_length=30, unique=True)
    name = models.CharField(_("nama"), max_length=100)
    is_suggestion = models.BooleanField(_("usulan"), default=False)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("tipe tiket")
        verbose_name_plural = _("tipe tiket")

    def __str__(self) -> str:
        return self.name


_LPSE_NAME_ABBREVIATIONS = (
    ("Lembaga Kebijakan Pengadaan Barang/Jasa Pemerintah", "LKPP"),
    ("Kabupaten ", "Kab. "),
    ("Provinsi ", "Prov. "),
    ("Kementerian ", "Kem. "),
)


class Lpse(models.Model):
    kd_lpse = models.PositiveIntegerField(_("kode LPSE"), unique=True)
    name = models.CharField(_("nama"), max_length=200)
    province = models.CharField(_("provinsi"), max_length=100)
    timezone = models.CharField(
        _("zona waktu"), max_length=20, choices=TimeZone.choices, default=TimeZone.WIB
    )
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("LPSE")
        verbose_name_plural = _("LPSE")

    def __str__(self) -> str:
        return self.name

    @property
    def timezone_abbreviation(self) -> str:
        return TIME_ZONE_ABBREVIATIONS.get(self.timezone, self.timezone)

    @property
    def short_name(self) -> str:
        """The name for narrow lists: without "LPSE", with the usual abbreviations
        (Kabupaten Lombok Barat → Kab. Lombok Barat); the full name goes in a tooltip."""
        name = self.name.removeprefix("LPSE ").strip() or self.name
        for word, short in _LPSE_NAME_ABBREVIATIONS:
            name = name.replace(word, short)
        return name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class RatingCategory(models.Model):
    name = models.CharField(_("nama"), max_length=200, unique=True)
    # Star values (1–5) this category is offered for.
    stars = models.JSONField(_("untuk bintang"), default=list)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("kategori penilaian")
        verbose_name_plural = _("kategori penilaian")

    def __str__(self) -> str:
        return self.name


class CannedResponse(models.Model):
    """A ready-made reply text offered to staff; per application, or for all when empty."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("aplikasi"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_responses",
    )
    title = models.CharField(_("judul"), max_length=200)
    body = models.TextField(_("isi"))
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("jawaban siap pakai")
        verbose_name_plural = _("jawaban siap pakai")

    def __str__(self) -> str:
        return self.title


class PriorityRuleKind(models.TextChoices):
    """The conditions `tickets.priority` knows how to evaluate (DESIGN §5)."""

    SUGGESTION_OR_QUESTION = "suggestion_or_question", _("Usulan atau pertanyaan/konsultasi")
    BLOCKING_DEADLINE = "blocking_deadline", _("Kategori menghambat + tahap berbatas waktu")
    ACTIVE_TENDER_RAISE = "active_tender_raise", _("Tender sedang berlangsung menaikkan")
    BASE = "base", _("Prioritas dasar kategori")


# Placeholders an explanation template may use (see tickets.priority).
PRIORITY_RULE_PLACEHOLDERS = (
    "priority",
    "base",
    "category",
    "reason",
    "stage",
    "remaining",
    "ends_at",
    "zone",
    "status",
    "tender",
)


class PriorityRule(models.Model):
    """One admin-editable step of the priority computation; the first matching active rule wins."""

    order = models.PositiveSmallIntegerField(_("urutan"), unique=True)
    name = models.CharField(_("nama"), max_length=200)
    kind = models.CharField(_("jenis kondisi"), max_length=30, choices=PriorityRuleKind.choices)
    is_active = models.BooleanField(_("aktif"), default=True)
    window_hours = models.PositiveSmallIntegerField(
        _("batas waktu (jam)"),
        default=24,
        help_text=_("Untuk tahap berbatas waktu: tahap berakhir dalam jangka ini."),
    )
    raise_levels = models.PositiveSmallIntegerField(
        _("naik berapa tingkat"), default=1, help_text=_("Untuk tender sedang berlangsung.")
    )
    max_priority = models.CharField(
        _("prioritas maksimal hasil kenaikan"),
        max_length=10,
        choices=Priority.choices,
        default=Priority.MAJOR,
    )
    result_priority = models.CharField(
        _("prioritas hasil"),
        max_length=10,
        choices=Priority.choices,
        blank=True,
        default="",
        help_text=_(
            "Kosong = bawaan jenisnya. Untuk aturan berhasil tetap "
            "(usulan/pertanyaan → Minor, tenggat → Emergency)."
        ),
    )
    explanation = models.CharField(
        _("templat penjelasan"),
        max_length=300,
        help_text=_(
            "Penanda yang tersedia: {priority}, {base}, {category}, {reason}, {stage}, "
            "{remaining}, {ends_at}, {zone}, {status}, {tender}."
        ),
    )

    class Meta:
        ordering = ["order"]
        verbose_name = _("aturan prioritas")
        verbose_name_plural = _("aturan prioritas")

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"

    def clean(self) -> None:
        try:
            names = {
                field for _text, field, _spec, _conv in string.Formatter().parse(self.explanation)
            }
        except ValueError as error:
            raise ValidationError({"explanation": str(error)}) from error
        unknown = sorted(
            name for name in names if name is not None and name not in PRIORITY_RULE_PLACEHOLDERS
        )
        if unknown:
            raise ValidationError(
                {"explanation": _("Penanda tidak dikenal: %s") % ", ".join(unknown)}
            )
