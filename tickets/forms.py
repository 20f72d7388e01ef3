import json
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Model
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_stubs_ext import StrOrPromise

from accounts.models import User
from reference.book import ReferenceBook
from reference.models import (
    Application,
    ApplicationVersion,
    Category,
    CodeKind,
    Lpse,
    TicketType,
)
from tickets.attachments import (
    ATTACHMENT_ACCEPT,
    AttachmentsRejected,
    CheckedFile,
    attachments_help_text,
    attachments_validate,
)
from tickets.models import Status
from tickets.packages import own_packages_offered
from tickets.selectors import ACTION_FILTER, REPORTED_FILTER
from tickets.services import TicketDraft

# Shapes of the codes the reporter may type (validated against the sources later).
CODE_PATTERNS: dict[str, tuple[re.Pattern[str], StrOrPromise]] = {
    CodeKind.TENDER: (
        re.compile(r"\d{5,12}"),
        _lazy("Kode tender berupa 5–12 angka, misalnya 9537119."),
    ),
    CodeKind.NON_TENDER: (
        re.compile(r"\d{5,12}"),
        _lazy("Kode non tender berupa 5–12 angka, misalnya 10234119."),
    ),
    CodeKind.RUP: (
        re.compile(r"\d{5,12}"),
        _lazy("Kode RUP berupa 5–12 angka, misalnya 44604827."),
    ),
    CodeKind.CATALOG: (
        re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{3,39}"),
        _lazy(
            "Kode paket katalog berupa 4–40 huruf, angka atau tanda - _ . /, "
            "misalnya EPURCH-2026-00123."
        ),
    ),
}
CODE_PLACEHOLDERS: dict[str, str] = {
    CodeKind.TENDER: "9537119",
    CodeKind.NON_TENDER: "10234119",
    CodeKind.RUP: "44604827",
    CodeKind.CATALOG: "EPURCH-2026-00123",
}

# How each kind is named inside a label for several kinds: "Kode Tender / Non Tender / RUP".
CODE_KIND_SHORT: dict[str, StrOrPromise] = {
    CodeKind.TENDER: _lazy("Tender"),
    CodeKind.NON_TENDER: _lazy("Non Tender"),
    CodeKind.RUP: _lazy("RUP"),
    CodeKind.CATALOG: _lazy("Paket Katalog"),
}


def code_label(kinds: Sequence[str]) -> str:
    """The code field's label for the kinds it may take (CodeKind values, none excluded):
    one kind is named as such ("Kode RUP"), several together ("Kode Tender / Non Tender / RUP")."""
    if len(kinds) == 1:
        return str(CodeKind(kinds[0]).label)
    return _("Kode %(kinds)s") % {"kinds": " / ".join(str(CODE_KIND_SHORT[k]) for k in kinds)}


# Keys of TicketDraft.manual_data; each is the form field `manual_<key>`.
MANUAL_KEYS = ("nama_paket", "instansi", "tahap", "jadwal_berakhir")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the attachment rules check them in the form's clean."""

    widget = MultipleFileInput

    def clean(self, data: object, initial: object = None) -> list[UploadedFile]:
        if not data:
            return []
        return list(data) if isinstance(data, list | tuple) else [data]  # type: ignore[list-item]


class AttachmentsField(MultipleFileField):
    """The files sent with a message: the input offers the allowed types (`attrs` adds
    to it); `AttachmentsFormMixin` checks what arrives."""

    def __init__(self, *, label: StrOrPromise, attrs: dict[str, str] | None = None) -> None:
        super().__init__(label=label, required=False)
        self.widget.attrs.update({"accept": ATTACHMENT_ACCEPT, **(attrs or {})})


def checked_attachments(uploads: list[UploadedFile]) -> list[CheckedFile]:
    """The attachment rules for a form: every problem as one ValidationError."""
    try:
        return attachments_validate(uploads)
    except AttachmentsRejected as rejected:
        raise forms.ValidationError(rejected.messages) from rejected


