"""The reporter's actions on a ticket (guide §4.3.4–§4.3.5.3).

Beri Feedback, Konfirmasi (*Ya, sudah* / *Belum*), Tutup Tiket and Penilaian, and the
ticket detail that offers them. Every view: access helper (404 when not yours) → form →
service → redirect or render. The services decide what is allowed; their refusals are
answered with a page that says why: 403, 409 (e.g. a stale page) or 400, never a 500.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from accounts.models import User
from reference.models import RatingCategory
from tickets import live, services
from tickets.access import action_refusal, allowed_actions, get_ticket_for_user
from tickets.lifecycle import REPORTER_ACTIONS, Action, TicketActionError
from tickets.models import MessageKind, Status, Ticket
from tickets.portal_forms import (
    ConfirmForm,
    FeedbackForm,
    ForceCloseForm,
    RatingForm,
    offered_categories,
)
from tickets.selectors import ticket_conversation
from tickets.views.portal import current_reporter, detail_context, reporter_required

View = Callable[..., HttpResponseBase]

ACTION_ANCHOR = "#tindakan"


def refusals_as_pages(view: View) -> View:
    """Answer a refused action with a page that explains it, with the refusal's status."""

    @wraps(view)
    def wrapper(request: HttpRequest, number: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, number, *args, **kwargs)
        except TicketActionError as error:
            return _refused(request, number, error)

    return wrapper


def _refused(request: HttpRequest, number: str, error: TicketActionError) -> HttpResponse:
    context = {"nav": "tickets", "number": number, "error": error}
    if request.htmx:  # type: ignore[attr-defined]
        # The form asked for no swap; the explanation replaces the page content instead.
        response = render(
            request, "tickets/portal/_action_error.html", context, status=error.status_code
        )
        response["HX-Retarget"] = "#konten"
        response["HX-Reswap"] = "innerHTML show:top"
        return response
    return render(request, "tickets/portal/action_error.html", context, status=error.status_code)


def _go(request: HttpRequest, url: str) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _latest_public_message(ticket: Ticket, kind: str) -> Any:
    return ticket_conversation(ticket, include_internal=False).filter(kind=kind).last()


def _action_context(reporter: User, ticket: Ticket, **forms: Any) -> dict[str, Any]:
    """What the action section of the detail page needs for the ticket's status."""
    allowed = allowed_actions(reporter, ticket, REPORTER_ACTIONS)
    context: dict[str, Any] = {
        "can_rate": Action.RATE in allowed,
        "can_close": Action.FORCE_CLOSE in allowed,
    }
    initial = {"revision": ticket.revision}
    if Action.GIVE_FEEDBACK in allowed:
        context["feedback_request"] = _latest_public_message(ticket, MessageKind.FEEDBACK_REQUEST)
        context["feedback_form"] = forms.get("feedback_form") or FeedbackForm(initial=initial)
    elif Action.CONFIRM in allowed:
        context["resolution"] = _latest_public_message(ticket, MessageKind.RESOLUTION)
        context["confirm_form"] = forms.get("confirm_form") or ConfirmForm(initial=initial)
    return context


def _render_detail(request: HttpRequest, ticket: Ticket, **forms: Any) -> HttpResponse:
    reporter = current_reporter(request)
    context = {**detail_context(reporter, ticket), **_action_context(reporter, ticket, **forms)}
    return render(request, "tickets/portal/ticket_detail.html", context)


def _raise_refusal(reporter: User, ticket: Ticket, action: str) -> None:
    refusal = action_refusal(reporter, ticket, action)
    if refusal is not None:
        raise refusal


def _form_refused(
    request: HttpRequest, ticket: Ticket, action: str, form_name: str, form: Any
) -> HttpResponse:
    """Show the form's errors next to its fields; nothing was changed."""
    # A page for an action no longer open to this person has no form to show errors in.
    _raise_refusal(current_reporter(request), ticket, action)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "tickets/portal/_action_errors.html", {"form": form})
    return _render_detail(request, ticket, **{form_name: form})


@require_GET
@reporter_required
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    ticket = get_ticket_for_user(current_reporter(request), number)
    if (same := live.unchanged(request, live.reporter_ticket_stamp(ticket))) is not None:
        return same
    return _render_detail(request, ticket)


@require_http_methods(["GET", "POST"])
@reporter_required
@refusals_as_pages
def ticket_feedback(request: HttpRequest, number: str) -> HttpResponse:
    """Beri Feedback: answer the helpdesk's request; the ticket goes back to its holder."""
    reporter = current_reporter(request)
    ticket = get_ticket_for_user(reporter, number)
    if request.method == "GET":
        return redirect(ticket.get_absolute_url() + ACTION_ANCHOR)
    form = FeedbackForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_refused(request, ticket, Action.GIVE_FEEDBACK, "feedback_form", form)
    services.ticket_give_feedback(
        ticket=ticket,
        actor=reporter,
        body=form.cleaned_data["body"],
        files=form.checked_files,
        revision=form.cleaned_data["revision"],
    )
    messages.success(request, _("Feedback berhasil terkirim."))
    return _go(request, ticket.get_absolute_url())


