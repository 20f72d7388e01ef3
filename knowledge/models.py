"""The knowledge base (*Pusat Bantuan*, issue 18): articles, their versions and votes.

Who may read or edit is decided in `tickets/access.py`; every write goes through
`knowledge/services.py`, which also keeps the versions and the search entries current.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reference.choices import ChoiceLabels
from tickets.access import ARTICLE_PUBLISHED

TITLE_MAX_LENGTH = 200
SLUG_MAX_LENGTH = 120
SUMMARY_MAX_LENGTH = 500
# An article is a page of help, not a manual: 100,000 characters is far beyond any.
BODY_MAX_LENGTH = 100_000


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draf")
    PUBLISHED = ARTICLE_PUBLISHED, _("Terbit")
    ARCHIVED = "archived", _("Diarsipkan")


class Article(ChoiceLabels, models.Model):
    """A help article in Markdown, about one or more applications and categories."""

    title = models.CharField(_("judul"), max_length=TITLE_MAX_LENGTH)
    slug = models.SlugField(_("slug"), max_length=SLUG_MAX_LENGTH, unique=True)
    summary = models.CharField(_("ringkasan"), max_length=SUMMARY_MAX_LENGTH, blank=True)
    body = models.TextField(_("isi (Markdown)"), max_length=BODY_MAX_LENGTH)
    status = models.CharField(
        _("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    applications = models.ManyToManyField(
        "reference.Application",
        verbose_name=_("aplikasi"),
        related_name="articles",
        blank=True,
    )
    categories = models.ManyToManyField(
        "reference.Category", verbose_name=_("kategori"), related_name="articles", blank=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("penulis"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    last_reviewed_on = models.DateField(_("terakhir ditinjau"), null=True, blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)
    published_at = models.DateTimeField(_("diterbitkan"), null=True, blank=True)
    # PostgreSQL's search entry (knowledge/search.py); SQLite keeps an FTS5 table instead.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("artikel")
        verbose_name_plural = _("artikel")
        indexes = [
            models.Index(fields=["status", "title"], name="article_status_title"),
            # The newest change, which tells Buat Tiket's article index to rebuild.
            models.Index(fields=["updated_at"], name="article_updated"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:article", args=[self.slug])


class ArticleVersion(models.Model):
    """The title and body as an editor saved them; every save of either keeps one."""

    article = models.ForeignKey(
        Article, verbose_name=_("artikel"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("versi"))
    title = models.CharField(_("judul"), max_length=TITLE_MAX_LENGTH)
    body = models.TextField(_("isi (Markdown)"))
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("penyunting"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    saved_at = models.DateTimeField(_("disimpan"))

    class Meta:
        ordering = ["article", "-number"]
        verbose_name = _("versi artikel")
        verbose_name_plural = _("versi artikel")
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="articleversion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class ArticleVote(models.Model):
    """*Apakah artikel ini membantu?* — one answer per person per article (changeable)."""

    article = models.ForeignKey(
        Article, verbose_name=_("artikel"), on_delete=models.CASCADE, related_name="votes"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pengguna"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    helpful = models.BooleanField(_("membantu"))
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    class Meta:
        verbose_name = _("penilaian artikel")
        verbose_name_plural = _("penilaian artikel")
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="articlevote_unique")
        ]

    def __str__(self) -> str:
        return f"{self.article_id}:{self.user_id}:{self.helpful}"


class CategoryModel(models.Model):
    """A trained category-suggestion model (`lib/category_model.py`) as JSON: the row with
    the highest version is the one in use; older rows stay for comparison."""

    version = models.PositiveIntegerField(_("versi"), unique=True)
    trained_at = models.DateTimeField(_("dilatih"))
    examples = models.PositiveIntegerField(_("jumlah contoh"))
    categories = models.PositiveIntegerField(_("jumlah kategori"))
    classifier = models.CharField(_("pengklasifikasi"), max_length=20)
    seconds = models.FloatField(_("lama pelatihan (detik)"))
    note = models.CharField(_("catatan"), max_length=300, blank=True)
    # `Model.to_json()`: never a pickle (Model.from_json refuses one).
    payload = models.TextField(_("model (JSON)"))

    class Meta:
        ordering = ["-version"]
        verbose_name = _("model kategori")
        verbose_name_plural = _("model kategori")

    def __str__(self) -> str:
        return f"v{self.version} ({self.examples})"


class SuggestionsShown(models.Model):
    """What Buat Tiket suggested (the last suggestions on the form) before the reporter
    filed the ticket anyway (issue 18; `knowledge/deflection.py`)."""

    ticket = models.OneToOneField(
        "tickets.Ticket",
        verbose_name=_("tiket"),
        on_delete=models.CASCADE,
        related_name="suggestions_shown",
    )
    articles = models.ManyToManyField(
        Article, verbose_name=_("artikel disarankan"), related_name="+", blank=True
    )
    categories = models.ManyToManyField(
        "reference.Category", verbose_name=_("kategori disarankan"), related_name="+", blank=True
    )
    recorded_at = models.DateTimeField(_("dicatat"), default=timezone.now)

    class Meta:
        verbose_name = _("saran yang ditampilkan")
        verbose_name_plural = _("saran yang ditampilkan")

    def __str__(self) -> str:
        return f"{self.ticket_id}"


class ArticleOpening(models.Model):
    """A reporter opened an article that Buat Tiket suggested, from the form with this
    submission key: a deflection unless a ticket of that form was filed after all."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pelapor"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    article = models.ForeignKey(
        Article, verbose_name=_("artikel"), on_delete=models.CASCADE, related_name="openings"
    )
    submission_key = models.CharField(_("kunci formulir"), max_length=64)
    opened_at = models.DateTimeField(_("dibuka"), default=timezone.now)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("tiket yang tetap dibuat"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("artikel dibuka dari saran")
        verbose_name_plural = _("artikel dibuka dari saran")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "submission_key", "article"], name="articleopening_unique"
            )
        ]
        indexes = [models.Index(fields=["article", "opened_at"], name="articleopening_recent")]

    def __str__(self) -> str:
        return f"{self.article_id}:{self.user_id}"


