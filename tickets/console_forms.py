"""Forms of the helpdesk console: the list filters and one form per staff action."""

import datetime
from typing import Any, ClassVar

from django import forms
from django.db.models import QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_stubs_ext import StrOrPromise

from accounts.models import ReporterRole, User
from reference.book import ReferenceBook
from reference.models import Application, Category, Lpse, Priority
from tickets.access import tickets_visible_to
from tickets.attachments import CheckedFile
from tickets.forms import AttachmentsField, AttachmentsFormMixin, BookChoiceField
from tickets.lifecycle import Action
from tickets.models import CloseReason, Status, Ticket, Tier
from tickets.queues import (
    AGE_LABELS,
    MIN_TIER_LABELS,
    OPEN_FILTER,
    QUEUE_LABELS,
    SLA_FILTER_LABELS,
    SORT_LABELS,
    SORT_NEWEST,
    SORT_RELEVANCE,
    ConsoleFilters,
    assignable_staff,
    default_queue,
    merge_candidates,
)
from tickets.selectors import categories_selectable
from tickets.services import MAX_MESSAGE_LENGTH

DATE_FORMAT = "%d/%m/%Y"


class IndonesianDateField(forms.DateField):
    """A date typed as Indonesians write it, dd/mm/yyyy, whatever the browser's language.

    A text box rather than `<input type="date">`, whose display follows the browser's
    locale; static/js/datepicker.js adds a calendar to pick from. The ISO form (from an
    older link) is accepted too.
    """

    input_formats = [DATE_FORMAT, "%d-%m-%Y", "%Y-%m-%d"]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "error_messages",
            {"invalid": _lazy("Tanggal tidak valid. Tulis dd/mm/yyyy, misalnya 31/01/2026.")},
        )
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "placeholder": "dd/mm/yyyy",
                    "inputmode": "numeric",
                    "autocomplete": "off",
                    "maxlength": "10",
                    "size": "10",
                    "data-datepicker": "",
                }
            ),
        )
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime.date):
            return value.strftime(DATE_FORMAT)
        return value


def category_choices(
    application_id: int | None, *, applications: QuerySet[Application] | None = None
) -> list[Any]:
    """The category tree as choices: each node indented under its parent, any node
    selectable (it stands for its whole subtree); grouped per application when none is
    chosen. `applications` limits the tree to those (a viewer's scope: one query). From
    the process's reference book, built once per book for the console; the console's
    filters and the reports' share it."""
    book = ReferenceBook.current()
    allowed = None if applications is None else frozenset(a.pk for a in applications)
    tree = book.memo(
        ("category-choices", application_id, allowed),
        lambda: _category_tree(book, application_id, allowed),
    )
    return [("", _lazy("Semua kategori")), *tree]


def _category_tree(
    book: ReferenceBook, application_id: int | None, allowed: frozenset[int] | None
) -> tuple[Any, ...]:
    rows = [
        (c.pk, c.parent_id, c.name, c.application.code)
        for c in sorted(
            book.categories.values(),
            key=lambda c: (c.application.order, c.application.code, c.order, c.name),
        )
        if (application_id is None or c.application_id == application_id)
        and (allowed is None or c.application_id in allowed)
    ]
    children: dict[int | None, list[tuple[int, str]]] = {}
    apps: dict[str, list[int]] = {}
    for node, parent, name, app_code in rows:
        children.setdefault(parent, []).append((node, name))
        if parent is None:
            apps.setdefault(app_code, []).append(node)
    names = {node: name for nodes in children.values() for node, name in nodes}

    def tree(roots: list[int]) -> list[tuple[int, str]]:
        options: list[tuple[int, str]] = []
        pending = [(root, 0) for root in reversed(roots)]
        while pending:
            node, depth = pending.pop()
            options.append((node, "\u00a0\u00a0" * depth + ("› " if depth else "") + names[node]))
            pending.extend((child, depth + 1) for child, _ in reversed(children.get(node, [])))
        return options

    if application_id is not None:
        return tuple(tree([root for roots in apps.values() for root in roots]))
    return tuple((code, tree(roots)) for code, roots in apps.items())


