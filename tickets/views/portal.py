"""The reporter's pages: dashboard, ticket list, Buat Tiket, detail, print, downloads."""

import datetime
import json
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from accounts.models import User
from integrations.clients import LookupResult, lookup_code
from integrations.types import CatalogPackage, RupPackage, Tender
from knowledge.deflection import suggestions_record
from lib.replica import replica_reads
from reference.models import TIME_ZONE_ABBREVIATIONS, Category, CodeKind, Lpse, TimeZone
from tickets import live, services
from tickets.access import action_refusal, get_ticket_for_user, tickets_visible_to
from tickets.downloads import file_response, get_attachment_download, get_attachments_zip
from tickets.forms import CODE_PATTERNS, TicketCreateForm, TicketSearchForm
from tickets.lifecycle import Action, StorageUnavailable
from tickets.models import Ticket
from tickets.packages import reporter_packages
from tickets.selectors import dashboard_counts, ticket_detail_for, ticket_list_filter

View = Callable[..., HttpResponseBase]

logger = logging.getLogger(__name__)


def reporter_required(view: View) -> View:
    """Portal pages are for reporters; anybody else is sent to the landing page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not getattr(request.user, "is_reporter", False):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def current_reporter(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@require_GET
@reporter_required
def dashboard(request: HttpRequest) -> HttpResponse:
    tickets = tickets_visible_to(current_reporter(request))
    stamp = live.reporter_list_stamp(tickets)
    if (same := live.unchanged(request, stamp)) is not None:
        return same
    return render(
        request,
        "tickets/portal/dashboard.html",
        {
            "nav": "dashboard",
            "counts": dashboard_counts(tickets),
            "latest": ticket_list_filter(tickets)[:5],
            "live_stamp": stamp,
        },
    )


@require_GET
@reporter_required
@replica_reads()
def ticket_list(request: HttpRequest) -> HttpResponse:
    form = TicketSearchForm(request.GET or None)
    tickets = tickets_visible_to(current_reporter(request))
    stamp = live.reporter_list_stamp(tickets)
    if (same := live.unchanged(request, stamp)) is not None:
        return same
    filters: dict[str, str] = {}
    if form.is_valid():
        filters = {key: value for key, value in form.cleaned_data.items() if value}
    tickets = ticket_list_filter(
        tickets,
        number=filters.get("nomor", ""),
        group=filters.get("status", ""),
        title=filters.get("judul", ""),
    )
    page = Paginator(tickets, settings.TICKET_PAGE_SIZE, allow_empty_first_page=True).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "tickets/portal/ticket_list.html",
        {
            "nav": "tickets",
            "form": form,
            "page": page,
            "filter_query": urlencode(filters),
            "searched": bool(filters),
            "live_stamp": stamp,
        },
    )


@require_http_methods(["GET", "POST"])
@reporter_required
def ticket_create(request: HttpRequest) -> HttpResponse:
    reporter = current_reporter(request)
    refusal = action_refusal(reporter, None, Action.CREATE)
    if refusal is not None:
        return render(
            request,
            "tickets/portal/action_error.html",
            {"nav": "create", "number": None, "error": refusal},
            status=refusal.status_code,
        )
    status = 200
    if request.method == "POST":
        form = TicketCreateForm(request.POST, request.FILES, reporter=reporter)
        if form.is_valid():
            try:
                ticket = services.ticket_create(
                    reporter=reporter,
                    draft=form.to_draft(),
                    files=form.checked_files,
                    submission_key=form.cleaned_data.get("submission_key") or "",
                )
            except StorageUnavailable as error:
                # Nothing was filed: the form comes back with the reason, to send again.
                form.add_error(None, error.message)
                status = error.status_code
            else:
                # What Buat Tiket suggested before the reporter filed anyway (issue 18).
                suggestions_record(
                    ticket=ticket,
                    article_ids=request.POST.getlist("saran_artikel"),
                    category_ids=request.POST.getlist("saran_kategori"),
                )
                messages.success(
                    request,
                    _("Tiket berhasil disimpan. Nomor tiket Anda: %(number)s.")
                    % {"number": ticket.number},
                )
                target = reverse("portal:ticket_list")
                if request.htmx:  # type: ignore[attr-defined]
                    return HttpResponseClientRedirect(target)
                return redirect(target)
        if request.htmx:  # type: ignore[attr-defined]
            # Only the messages are swapped in, so that typed text and chosen files stay
            # (htmx swaps only successful answers).
            return render(request, "tickets/portal/_create_errors.html", {"form": form})
    else:
        form = TicketCreateForm(reporter=reporter)
    return render(
        request,
        "tickets/portal/ticket_create.html",
        {"nav": "create", "form": form, "code_kinds": CodeKind},
        status=status,
    )


@require_GET
@reporter_required
def ticket_form_choices(request: HttpRequest) -> HttpResponse:
    """The fields that depend on the chosen application and category (HTMX partial)."""
    # Unbound: the partial shows the choices for what is picked so far, not errors.
    form = TicketCreateForm(initial=request.GET.dict(), reporter=current_reporter(request))
    return render(request, "tickets/portal/_dependent_fields.html", {"form": form})


# The reporter's part in a package, as the sources name it (integrations.types.OwnPackage).
_PACKAGE_ROLES = {
    "ppk": "PPK",
    "pokja": "Pokja",
    "pp": "PP",
    "peserta": _lazy("Peserta"),
    "pa_kpa": "PA/KPA",
}


@require_GET
@reporter_required
def ticket_my_packages(request: HttpRequest) -> HttpResponse:
    """The reporter's "Pilih dari paket saya" (HTMX partial): their own packages of the kinds
    the code field takes for the chosen application / category.

    Always 200; empty when the source is off, down or lists nothing, so the page simply
    offers no list. Each package, picked, fills the code and asks the code lookup.
    """
    reporter = current_reporter(request)
    form = TicketCreateForm(initial=request.GET.dict(), reporter=reporter)
    packages = reporter_packages(reporter, kinds=form.code_kinds)
    items = [
        {
            "package": package,
            "kind_label": CodeKind(package.kind).label,
            "role_label": _PACKAGE_ROLES.get(package.peran, package.peran),
            "vals": json.dumps({"code": package.code, "kind": package.kind}),
        }
        for package in packages
    ]
    return render(request, "tickets/portal/_my_packages.html", {"items": items})


# The sources send times with an offset; when the LPSE is not ours, the offset names it.
_ZONE_BY_OFFSET_HOURS = {7: TimeZone.WIB.value, 8: TimeZone.WITA.value, 9: TimeZone.WIT.value}


def _in_zone(moment: datetime.datetime, zone: str) -> str:
    """`moment` in `zone` with its Indonesian name: 28 Nov 2026 15:00 WIB."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{date_format(local, 'j M Y H:i')} {TIME_ZONE_ABBREVIATIONS.get(zone, zone)}"