class AttachmentsFormMixin(forms.Form):
    """A form with an `attachments` field (an AttachmentsField, declared by the form where
    it belongs in its order): the rules' help text and limit on the input, and the files
    checked in `clean_attachments`; the good ones wait in `checked_files` for the service."""

    checked_files: list[CheckedFile]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checked_files = []
        field = self.fields["attachments"]
        field.help_text = attachments_help_text()
        # app.js warns about a file over the limit as soon as it is chosen.
        field.widget.attrs["data-max-bytes"] = settings.ATTACHMENT_MAX_BYTES

    def clean_attachments(self) -> list[UploadedFile]:
        uploads: list[UploadedFile] = self.cleaned_data["attachments"]
        self.checked_files = checked_attachments(uploads)
        return uploads


Row = TypeVar("Row")


class BookChoiceField(forms.ModelChoiceField):
    """A choice of reference data: the queryset lists the choices on the page, and a posted
    id is checked by `pick` (set by the form) against the process's `ReferenceBook`,
    without a query (issue 19)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pick: Callable[[int], Model | None] = lambda _pk: None

    def to_python(self, value: Any) -> Model | None:
        if value in self.empty_values:
            return None
        if isinstance(value, Model):
            value = value.pk
        try:
            found = self.pick(int(str(value).strip()))
        except (TypeError, ValueError):
            found = None
        if found is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return found


class TicketCreateForm(AttachmentsFormMixin):
    """Buat Tiket, in the order of the guide (§4.3.1): the notification e-mail, then
    1 Judul, 2 LPSE, 3 Aplikasi, 4 Versi, 5 kode, 6 Kode error, 7 Deskripsi, 8 Tambah
    File. Tipe tiket and Kategori, which the guide does not number, sit between the code
    and the error code: the category decides the code's kind. Choices follow the chosen
    application."""

    notification_email = forms.EmailField(
        label=_lazy("Email notifikasi"),
        help_text=_lazy("Email untuk notifikasi khusus tiket ini. Ubah jika diperlukan."),
        max_length=254,
    )
    title = forms.CharField(label=_lazy("Judul tiket"), max_length=200)
    lpse = BookChoiceField(
        label=_lazy("LPSE"),
        queryset=Lpse.objects.filter(is_active=True),
        empty_label=_lazy("— Pilih LPSE yang akan mengerjakan tiket —"),
    )
    application = BookChoiceField(
        label=_lazy("Aplikasi"),
        queryset=Application.objects.filter(is_active=True),
        empty_label=_lazy("— Pilih aplikasi —"),
        error_messages={"invalid_choice": _lazy("Aplikasi tidak dikenal.")},
    )
    version = BookChoiceField(
        label=_lazy("Versi aplikasi"),
        queryset=ApplicationVersion.objects.none(),
        empty_label=_lazy("— Pilih versi —"),
        error_messages={"invalid_choice": _lazy("Pilih versi yang tersedia untuk aplikasi ini.")},
    )
    code = forms.CharField(label=_lazy("Kode"), max_length=40, required=False)
    ticket_type = BookChoiceField(
        label=_lazy("Tipe tiket"),
        queryset=TicketType.objects.all(),
        empty_label=_lazy("— Pilih tipe tiket —"),
        help_text=_lazy(
            "Permasalahan: aplikasi tidak berjalan semestinya. Usulan: saran perbaikan. "
            "Permintaan Layanan: meminta bantuan helpdesk."
        ),
    )
    category = BookChoiceField(
        label=_lazy("Kategori"),
        queryset=Category.objects.none(),
        empty_label=_lazy("— Pilih kategori permasalahan —"),
        help_text=_lazy(
            "Fitur aplikasi yang bermasalah; menentukan prioritas tiket dan jenis kode yang "
            "diperiksa."
        ),
        error_messages={
            "invalid_choice": _lazy("Pilih kategori yang tersedia untuk aplikasi ini.")
        },
    )
    error_code = forms.CharField(
        label=_lazy("Kode error"),
        max_length=100,
        required=False,
        help_text=_lazy("Kode error yang tampil di aplikasi, jika ada."),
    )
    description = forms.CharField(
        label=_lazy("Deskripsi"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10_000,
        help_text=_lazy(
            "Jelaskan langkah yang dilakukan, apa yang terjadi, dan apa yang seharusnya terjadi."
        ),
    )
    # Typed by the reporter when the source does not know the code or cannot be reached
    # (shown by the code lookup on Buat Tiket); the service stores the non-empty ones.
    manual_nama_paket = forms.CharField(label=_lazy("Nama paket"), max_length=200, required=False)
    manual_instansi = forms.CharField(
        label=_lazy("Instansi / satuan kerja"), max_length=200, required=False
    )
    manual_tahap = forms.CharField(label=_lazy("Tahap saat ini"), max_length=200, required=False)
    manual_jadwal_berakhir = forms.CharField(
        label=_lazy("Batas waktu tahap (jika ada)"),
        max_length=200,
        required=False,
        help_text=_lazy("Misalnya 28 Nov 2026 15:00 WIB."),
    )
    attachments = AttachmentsField(
        label=_lazy("Tambah File"),
        attrs={
            # app.js keeps the chosen files in this list (tambah, ubah, hapus file).
            "data-file-picker": "id_attachments-picked",
            "aria-describedby": "id_attachments-help error-attachments",
        },
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: object, reporter: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.reporter = reporter
        if not self.is_bound:
            self.initial.setdefault("notification_email", reporter.email)
            self.initial.setdefault("submission_key", uuid.uuid4().hex)
            if reporter.lpse_id:
                self.initial.setdefault("lpse", reporter.lpse_id)
        self.fields["version"].label_from_instance = lambda version: version.name  # type: ignore[attr-defined]
        # What was posted is checked against the reference book; the querysets below
        # list the choices when the page is shown.
        book = ReferenceBook.current()
        application = self._chosen(book.applications, "application")
        category = self._chosen(book.categories, "category")
        picks: dict[str, Callable[[int], Model | None]] = {
            "lpse": book.active_lpse,
            "application": book.active_application,
            "version": lambda pk: book.version_of(application, pk),
            "ticket_type": lambda pk: book.ticket_types.get(pk),
            "category": lambda pk: book.leaf_of(application, pk),
        }
        for name, pick in picks.items():
            field = self.fields[name]
            assert isinstance(field, BookChoiceField)
            field.pick = pick
        if application is not None:
            version_field = self.fields["version"]
            category_field = self.fields["category"]
            assert isinstance(version_field, forms.ModelChoiceField)
            assert isinstance(category_field, forms.ModelChoiceField)
            version_field.queryset = application.versions.filter(is_active=True)
            category_field.queryset = (
                Category.objects.filter(application=application, is_leaf=True, is_active=True)
                .select_related("parent")
                .order_by("parent__order", "parent__name", "order", "name")
            )
        kind = category.code_kind if category is not None else CodeKind.NONE
        self.code_kind = kind
        # The kinds the code field takes now (guide step 5, right after Versi): the
        # application's as soon as it is chosen, narrowed to the category's once that is
        # chosen; none hides the field, whose value stays in the page (and counts for
        # nothing here: clean_code follows the category's kind).
        if category is not None:
            self.code_kinds = [kind] if kind != CodeKind.NONE else []
        else:
            self.code_kinds = book.code_kinds_of(application) if application is not None else []
        self.offers_own_packages = own_packages_offered(reporter)
        code_field = self.fields["code"]
        if self.code_kinds:
            first = self.code_kinds[0]
            code_field.label = code_label(self.code_kinds)
            code_field.required = bool(category and category.code_required)
            code_field.help_text = (
                str(CODE_PATTERNS[first][1])
                if len(self.code_kinds) == 1
                else _("Jenis kode mengikuti kategori yang dipilih; kode diperiksa setelahnya.")
            )
            code_field.widget.attrs["placeholder"] = CODE_PLACEHOLDERS[first]
            code_field.widget.attrs["inputmode"] = (
                "text" if CodeKind.CATALOG in self.code_kinds else "numeric"
            )
            code_field.widget.attrs.update(self._lookup_attrs())

    @property
    def code_shown(self) -> bool:
        return bool(self.code_kinds)

    def _lookup_attrs(self) -> dict[str, str]:
        """HTMX attributes of the code input: look the code up as the reporter types.

        The answer (tickets/portal/_code_lookup.html) lands in #code-lookup; a code
        already there (the category changed, or the form came back) is looked up at once.
        """
        trigger = "input changed delay:500ms, change"
        if self["code"].value():
            trigger += ", load"
        attrs: dict[str, str] = {}
        if self.code_kind == CodeKind.NONE and len(self.code_kinds) == 1:
            # No category yet, but only one kind is possible: the code can be checked.
            attrs["hx-vals"] = json.dumps({"kind": self.code_kinds[0]})
        return attrs | {
            "hx-get": reverse("portal:ticket_code_lookup"),
            "hx-trigger": trigger,
            "hx-target": "#code-lookup",
            "hx-swap": "innerHTML",
            "hx-include": "#id_category, #id_code",
            "hx-sync": "this:replace",
            "hx-indicator": "#code-lookup-indicator",
            "autocomplete": "off",
        }

    def _chosen(self, rows: Mapping[int, Row], field: str) -> Row | None:
        """The row posted (or given initially) for `field`, active or not."""
        raw = self.data.get(field) if self.is_bound else self.initial.get(field)
        if not raw:
            return None
        try:
            return rows.get(int(raw))
        except (TypeError, ValueError):
            return None

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if self.code_kind == CodeKind.NONE or not code:
            return "" if self.code_kind == CodeKind.NONE else code
        pattern, message = CODE_PATTERNS[self.code_kind]
        if not pattern.fullmatch(code):
            raise forms.ValidationError(str(message))
        return code

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        application = cleaned.get("application")
        version = cleaned.get("version")
        category = cleaned.get("category")
        # The querysets above already limit choices to the chosen application; this
        # guards against a version/category posted for another application.
        if application and version and version.application_id != application.pk:
            self.add_error("version", _("Versi tidak sesuai dengan aplikasi yang dipilih."))
        if application and category and category.application_id != application.pk:
            self.add_error("category", _("Kategori tidak sesuai dengan aplikasi yang dipilih."))
        return cleaned

    def manual_data(self) -> dict[str, str]:
        """The manual fields the reporter filled in, keyed as TicketDraft.manual_data."""
        data = self.cleaned_data
        values = {
            key: " ".join(str(data.get(f"manual_{key}") or "").split()) for key in MANUAL_KEYS
        }
        return {key: value for key, value in values.items() if value}

    @property
    def has_manual_data(self) -> bool:
        return any(self[f"manual_{key}"].value() for key in MANUAL_KEYS)

    def to_draft(self) -> TicketDraft:
        data = self.cleaned_data
        return TicketDraft(
            notification_email=data["notification_email"],
            title=data["title"],
            lpse=data["lpse"],
            application=data["application"],
            version=data["version"],
            ticket_type=data["ticket_type"],
            category=data["category"],
            code=data["code"],
            error_code=data["error_code"].strip(),
            description=data["description"].strip(),
            manual_data=self.manual_data(),
        )


class TicketSearchForm(forms.Form):
    nomor = forms.CharField(label=_lazy("Nomor tiket"), required=False, max_length=40)
    status = forms.ChoiceField(
        label=_lazy("Status"),
        required=False,
        choices=[
            ("", _lazy("Semua status")),
            *Status.choices,
            (REPORTED_FILTER, _lazy("Sudah dilaporkan ke LKPP")),
            (ACTION_FILTER, _lazy("Perlu tindakan Anda")),
        ],
    )
    judul = forms.CharField(label=_lazy("Judul"), required=False, max_length=200)