@require_http_methods(["GET", "POST"])
@reporter_required
@refusals_as_pages
def ticket_confirm(request: HttpRequest, number: str) -> HttpResponse:
    """Konfirmasi: *Ya, sudah* closes the ticket (then Penilaian); *Belum* reopens it."""
    reporter = current_reporter(request)
    ticket = get_ticket_for_user(reporter, number)
    if request.method == "GET":
        return redirect(ticket.get_absolute_url() + ACTION_ANCHOR)
    form = ConfirmForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_refused(request, ticket, Action.CONFIRM, "confirm_form", form)
    revision = form.cleaned_data["revision"]
    if form.solved:
        services.ticket_confirm(ticket=ticket, actor=reporter, revision=revision)
        messages.success(
            request,
            _("Terima kasih, tiket telah selesai. Silakan beri penilaian atas layanan helpdesk."),
        )
        return _go(request, reverse("portal:ticket_rate", args=[ticket.number]))
    services.ticket_reopen(
        ticket=ticket,
        actor=reporter,
        body=form.cleaned_data["body"],
        files=form.checked_files,
        revision=revision,
    )
    messages.success(request, _("Feedback berhasil terkirim."))
    return _go(request, ticket.get_absolute_url())


@require_http_methods(["GET", "POST"])
@reporter_required
@refusals_as_pages
def ticket_force_close(request: HttpRequest, number: str) -> HttpResponse:
    """Tutup Tiket: the consequence first, then a required reason; then Penilaian."""
    reporter = current_reporter(request)
    ticket = get_ticket_for_user(reporter, number)
    if request.method == "POST":
        form = ForceCloseForm(request.POST)
        if form.is_valid():
            # The service decides: a repeated click passes quietly, a stale page is a 409.
            services.ticket_force_close(
                ticket=ticket,
                actor=reporter,
                reason=form.cleaned_data["reason"],
                revision=form.cleaned_data["revision"],
            )
            messages.success(
                request,
                _("Tiket telah ditutup. Silakan beri penilaian atas layanan helpdesk."),
            )
            return redirect("portal:ticket_rate", ticket.number)
    else:
        form = ForceCloseForm(initial={"revision": ticket.revision})
    _raise_refusal(reporter, ticket, Action.FORCE_CLOSE)  # no form for a closed ticket: 409
    return render(
        request,
        "tickets/portal/ticket_close.html",
        {"nav": "tickets", "ticket": ticket, "form": form},
    )


@require_http_methods(["GET", "POST"])
@reporter_required
@refusals_as_pages
def ticket_rate(request: HttpRequest, number: str) -> HttpResponse:
    """Penilaian: once per confirmed or force-closed ticket."""
    reporter = current_reporter(request)
    ticket = get_ticket_for_user(reporter, number)
    _raise_refusal(reporter, ticket, Action.RATE)
    if request.method == "POST":
        form = RatingForm(request.POST)
        if form.is_valid():
            services.ticket_rate(
                ticket=ticket,
                actor=reporter,
                stars=form.cleaned_data["stars"],
                categories=list(form.cleaned_data["categories"]),
                comment=form.cleaned_data["comment"],
            )
            # The guide's words: after Tutup Tiket (§4.3.5.3) and after Konfirmasi (§4.3.5.1).
            if ticket.status == Status.FORCE_CLOSED:
                messages.success(request, _("Penilaian berhasil dilakukan."))
            else:
                messages.success(request, _("Berhasil memberikan penilaian."))
            return redirect("portal:ticket_list")
    else:
        # `?stars=` preselects (the page without JavaScript shows that star's categories).
        form = RatingForm(initial={"revision": ticket.revision, "stars": request.GET.get("stars")})
    stars = form["stars"].value()
    return render(
        request,
        "tickets/portal/ticket_rate.html",
        {
            "nav": "tickets",
            "ticket": ticket,
            "form": form,
            "categories": offered_categories(stars),
            "all_categories": RatingCategory.objects.all(),  # shown without JavaScript
            "chosen": [str(pk) for pk in form["categories"].value() or []],
            "star_values": range(1, 6),
            "stars_chosen": str(stars or ""),
        },
    )


@require_GET
@reporter_required
def rating_categories(request: HttpRequest, number: str) -> HttpResponse:
    """The categories offered for the chosen number of stars (HTMX partial)."""
    get_ticket_for_user(current_reporter(request), number)
    return render(
        request,
        "tickets/portal/_rating_categories.html",
        {
            "categories": offered_categories(request.GET.get("stars")),
            "chosen": request.GET.getlist("categories"),
            "stars_chosen": request.GET.get("stars", ""),
        },
    )