def _application_choices(book: ReferenceBook) -> tuple[tuple[int, str], ...]:
    """Every application, in the order of the reference data (built once per book)."""

    def build() -> tuple[tuple[int, str], ...]:
        ordered = sorted(book.applications.values(), key=lambda a: (a.order, a.code))
        return tuple((application.pk, str(application)) for application in ordered)

    return book.memo("application-choices", build)


def _lpse_choices(book: ReferenceBook) -> tuple[tuple[int, str], ...]:
    """Every LPSE by name (built once per book)."""

    def build() -> tuple[tuple[int, str], ...]:
        ordered = sorted(book.lpses.values(), key=lambda lpse: (lpse.name.casefold(), lpse.pk))
        return tuple((lpse.pk, str(lpse)) for lpse in ordered)

    return book.memo("lpse-choices", build)


class ConsoleFilterForm(forms.Form):
    """The filters above the console list; every field optional, a bad value is ignored."""

    antrian = forms.ChoiceField(
        required=False, choices=list(QUEUE_LABELS.items()), widget=forms.HiddenInput
    )
    cari = forms.CharField(
        label=_lazy("Cari"),
        help_text=_lazy("Nomor tiket, kode, atau kata di judul, deskripsi dan percakapan."),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _lazy("Nomor, kode, atau kata kunci")}
        ),
    )
    status = forms.ChoiceField(
        label=_lazy("Status"),
        required=False,
        choices=[("", _lazy("Semua status")), (OPEN_FILTER, _lazy("Terbuka")), *Status.choices],
    )
    prioritas = forms.ChoiceField(
        label=_lazy("Prioritas"),
        required=False,
        choices=[("", _lazy("Semua prioritas")), *Priority.choices],
    )
    # The choices of these two come from the reference book (`__init__`): no query.
    aplikasi = BookChoiceField(
        label=_lazy("Aplikasi"),
        required=False,
        queryset=Application.objects.none(),
        empty_label=_lazy("Semua aplikasi"),
    )
    kategori = forms.TypedChoiceField(
        label=_lazy("Kategori"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[],  # the tree, set per form (`category_choices`)
        error_messages={
            "invalid_choice": _lazy(
                "Kategori itu tidak ada, atau bukan kategori aplikasi yang dipilih."
            )
        },
    )
    lpse = BookChoiceField(
        label=_lazy("LPSE"),
        required=False,
        queryset=Lpse.objects.none(),
        empty_label=_lazy("Semua LPSE"),
    )
    tier = forms.TypedChoiceField(
        label=_lazy("Tier"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _lazy("Semua tier")), *Tier.choices],
    )
    dari = IndonesianDateField(label=_lazy("Dibuat dari"))
    sampai = IndonesianDateField(label=_lazy("Dibuat sampai"))
    sla = forms.ChoiceField(
        label=_lazy("SLA"),
        required=False,
        choices=[("", _lazy("Semua SLA")), *SLA_FILTER_LABELS.items()],
    )
    urut = forms.ChoiceField(
        label=_lazy("Urutkan"), required=False, choices=list(SORT_LABELS.items())
    )
    # The filters that reports link to, in the collapsible "Filter lainnya".
    peran = forms.ChoiceField(
        label=_lazy("Peran pelapor"),
        required=False,
        choices=[("", _lazy("Semua peran")), *ReporterRole.choices],
    )
    umur = forms.ChoiceField(
        label=_lazy("Umur tiket terbuka"),
        required=False,
        choices=[("", _lazy("Semua umur")), *AGE_LABELS.items()],
    )
    ditutup = forms.ChoiceField(
        label=_lazy("Cara ditutup"),
        required=False,
        choices=[("", _lazy("Semua cara")), *CloseReason.choices],
    )
    tier_maks = forms.TypedChoiceField(
        label=_lazy("Eskalasi"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _lazy("Semua tiket")), *MIN_TIER_LABELS.items()],
    )
    bintang = forms.TypedChoiceField(
        label=_lazy("Penilaian"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _lazy("Semua penilaian"))]
        + [(n, format_lazy(_lazy("{n} bintang"), n=n)) for n in range(5, 0, -1)],
    )
    kode = forms.CharField(
        label=_lazy("Kode tender/katalog/RUP"),
        required=False,
        max_length=40,
        error_messages={"max_length": _lazy("Kode paling panjang 40 karakter.")},
    )
    selesai_dari = IndonesianDateField(label=_lazy("Diselesaikan dari"))
    selesai_sampai = IndonesianDateField(label=_lazy("Diselesaikan sampai"))
    tutup_dari = IndonesianDateField(label=_lazy("Ditutup dari"))
    tutup_sampai = IndonesianDateField(label=_lazy("Ditutup sampai"))

    ADVANCED_FIELDS: ClassVar[tuple[str, ...]] = (
        "peran",
        "umur",
        "ditutup",
        "tier_maks",
        "bintang",
        "kode",
        "selesai_dari",
        "selesai_sampai",
        "tutup_dari",
        "tutup_sampai",
    )
    DATE_PAIRS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("dari", "sampai"),
        ("selesai_dari", "selesai_sampai"),
        ("tutup_dari", "tutup_sampai"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        book = ReferenceBook.current()
        aplikasi, lpse, kategori = (self.fields[n] for n in ("aplikasi", "lpse", "kategori"))
        assert isinstance(aplikasi, BookChoiceField) and isinstance(lpse, BookChoiceField)
        assert isinstance(kategori, forms.TypedChoiceField)
        # The choices as callables: listed only when the bar is drawn or a value checked,
        # not for a page whose bar is kept (`pristine`); 600 LPSEs and the category tree.
        aplikasi.pick = book.applications.get
        aplikasi.choices = lambda: [("", _lazy("Semua aplikasi")), *_application_choices(book)]
        lpse.pick = book.lpses.get
        lpse.choices = lambda: [("", _lazy("Semua LPSE")), *_lpse_choices(book)]
        chosen = self._chosen_application()
        kategori.choices = lambda: category_choices(chosen)

    def _chosen_application(self) -> int | None:
        """The application asked for, if it is a number (the field itself checks it)."""
        value = self.data.get("aplikasi") if self.is_bound else None
        try:
            return int(value) if value else None
        except (TypeError, ValueError):
            return None

    def main_fields(self) -> list[forms.BoundField]:
        return [f for f in self.visible_fields() if f.name not in self.ADVANCED_FIELDS]

    def advanced_fields(self) -> list[forms.BoundField]:
        return [f for f in self.visible_fields() if f.name in self.ADVANCED_FIELDS]

    @property
    def advanced_open(self) -> bool:
        """The "Filter lainnya" section starts open when one of its filters is given."""
        return self.is_bound and any(self.data.get(name) for name in self.ADVANCED_FIELDS)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for start_name, end_name in self.DATE_PAIRS:
            start, end = cleaned.get(start_name), cleaned.get(end_name)
            if start is not None and end is not None and end < start:
                self.add_error(end_name, _("Tanggal «sampai» tidak boleh sebelum tanggal «dari»."))
        return cleaned

    def _value(self, name: str) -> Any:
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name)

    def queue_key(self, user: User) -> str:
        return self._value("antrian") or default_queue(user)

    def filters(self) -> ConsoleFilters:
        """The valid filters; an invalid one is left out (and shown as an error)."""
        return ConsoleFilters(
            text=self._value("cari") or "",
            status=self._value("status") or "",
            priority=self._value("prioritas") or "",
            application=self._value("aplikasi"),
            category=self._value("kategori"),
            lpse=self._value("lpse"),
            tier=self._value("tier"),
            created_from=self._value("dari"),
            created_to=self._value("sampai"),
            sla=self._value("sla") or "",
            reporter_role=self._value("peran") or "",
            age=self._value("umur") or "",
            close_reason=self._value("ditutup") or "",
            min_tier=self._value("tier_maks"),
            stars=self._value("bintang"),
            code=(self._value("kode") or "").strip(),
            resolved_from=self._value("selesai_dari"),
            resolved_to=self._value("selesai_sampai"),
            closed_from=self._value("tutup_dari"),
            closed_to=self._value("tutup_sampai"),
            # A search shows the best matches first unless another order is chosen.
            sort=self._value("urut") or (SORT_RELEVANCE if self._value("cari") else SORT_NEWEST),
        )

    @property
    def pristine(self) -> bool:
        """No filter, sort or search asked for (the queue and the page aside): the filter
        bar then looks the same for everyone who sees the queue."""
        return not any(name in self.data for name in self.fields if name != "antrian")

    @property
    def searched_only(self) -> bool:
        """Words searched for and nothing else (the queue and the page aside), valid: the
        filter bar then differs from everyone else's search only by the words."""
        given = {name for name in self.fields if name in self.data} - {"antrian"}
        return given == {"cari"} and bool(self._value("cari")) and not self.errors

    @property
    def filtered(self) -> bool:
        ignored = {"antrian", "urut"}
        return self.is_bound and any(
            value
            for name, value in self.data.items()
            if name in self.fields and name not in ignored
        )


