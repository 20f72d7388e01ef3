"""The knowledge base's forms: the readers' search and the editors' article form."""

import hashlib
from typing import Any

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from knowledge.images import IMAGE_ACCEPT, image_help_text
from knowledge.models import (
    ALT_MAX_LENGTH,
    BODY_MAX_LENGTH,
    SLUG_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Article,
)
from reference.models import Application, CannedResponse, Category

QUERY_MAX_LENGTH = 200


class ArticleSearchForm(forms.Form):
    """`/bantuan/?q=…&aplikasi=SPSE&kategori=12`; a bad value is named and ignored."""

    q = forms.CharField(label=_lazy("Cari artikel"), required=False, max_length=QUERY_MAX_LENGTH)
    aplikasi = forms.ModelChoiceField(
        label=_lazy("Aplikasi"),
        queryset=Application.objects.filter(is_active=True).order_by("order", "code"),
        to_field_name="code",
        required=False,
        empty_label=_lazy("Semua aplikasi"),
        error_messages={
            "invalid_choice": _lazy("Aplikasi tidak dikenal; semua aplikasi ditampilkan.")
        },
    )
    kategori = forms.ModelChoiceField(
        label=_lazy("Kategori"),
        queryset=Category.objects.filter(is_active=True).select_related("application", "parent"),
        required=False,
        empty_label=_lazy("Semua kategori"),
        error_messages={
            "invalid_choice": _lazy("Kategori tidak dikenal; semua kategori ditampilkan.")
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].error_messages["max_length"] = _lazy(
            "Kata pencarian terlalu panjang (maksimal %(limit_value)d karakter); "
            "pencarian diabaikan."
        )
        self.fields["kategori"].widget.attrs["class"] = "kb-filter"

    def value(self, name: str) -> Any:
        """The field's cleaned value, or its empty value when it was not valid."""
        self.is_valid()
        return self.cleaned_data.get(name) or None


def content_digest(title: str, body: str) -> str:
    """What the editor saw in *Pratinjau*: publishing requires the same text."""
    return hashlib.sha256(f"{title}\0{body}".encode()).hexdigest()


class ArticleForm(forms.Form):
    title = forms.CharField(label=_lazy("Judul"), max_length=TITLE_MAX_LENGTH)
    slug = forms.SlugField(
        label=_lazy("Alamat (slug)"),
        max_length=SLUG_MAX_LENGTH,
        required=False,
        allow_unicode=False,
        help_text=_lazy(
            "Huruf kecil, angka dan tanda hubung, mis. lupa-kata-sandi-spse. "
            "Kosongkan untuk dibuat dari judul."
        ),
    )
    summary = forms.CharField(
        label=_lazy("Ringkasan"),
        max_length=SUMMARY_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    body = forms.CharField(
        label=_lazy("Isi (Markdown)"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_lazy(
            "Markdown: # Judul bagian, **tebal**, *miring*, daftar dengan -, tabel, "
            "`kode`, [tautan](https://…). HTML tidak diproses."
        ),
        strip=False,
    )
    applications = forms.ModelMultipleChoiceField(
        label=_lazy("Aplikasi"),
        queryset=Application.objects.order_by("order", "code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    categories = forms.ModelMultipleChoiceField(
        label=_lazy("Kategori"),
        queryset=Category.objects.select_related("application", "parent").order_by(
            "application__order", "application__code", "order", "name"
        ),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_lazy("Kategori harus milik salah satu aplikasi yang dipilih."),
    )
    last_reviewed_on = forms.DateField(
        label=_lazy("Terakhir ditinjau"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    previewed = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, article: Article | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.article = article
        self.fields["title"].error_messages["required"] = _lazy("Judul wajib diisi.")
        self.fields["body"].error_messages["required"] = _lazy("Isi artikel wajib diisi.")
        too_long = {
            "title": _lazy("Judul terlalu panjang: maksimal %(limit_value)d karakter."),
            "summary": _lazy("Ringkasan terlalu panjang: maksimal %(limit_value)d karakter."),
            "body": _lazy("Isi artikel terlalu panjang: maksimal %(limit_value)d karakter."),
        }
        for name, message in too_long.items():
            self.fields[name].error_messages["max_length"] = message
        self.fields["slug"].error_messages["invalid"] = _lazy(
            "Slug hanya boleh berisi huruf kecil, angka dan tanda hubung."
        )
        self.fields["categories"].label_from_instance = (  # type: ignore[attr-defined]
            lambda category: f"{category.application.code} › {category.path_label}"
        )

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(_("Isi artikel wajib diisi."))
        if "\x00" in body:
            raise forms.ValidationError(_("Isi artikel memuat karakter yang tidak sah."))
        return body

    def clean_title(self) -> str:
        return str(self.cleaned_data["title"]).strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        title = data.get("title")
        if title and not data.get("slug"):
            data["slug"] = slugify(title)[:SLUG_MAX_LENGTH].strip("-")
            if not data["slug"]:
                self.add_error("slug", _("Judul ini tidak menghasilkan slug; isi slug sendiri."))
        slug = data.get("slug")
        if slug:
            taken = Article.objects.filter(slug=slug)
            if self.article is not None:
                taken = taken.exclude(pk=self.article.pk)
            if taken.exists():
                self.add_error("slug", _("Slug ini sudah dipakai artikel lain."))
        applications = set(data.get("applications") or ())
        for category in data.get("categories") or ():
            if category.application not in applications:
                self.add_error(
                    "categories",
                    _("Kategori %(category)s bukan milik aplikasi yang dipilih.")
                    % {"category": f"{category.application.code} › {category.path_label}"},
                )
        return data

    def digest(self) -> str:
        return content_digest(self.cleaned_data.get("title", ""), self.cleaned_data.get("body", ""))


# A draft from a ticket: its two parts share the article's body (and its two headings).
PART_MAX_LENGTH = (BODY_MAX_LENGTH - 200) // 2


class TicketArticleForm(forms.Form):
    """*Jadikan draf artikel*: the agent rewrites a resolved ticket as a draft, removing
    what is personal before it is saved."""

    title = forms.CharField(label=_lazy("Judul artikel"), max_length=TITLE_MAX_LENGTH)
    problem = forms.CharField(
        label=_lazy("Masalah"),
        max_length=PART_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_lazy("Apa yang dialami pelapor, dengan kata-kata umum."),
    )
    resolution = forms.CharField(
        label=_lazy("Penyelesaian"),
        max_length=PART_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_lazy("Langkah yang menyelesaikan masalah. Markdown boleh dipakai."),
    )


class ArticleImageForm(forms.Form):
    """An image for the article being edited, with the text read out in its place."""

    image = forms.FileField(label=_lazy("Berkas gambar"))
    alt = forms.CharField(
        label=_lazy("Teks alternatif"),
        max_length=ALT_MAX_LENGTH,
        help_text=_lazy("Apa yang tampak pada gambar, untuk pembaca layar, mis. «Tombol Unggah»."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["image"].help_text = image_help_text()
        self.fields["image"].widget.attrs["accept"] = IMAGE_ACCEPT
        self.fields["image"].error_messages.update(
            {
                "required": _lazy("Pilih gambar yang akan diunggah."),
                "empty": _lazy("Berkas gambar kosong."),
                "invalid": _lazy("Kirim berkas gambar."),
            }
        )
        self.fields["alt"].error_messages.update(
            {
                "required": _lazy("Teks alternatif wajib diisi."),
                "max_length": _lazy(
                    "Teks alternatif terlalu panjang: maksimal %(limit_value)d karakter."
                ),
            }
        )

    def clean_alt(self) -> str:
        alt = str(self.cleaned_data["alt"]).strip()
        if "\x00" in alt:
            raise forms.ValidationError(_("Teks alternatif memuat karakter yang tidak sah."))
        return alt


class ArticleCannedForm(forms.Form):
    """The active canned responses that bring this article into a reply."""

    canned = forms.ModelMultipleChoiceField(
        label=_lazy("Jawaban siap pakai yang menyertakan artikel ini"),
        queryset=CannedResponse.objects.filter(is_active=True)
        .select_related("application")
        .order_by("title", "id"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _lazy(
                "Jawaban siap pakai itu tidak ada atau tidak aktif lagi; tidak ada yang diubah."
            ),
            "invalid_pk_value": _lazy("Pilihan jawaban siap pakai tidak sah."),
        },
        help_text=_lazy(
            "Saat agen memilih jawaban ini untuk balasan, judul dan alamat artikel ikut "
            "disisipkan, selama artikel berstatus terbit."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["canned"].label_from_instance = _canned_label  # type: ignore[attr-defined]


def _canned_label(canned: CannedResponse) -> str:
    scope = canned.application.code if canned.application else _("semua aplikasi")
    return f"{canned.title} ({scope})"
