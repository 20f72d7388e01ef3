"""Forms of the reporter's actions on a ticket: Beri Feedback, Konfirmasi, Tutup Tiket, Penilaian.

Each form carries the ticket's `revision` as it was when the page was rendered, so that
the service refuses (409) an action taken from a stale page. The forms check the input
and the files; the services decide whether the action is allowed.
"""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from reference.models import RatingCategory
from tickets.forms import AttachmentsField, AttachmentsFormMixin, checked_attachments
from tickets.services import MAX_MESSAGE_LENGTH, rating_categories_for


class RevisionForm(forms.Form):
    """The hidden revision every action form carries."""

    revision = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={
            "required": _lazy("Halaman ini tidak lengkap. Muat ulang halaman lalu coba lagi."),
            "invalid": _lazy("Halaman ini tidak lengkap. Muat ulang halaman lalu coba lagi."),
            "min_value": _lazy("Halaman ini tidak lengkap. Muat ulang halaman lalu coba lagi."),
        },
    )

    def hidden_errors(self) -> list[str]:
        """Errors of hidden fields, for the summary (they have no place next to a field)."""
        return [str(error) for field in self.hidden_fields() for error in field.errors]


def _attachments_field() -> AttachmentsField:
    return AttachmentsField(
        label=_lazy("Tambah File"),
        attrs={
            # app.js keeps the chosen files in this list (add, replace, remove).
            "data-file-picker": "id_attachments-picked",
            "aria-describedby": "id_attachments-help error-attachments",
        },
    )


class FeedbackForm(AttachmentsFormMixin, RevisionForm):
    """Beri Feedback: the reporter answers the helpdesk's request, with files."""

    body = forms.CharField(
        label=_lazy("Pesan feedback"),
        widget=forms.Textarea(attrs={"rows": 6, "aria-describedby": "feedback-hints error-body"}),
        max_length=MAX_MESSAGE_LENGTH,
        error_messages={"required": _lazy("Pesan feedback wajib diisi.")},
    )
    attachments = _attachments_field()


class ConfirmAnswer:
    SOLVED = "ya"
    NOT_SOLVED = "belum"


class ConfirmForm(AttachmentsFormMixin, RevisionForm):
    """Konfirmasi: *Ya, sudah* closes the ticket; *Belum* reopens it with a message."""

    answer = forms.ChoiceField(
        label=_lazy("Selesaikan tiket: apakah permasalahan Anda sudah terselesaikan?"),
        choices=[
            (ConfirmAnswer.SOLVED, _lazy("Ya, sudah")),
            (ConfirmAnswer.NOT_SOLVED, _lazy("Belum")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _lazy("Pilih «Ya, sudah» atau «Belum»."),
            "invalid_choice": _lazy("Pilih «Ya, sudah» atau «Belum»."),
        },
    )
    body = forms.CharField(
        label=_lazy("Pesan"),
        widget=forms.Textarea(attrs={"rows": 5, "aria-describedby": "id_body-help error-body"}),
        max_length=MAX_MESSAGE_LENGTH,
        required=False,
        help_text=_lazy(
            "Wajib diisi jika memilih «Belum»: jelaskan apa yang masih belum berhasil."
        ),
    )
    attachments = _attachments_field()

    @property
    def solved(self) -> bool:
        return self.cleaned_data.get("answer") == ConfirmAnswer.SOLVED

    def clean_attachments(self) -> list[UploadedFile]:
        # Checked in clean(), and only for «Belum»: «Ya, sudah» keeps no file.
        uploads: list[UploadedFile] = self.cleaned_data["attachments"]
        return uploads

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("answer") != ConfirmAnswer.NOT_SOLVED:
            # "Ya, sudah" sends no message: whatever was typed or chosen is not kept.
            cleaned["body"] = ""
            cleaned["attachments"] = []
            return cleaned
        if not cleaned.get("body") and "body" not in self.errors:
            self.add_error("body", _("Pesan wajib diisi: jelaskan apa yang masih belum berhasil."))
        uploads: list[UploadedFile] = cleaned.get("attachments") or []
        try:
            self.checked_files = checked_attachments(uploads)
        except forms.ValidationError as error:
            self.add_error("attachments", error)
        return cleaned


class ForceCloseForm(RevisionForm):
    """Tutup Tiket: the reporter closes the ticket with a reason."""

    reason = forms.CharField(
        label=_lazy("Alasan"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_MESSAGE_LENGTH,
        help_text=_lazy("Misalnya: masalah sudah teratasi sendiri, atau tiket terkirim ganda."),
        error_messages={"required": _lazy("Alasan wajib diisi.")},
    )


STAR_CHOICES = [(n, n) for n in range(1, 6)]


class RatingForm(RevisionForm):
    """Penilaian: 1–5 stars, the categories offered for them, and an optional comment."""

    stars = forms.TypedChoiceField(
        label=_lazy("Penilaian"),
        choices=STAR_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _lazy("Pilih 1 sampai 5 bintang."),
            "invalid_choice": _lazy("Pilih 1 sampai 5 bintang."),
        },
    )
    categories = forms.ModelMultipleChoiceField(
        label=_lazy("Kategori penilaian"),
        queryset=RatingCategory.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _lazy("Kategori penilaian tidak dikenal."),
            "invalid_pk_value": _lazy("Kategori penilaian tidak dikenal."),
        },
    )
    comment = forms.CharField(
        label=_lazy("Saran dan kritik"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_MESSAGE_LENGTH,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        stars = cleaned.get("stars")
        chosen = list(cleaned.get("categories") or [])
        if stars and chosen:
            offered = {c.pk for c in rating_categories_for(stars)}
            for category in chosen:
                if category.pk not in offered:
                    self.add_error(
                        "categories",
                        _("Kategori «%(name)s» tidak tersedia untuk %(stars)d bintang.")
                        % {"name": category.name, "stars": stars},
                    )
        return cleaned


def offered_categories(stars: object) -> list[RatingCategory]:
    """The categories to show for a (possibly missing or malformed) number of stars."""
    try:
        value = int(str(stars))
    except (TypeError, ValueError):
        return []
    return rating_categories_for(value) if 1 <= value <= 5 else []