class SuggestedForm(models.Model):
    """A Buat Tiket form (its submission key) that the suggestions showed something,
    recorded once, the first time (issue 18's deflection report; `knowledge/deflection.py`).

    The dimensions are the form's at that moment: the reporter's LPSE and role, the
    application chosen, and the category chosen or else the top suggested one. `shown_on`
    is the local date in the reporter's LPSE zone (WIB without one), as the tickets' fact
    rows count days. Whether a ticket was filed from the form is read from the ticket
    (same reporter and submission key), so filing writes nothing here.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pelapor"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    submission_key = models.CharField(_("kunci formulir"), max_length=64)
    lpse = models.ForeignKey(
        "reference.Lpse",
        verbose_name=_("LPSE pelapor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reporter_role = models.CharField(_("peran pelapor"), max_length=20, blank=True)
    application = models.ForeignKey(
        "reference.Application",
        verbose_name=_("aplikasi"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    category = models.ForeignKey(
        "reference.Category",
        verbose_name=_("kategori"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    first_shown_at = models.DateTimeField(_("pertama ditampilkan"), default=timezone.now)
    shown_on = models.DateField(_("tanggal lokal"))

    class Meta:
        verbose_name = _("formulir dengan saran")
        verbose_name_plural = _("formulir dengan saran")
        constraints = [
            models.UniqueConstraint(fields=["user", "submission_key"], name="suggestedform_unique")
        ]
        indexes = [models.Index(fields=["shown_on"], name="suggestedform_day")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.submission_key}"


# --- Article images and canned-response links (issue 18) ----------------------------------

ALT_MAX_LENGTH = 200


class ArticleImage(models.Model):
    """An image of one article, stored through the storage API (`knowledge/images.py`)
    and served by `knowledge:image` to whoever may read that article."""

    article = models.ForeignKey(
        Article,
        verbose_name=_("artikel"),
        # An article with images is never deleted under them: no file is left behind.
        on_delete=models.PROTECT,
        related_name="images",
    )
    file = models.FileField(_("berkas"), max_length=300)
    alt = models.CharField(_("teks alternatif"), max_length=ALT_MAX_LENGTH)
    original_name = models.CharField(_("nama berkas asli"), max_length=255)
    content_type = models.CharField(_("tipe isi"), max_length=50)
    size = models.PositiveIntegerField(_("ukuran (bita)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("diunggah oleh"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("diunggah"), default=timezone.now)

    class Meta:
        ordering = ["article", "id"]
        verbose_name = _("gambar artikel")
        verbose_name_plural = _("gambar artikel")

    def __str__(self) -> str:
        return f"{self.article_id}:{self.pk} {self.original_name}"

    def get_absolute_url(self) -> str:
        return reverse("knowledge:image", args=[self.pk])

    @property
    def markdown(self) -> str:
        """The snippet an editor pastes into the article's body."""
        alt = self.alt.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
        return f"![{alt}]({self.get_absolute_url()})"


class CannedResponseArticle(models.Model):
    """A Pusat Bantuan article that comes with a canned response (*Jawaban siap pakai*)
    into the reply: its title and address, while it is published (`knowledge/canned.py`)."""

    canned_response = models.ForeignKey(
        "reference.CannedResponse",
        verbose_name=_("jawaban siap pakai"),
        on_delete=models.CASCADE,
        related_name="article_links",
    )
    article = models.ForeignKey(
        Article, verbose_name=_("artikel"), on_delete=models.CASCADE, related_name="canned_links"
    )
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        ordering = ["canned_response", "order", "id"]
        verbose_name = _("artikel jawaban siap pakai")
        verbose_name_plural = _("artikel jawaban siap pakai")
        constraints = [
            models.UniqueConstraint(
                fields=["canned_response", "article"], name="cannedresponsearticle_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.canned_response_id}:{self.article_id}"