# --- Actions --------------------------------------------------------------------------


def _text_field(
    label: StrOrPromise, rows: int = 5, help_text: StrOrPromise = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": _lazy("Isian ini wajib diisi.")},
    )


class ActionForm(forms.Form):
    """A staff action: it carries the revision of the ticket that the page showed."""

    action: ClassVar[str]

    revision = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={
            "required": _lazy("Halaman tidak lengkap. Muat ulang halaman tiket."),
            "invalid": _lazy("Halaman tidak lengkap. Muat ulang halaman tiket."),
        },
    )

    def __init__(self, *args: Any, ticket: Ticket, user: User, **kwargs: Any) -> None:
        # Several action forms share one page: unique ids, plain field names.
        kwargs.setdefault("auto_id", f"id_{self.action}_%s")
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        self.user = user
        self.checked_files: list[CheckedFile] = []


class FilesMixin(AttachmentsFormMixin):
    """Files sent with a message, checked by the same rules as the reporter's."""

    attachments = AttachmentsField(label=_lazy("Lampiran"))


class TakeForm(ActionForm):
    action = Action.TAKE


class AssignForm(ActionForm):
    action = Action.ASSIGN

    assignee = forms.ModelChoiceField(
        label=_lazy("Tugaskan kepada"),
        queryset=User.objects.none(),
        empty_label=_lazy("— Pilih petugas —"),
        error_messages={
            "required": _lazy("Pilih petugas yang akan menangani tiket."),
            "invalid_choice": _lazy("Petugas itu tidak bertugas di tier tiket ini."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = assignable_staff(self.ticket)
        me = self.user.pk
        field.label_from_instance = lambda obj: (  # type: ignore[method-assign]
            _("%(name)s (Anda)") % {"name": obj.display_name} if obj.pk == me else obj.display_name
        )


class ReplyForm(FilesMixin, ActionForm):
    action = Action.REPLY

    body = _text_field(_lazy("Balasan untuk pelapor"), rows=6)


class NoteForm(ActionForm):
    action = Action.NOTE

    body = _text_field(_lazy("Catatan internal (tidak terlihat oleh pelapor)"), rows=3)


class RequestFeedbackForm(FilesMixin, ActionForm):
    action = Action.REQUEST_FEEDBACK

    body = _text_field(_lazy("Informasi yang diminta dari pelapor"))


class ResolveForm(FilesMixin, ActionForm):
    action = Action.RESOLVE

    body = _text_field(_lazy("Penyelesaian"))


class EscalateForm(ActionForm):
    action = Action.ESCALATE

    note = _text_field(_lazy("Catatan eskalasi (internal)"), rows=3)


class ReturnForm(ActionForm):
    action = Action.RETURN

    note = _text_field(_lazy("Catatan pengembalian (internal)"), rows=3)


class MergeForm(ActionForm):
    action = Action.MERGE

    into = forms.ModelChoiceField(
        label=_lazy("Gabungkan ke tiket"),
        queryset=Ticket.objects.none(),
        to_field_name="number",
        empty_label=_lazy("— Pilih tiket tujuan —"),
        error_messages={
            "required": _lazy("Pilih tiket tujuan."),
            "invalid_choice": _lazy(
                "Tiket tujuan harus tiket terbuka milik pelapor yang sama dan dapat Anda lihat."
            ),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["into"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = merge_candidates(self.user, self.ticket)
        field.label_from_instance = lambda obj: f"{obj.number} — {obj.title}"  # type: ignore[method-assign]


class RevalidateCodeForm(ActionForm):
    action = Action.REVALIDATE_CODE


class OverridePriorityForm(ActionForm):
    action = Action.OVERRIDE_PRIORITY

    priority = forms.ChoiceField(label=_lazy("Prioritas baru"), choices=Priority.choices)
    # The reason becomes the ticket's priority explanation and a public history entry:
    # the reporter reads it, so the form says so before it is written.
    reason = _text_field(
        _lazy("Alasan perubahan prioritas"),
        rows=3,
        help_text=_lazy(
            "Alasan ini ditampilkan kepada pelapor, di samping prioritas dan di riwayat tiket."
        ),
    )


class ChangeCategoryForm(ActionForm):
    action = Action.CHANGE_CATEGORY

    category = forms.ModelChoiceField(
        label=_lazy("Kategori baru"),
        queryset=Category.objects.none(),
        empty_label=_lazy("— Pilih kategori —"),
        error_messages={
            "required": _lazy("Pilih kategori baru."),
            "invalid_choice": _lazy(
                "Pilih kategori aktif lain yang tersedia untuk aplikasi tiket ini."
            ),
        },
    )
    # Like the priority's reason, this one is in the public history: the form says so.
    reason = _text_field(
        _lazy("Alasan perubahan kategori"),
        rows=3,
        help_text=_lazy("Alasan ini ditampilkan kepada pelapor di riwayat tiket."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, forms.ModelChoiceField)
        # The application's active leaves but the current one, by their path in the tree.
        field.queryset = categories_selectable(self.ticket.application_id).exclude(
            pk=self.ticket.category_id
        )
        field.label_from_instance = lambda obj: obj.path_label  # type: ignore[method-assign]
        field.help_text = _("Kategori sekarang: %(category)s.") % {
            "category": self.ticket.category.path_label
        }


class LinkIncidentForm(ActionForm):
    action = Action.LINK_INCIDENT

    incident = forms.CharField(
        label=_lazy("Nomor tiket insiden"),
        max_length=40,
        help_text=_lazy(
            "Tiket terbuka pelapor lain dengan penyebab yang sama. Saat insiden diselesaikan, "
            "tiket ini ikut diselesaikan dengan penyelesaian insiden; pelapor tetap "
            "mengonfirmasi sendiri."
        ),
        error_messages={"required": _lazy("Isi nomor tiket insiden.")},
    )

    def clean_incident(self) -> Ticket:
        number = self.cleaned_data["incident"].strip()
        found = tickets_visible_to(self.user).filter(number=number).order_by()[:1]
        for ticket in found:
            return ticket
        raise forms.ValidationError(
            _("Insiden tidak ditemukan di antara tiket yang dapat Anda lihat.")
        )


class UnlinkIncidentForm(ActionForm):
    action = Action.UNLINK_INCIDENT


ACTION_FORMS: dict[str, type[ActionForm]] = {
    form.action: form
    for form in (
        TakeForm,
        AssignForm,
        ReplyForm,
        NoteForm,
        RequestFeedbackForm,
        ResolveForm,
        EscalateForm,
        ReturnForm,
        MergeForm,
        RevalidateCodeForm,
        OverridePriorityForm,
        ChangeCategoryForm,
        LinkIncidentForm,
        UnlinkIncidentForm,
    )
}


def action_forms(
    ticket: Ticket, user: User, actions: frozenset[str], bound: ActionForm | None = None
) -> dict[str, ActionForm]:
    """Blank forms for the allowed actions; the submitted one keeps what was typed."""
    forms_by_action: dict[str, ActionForm] = {
        action: form(ticket=ticket, user=user)
        for action, form in ACTION_FORMS.items()
        if action in actions
    }
    if bound is not None and bound.action in forms_by_action:
        forms_by_action[bound.action] = bound
    return forms_by_action