def _rupiah(value: int) -> str:
    return "Rp " + f"{value:,}".replace(",", ".")


def _tender_context(tender: Tender) -> dict[str, Any]:
    lpse = Lpse.objects.filter(kd_lpse=tender.kd_lpse, is_active=True).first()
    stage = tender.current_stage(timezone.now())
    zone = lpse.timezone if lpse is not None else TimeZone.WIB.value
    if lpse is None and stage is not None and stage.ends_at.utcoffset() is not None:
        offset = stage.ends_at.utcoffset()
        assert offset is not None
        zone = _ZONE_BY_OFFSET_HOURS.get(int(offset.total_seconds()) // 3600, zone)
    return {
        "tender": tender,
        "lpse": lpse,
        "stage": stage,
        "stage_ends": _in_zone(stage.ends_at, zone) if stage is not None else "",
    }


def _lookup_context(result: LookupResult) -> dict[str, Any]:
    context: dict[str, Any] = {"result": result}
    if isinstance(result.data, Tender):
        context.update(_tender_context(result.data))
    elif isinstance(result.data, CatalogPackage):
        context["catalog"] = result.data
    elif isinstance(result.data, RupPackage):
        context["rup"] = result.data
        context["pagu"] = _rupiah(result.data.pagu)
    return context


@require_GET
@reporter_required
def ticket_code_lookup(request: HttpRequest) -> HttpResponse:
    """What the source says about the typed code (HTMX partial, for the reporter's eyes).

    Always 200: an empty partial when there is nothing to look up (no category with a
    code, or a code that cannot be one), the data with *Tervalidasi* when found, and
    otherwise the reason and `data-manual="show"` so the page reveals the manual fields.
    It waits at most `INTEGRATION_LOOKUP_WAIT_SECONDS`, then says the source is slow.
    Ticket creation looks the code up again on its own; this only informs the reporter.
    """
    template = "tickets/portal/_code_lookup.html"
    raw_category = request.GET.get("category", "")
    code = request.GET.get("code", "").strip()
    category = (
        Category.objects.filter(pk=int(raw_category), is_leaf=True, is_active=True).first()
        if raw_category.isdigit()
        else None
    )
    # Without a category, the kind the page knows (a picked package, or the only kind the
    # application's categories take) may be sent along.
    kind = category.code_kind if category is not None else request.GET.get("kind", "")
    if kind not in CODE_PATTERNS or not CODE_PATTERNS[kind][0].fullmatch(code):
        return render(request, template, {})
    try:
        result = lookup_code(kind, code, budget=settings.INTEGRATION_LOOKUP_WAIT_SECONDS)
        context = _lookup_context(result)
        if result.error_code == "timeout":
            context = {
                # The partial adds "Tiket tetap dapat dikirim" and the manual fields.
                "failed": _(
                    "Sumber data lambat menjawab, sehingga kode belum dapat diperiksa "
                    "sekarang; kode akan diperiksa otomatis setelah tiket dikirim."
                )
            }
    except Exception:  # the form must keep working whatever the lookup does
        logger.exception("code lookup failed: kind=%s code=%s", kind, code)
        return render(
            request,
            template,
            {"failed": _("Kode belum dapat diperiksa saat ini; isi data secara manual.")},
        )
    return render(request, template, context)


@require_GET
@reporter_required
def ticket_print(request: HttpRequest, number: str) -> HttpResponse:
    reporter = current_reporter(request)
    ticket = get_ticket_for_user(reporter, number)
    return render(request, "tickets/portal/ticket_print.html", detail_context(reporter, ticket))


def detail_context(reporter: User, ticket: Ticket) -> dict[str, Any]:
    detail = ticket_detail_for(reporter, ticket)
    return {
        "nav": "tickets",
        "ticket": ticket,
        "initial_attachments": detail.initial_attachments,
        "has_attachments": detail.has_attachments,
        "conversation": detail.conversation,
        "history": detail.history,
        "sla": detail.sla,
        "live_stamp": live.reporter_ticket_stamp(ticket),
    }


# Downloads serve reporters and staff alike: the access helper decides who sees what.
@require_GET
@login_required
def attachment_download(request: HttpRequest, number: str, sequence: int) -> HttpResponseBase:
    assert isinstance(request.user, User)
    return file_response(get_attachment_download(request.user, number, sequence))


@require_GET
@login_required
def attachments_zip(request: HttpRequest, number: str) -> StreamingHttpResponse:
    """All attachments of a ticket as one zip, streamed, under their download names."""
    assert isinstance(request.user, User)
    download = get_attachments_zip(request.user, number)
    response = StreamingHttpResponse(download.chunks, content_type=download.content_type)
    response["Content-Disposition"] = f'attachment; filename="{download.file_name}"'
    return response
