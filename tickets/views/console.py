"""The helpdesk console (staff): queues, ticket detail, actions.

Who sees a ticket is decided by `access.py` (not yours: 404, exactly like a missing
ticket); what may happen to it by the services (403 may not act, 409 wrong status or
stale page, 400 bad input). The views only translate between HTTP and those answers.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from knowledge.canned import article_link_text, canned_replies
from knowledge.categories import category_hint, model_text
from knowledge.selectors import articles_for_ticket
from lib.errors import NotFound
from lib.replica import replica_reads
from reference.book import ReferenceBook
from tickets import live, search, services
from tickets.access import (
    action_refusal,
    allowed_actions,
    get_ticket_for_user,
    is_staff_member,
    may_draft_article_from,
    tickets_visible_to,
)
from tickets.answers import past_resolutions
from tickets.console_forms import ACTION_FORMS, ActionForm, ConsoleFilterForm, action_forms
from tickets.duplicates import matching_incidents, possible_duplicates
from tickets.lifecycle import STAFF_ACTIONS, UNANSWERED_STATUSES, Action, TicketActionError
from tickets.models import Ticket
from tickets.presence import presence_report
from tickets.queues import (
    QUEUE_LABELS,
    SORT_RELEVANCE,
    CappedPaginator,
    Queue,
    canned_responses_for,
    console_list,
    merge_candidates,
    queue_match_counts,
    queue_tickets,
    queues_with_counts,
    still_visible,
)
from tickets.selectors import ticket_detail_for
from tickets.ticket_sla import attach_sla_views

View = Callable[..., HttpResponseBase]

# The detail page's parameter naming a category to preselect in Ubah kategori.
SUGGESTED_CATEGORY_PARAM = "kategori"
# An incident's linked tickets listed on its page (the rest are counted, not listed).
LINKED_SHOWN = 20


def staff_required(view: View) -> View:
    """Console pages are for staff with an assignment; anybody else gets a plain 404."""

    @login_required(login_url="accounts:staff_login")
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_staff_member(request.user):  # type: ignore[arg-type]
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _staff(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@require_GET
@staff_required
@replica_reads()
def queue(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    stamp = live.list_stamp(tickets_visible_to(user))
    if (same := live.unchanged(request, stamp)) is not None:
        return same
    form = ConsoleFilterForm(request.GET)
    current = form.queue_key(user)
    filters = form.filters()
    now = timezone.now()
    queues = queues_with_counts(user, stamp=stamp)
    base = queue_tickets(user, current)
    # Counted once: a search's matches up to the ranking limit (a common word over a
    # million tickets need not be counted further to say "more than 500"), or an
    # unfiltered queue's size, which the queue list has just counted. A search counts
    # its matches in every queue, so that the tabs say where they are.
    searching = bool(filters.text.strip())
    known: int | None = None
    matches: dict[str, int] = {}
    if searching:
        matches = queue_match_counts(user, filters, now=now, stamp=stamp)
        known = matches[current]
    elif not form.filtered:
        known = next((q.count for q in queues if q.key == current), None)
    # The rows without the columns the list never shows (the search vector alone is a
    # few kB a ticket); LPSE and application from the reference book, not joined.
    tickets = (
        console_list(base, filters, match_count=known, now=now)
        .select_related(None)
        .select_related("holder")
        .defer(*LIST_DEFERRED)
    )
    paginator = CappedPaginator(
        tickets,
        settings.TICKET_PAGE_SIZE,
        cap=search.RELEVANCE_LIMIT if searching else None,
        known_count=known,
    )
    page = paginator.get_page(request.GET.get("page"))
    # Too many matches to rank (tickets/search.py): the list is newest first; say so.
    broad_search = (
        filters.sort == SORT_RELEVANCE and searching and paginator.count > search.RELEVANCE_LIMIT
    )
    book = ReferenceBook.current()
    for ticket in page.object_list:
        book.attach(ticket)
    attach_sla_views(page.object_list)
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("live", None)  # a poll's stamp must never end up in a link
    tabs = [_queue_tab(item, current, params, matches) for item in queues]
    filter_bar = _kept_filter_bar(form, current, book)
    # The downloads of the whole list carry its queue and filters (console_exports.py).
    export_params = params.copy()
    export_params["antrian"] = current
    return render(
        request,
        "tickets/console/queue.html",
        {
            "nav": "console",
            "form": form,
            "filter_bar": filter_bar,
            "queues": queues,
            "tabs": tabs,
            "searching": searching,
            "matches_elsewhere": [
                tab for tab in tabs if tab["matches"] and tab["queue"].key != current
            ]
            if searching and not matches.get(current)
            else [],
            "current_label": QUEUE_LABELS[current],
            "current": current,
            "page": page,
            "page_query": params.urlencode(),
            "export_query": export_params.urlencode(),
            "live_stamp": stamp,
            "broad_search": broad_search,
            "relevance_limit": search.RELEVANCE_LIMIT,
        },
    )


# Stands for the searched words in a kept filter bar (a private-use character: escaping
# leaves it as it is, and nobody types it).
_WORDS = "\ue000"


def _kept_filter_bar(form: ConsoleFilterForm, current: str, book: ReferenceBook) -> str | None:
    """The filter bar drawn once per reference book (its choices are the book's) and
    language, when it is everyone's: without any filter, or with only words searched for
    (drawn with a stand-in for them). Drawing its 21 fields, 600 LPSEs among the choices,
    was a third of a search's page. None: the page draws it itself."""
    if form.pristine:
        words = None
    elif form.searched_only:
        words = str(form.data.get("cari", ""))  # as typed: the box shows them so
    else:
        return None

    def draw() -> str:
        shown = form if words is None else ConsoleFilterForm({"antrian": current, "cari": _WORDS})
        return render_to_string(
            "tickets/console/_filters.html", {"form": shown, "current": current}
        )

    bar = book.memo(("console-filter-bar", get_language(), current, words is None), draw)
    if words is None:
        return bar
    return mark_safe(bar.replace(_WORDS, escape(words)))  # noqa: S308 (the words escaped)


# Columns of a ticket that the console list does not show: not read for its rows.
LIST_DEFERRED = ("search_vector", "description", "code_snapshot", "code_manual")


def _queue_tab(
    item: Queue, current: str, params: QueryDict, matches: dict[str, int]
) -> dict[str, Any]:
    """A queue's tab: its link keeps the search and the filters (a search looks in every
    queue; the tab says how many of its tickets match)."""
    query = QueryDict(mutable=True)
    query["antrian"] = item.key
    if matches:
        # A search keeps its words and filters from tab to tab; without one, a tab shows
        # the whole queue, as before.
        for name, values in params.lists():
            if name != "antrian":
                query.setlist(name, values)
    count = matches.get(item.key)
    return {
        "queue": item,
        "query": query.urlencode(),
        "matches": count,
        "matches_capped": count is not None and count > search.RELEVANCE_LIMIT,
    }


@require_GET
@staff_required
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = _staff(request)
    ticket = get_ticket_for_user(user, number)
    if (same := live.unchanged(request, live.ticket_stamp(ticket))) is not None:
        return same
    return _detail(request, user, ticket)


# The print view's switch for internal notes: off unless the staff member asks for them.
PRINT_INTERNAL_PARAM = "catatan_internal"


@require_GET
@staff_required
def ticket_print(request: HttpRequest, number: str) -> HttpResponse:
    """The ticket as the reporter's print view shows it; internal notes only on request."""
    user = _staff(request)
    ticket = get_ticket_for_user(user, number)
    with_internal = request.GET.get(PRINT_INTERNAL_PARAM) == "1"
    detail = ticket_detail_for(user, ticket, with_internal=with_internal)
    return render(
        request,
        "tickets/portal/ticket_print.html",
        {
            "ticket": ticket,
            "initial_attachments": detail.initial_attachments,
            "conversation": detail.conversation,
            "history": detail.history,
            "staff_print": True,
            "with_internal": with_internal,
            "internal_param": PRINT_INTERNAL_PARAM,
        },
    )


@require_GET
@staff_required
@replica_reads()
def ticket_duplicates(request: HttpRequest, number: str) -> HttpResponse:
    """Kemungkinan duplikat: loaded by the detail page after it is shown (its own
    statements); without JavaScript, a page of its own."""
    user = _staff(request)
    ticket = get_ticket_for_user(user, number)
    allowed = allowed_actions(
        user, ticket, {Action.MERGE, Action.LINK_INCIDENT, Action.CHANGE_CATEGORY}
    )
    context = {
        "nav": "console",
        "ticket": ticket,
        "duplicates": possible_duplicates(user, ticket) if ticket.is_open else [],
        "incidents": matching_incidents(user, ticket) if ticket.is_open else [],
        # The category model's suggestion when the reporter's choice looks wrong.
        "category_hint": (
            category_hint(
                ticket.application,
                ticket.category_id,
                model_text(ticket.title, ticket.description),
            )
            if ticket.is_open
            else []
        ),
        "change_category_allowed": Action.CHANGE_CATEGORY in allowed,
        "category_param": SUGGESTED_CATEGORY_PARAM,
        "merge_allowed": Action.MERGE in allowed,
        "link_allowed": Action.LINK_INCIDENT in allowed,
        "linkable": UNANSWERED_STATUSES,
    }
    return _panel(request, context, "tickets/console/_duplicates.html", _("Kemungkinan duplikat"))


@require_GET
@staff_required
@replica_reads()
def ticket_answers(request: HttpRequest, number: str) -> HttpResponse:
    """Jawaban yang mungkin: how tickets like this one were resolved, and the Pusat
    Bantuan articles about it, each insertable into the reply. Loaded after the detail
    page (its own statements); without JavaScript, a page of its own."""
    user = _staff(request)
    ticket = get_ticket_for_user(user, number)
    articles = articles_for_ticket(
        user,
        application=ticket.application,
        category=ticket.category,
        text=f"{ticket.title} {ticket.description}",
    )
    context = {
        "nav": "console",
        "ticket": ticket,
        "resolutions": past_resolutions(user, ticket),
        "articles": [(article, article_link_text(article)) for article in articles],
        "reply_allowed": Action.REPLY in allowed_actions(user, ticket, {Action.REPLY}),
        "reply_box": "id_reply_body",
    }
    return _panel(request, context, "tickets/console/_answers.html", _("Jawaban yang mungkin"))


def _panel(
    request: HttpRequest, context: dict[str, Any], template: str, title: str
) -> HttpResponse:
    """A panel for htmx, or (without JavaScript) the same panel as a page of its own."""
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, template, context)
    page = {**context, "panel_template": template, "panel_title": title}
    return render(request, "tickets/console/panel_page.html", page)


@require_POST
@staff_required
def ticket_presence(request: HttpRequest, number: str) -> HttpResponse:
    """The page reports that this person has the ticket open; answer who else has."""
    user = _staff(request)
    ticket = get_ticket_for_user(user, number)
    replying = request.POST.get("replying") == "true"
    others = presence_report(ticket=ticket, user=user, replying=replying)
    return render(request, "tickets/console/_presence.html", {"others": others})


@require_POST
@staff_required
def ticket_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    if action not in ACTION_FORMS:
        raise Http404
    user = _staff(request)
    ticket = get_ticket_for_user(user, number)
    form = ACTION_FORMS[action](request.POST, request.FILES, ticket=ticket, user=user)
    if not form.is_valid():
        # Bad input from somebody who may not act now anyway: say that, not the typo.
        refusal = action_refusal(user, ticket, action)
        if refusal is not None:
            return _refused(request, user, ticket, refusal, form)
        return _detail(
            request,
            user,
            ticket,
            bound=form,
            error=_("Aksi belum dilakukan. Periksa isian yang ditandai."),
            status=400,
        )
    try:
        done = _perform(action, ticket, user, form)
    except TicketActionError as refusal:
        return _refused(request, user, ticket, refusal, form)
    messages.success(request, done)
    if still_visible(user, ticket):
        return redirect("console:ticket_detail", ticket.number)
    return redirect("console:queue")


def _perform(action: str, ticket: Ticket, user: User, form: ActionForm) -> str:
    """Call the action's service; return the success message."""
    data = form.cleaned_data
    revision: int = data["revision"]
    files = form.checked_files
    if action == Action.TAKE:
        services.ticket_take(ticket=ticket, actor=user, revision=revision)
        return _("Tiket berhasil diambil.")
    if action == Action.ASSIGN:
        assignee: User = data["assignee"]
        services.ticket_assign(ticket=ticket, actor=user, assignee=assignee, revision=revision)
        return _("Tiket ditugaskan kepada %(name)s.") % {"name": assignee.display_name}
    if action == Action.REPLY:
        services.ticket_reply(
            ticket=ticket, actor=user, body=data["body"], files=files, revision=revision
        )
        return _("Balasan terkirim.")
    if action == Action.NOTE:
        services.ticket_add_note(ticket=ticket, actor=user, body=data["body"])
        return _("Catatan internal tersimpan.")
    if action == Action.REQUEST_FEEDBACK:
        services.ticket_request_feedback(
            ticket=ticket, actor=user, body=data["body"], files=files, revision=revision
        )
        return _("Permintaan feedback terkirim ke pelapor.")
    if action == Action.RESOLVE:
        services.ticket_resolve(
            ticket=ticket, actor=user, body=data["body"], files=files, revision=revision
        )
        return _("Tiket diselesaikan. Menunggu konfirmasi pelapor.")
    if action == Action.ESCALATE:
        moved = services.ticket_escalate(
            ticket=ticket, actor=user, note=data["note"], revision=revision
        )
        return _("Tiket dieskalasi ke Tier %(tier)d.") % {"tier": moved.tier}
    if action == Action.RETURN:
        moved = services.ticket_return(
            ticket=ticket, actor=user, note=data["note"], revision=revision
        )
        return _("Tiket dikembalikan ke Tier %(tier)d.") % {"tier": moved.tier}
    if action == Action.REVALIDATE_CODE:
        checked = services.ticket_revalidate_code(ticket=ticket, actor=user, revision=revision)
        if checked.code_validated:
            return _("Kode tervalidasi. Prioritas: %(priority)s.") % {
                "priority": checked.get_priority_display()
            }
        return _("Kode belum dapat divalidasi: %(note)s") % {"note": checked.code_validation_note}
    if action == Action.OVERRIDE_PRIORITY:
        services.ticket_override_priority(
            ticket=ticket,
            actor=user,
            priority=data["priority"],
            reason=data["reason"],
            revision=revision,
        )
        return _("Prioritas diubah.")
    if action == Action.CHANGE_CATEGORY:
        changed = services.ticket_change_category(
            ticket=ticket,
            actor=user,
            category=data["category"],
            reason=data["reason"],
            revision=revision,
        )
        return _("Kategori diubah menjadi %(category)s. Prioritas: %(priority)s.") % {
            "category": data["category"].path_label,
            "priority": changed.get_priority_display(),
        }
    if action == Action.LINK_INCIDENT:
        incident: Ticket = data["incident"]
        services.ticket_link_incident(
            ticket=ticket, actor=user, incident=incident, revision=revision
        )
        return _("Tiket ditautkan ke insiden %(number)s.") % {"number": incident.number}
    if action == Action.UNLINK_INCIDENT:
        services.ticket_unlink_incident(ticket=ticket, actor=user, revision=revision)
        return _("Tiket dilepas dari insiden.")
    assert action == Action.MERGE
    into: Ticket = data["into"]
    services.ticket_merge(ticket=ticket, actor=user, into=into, revision=revision)
    return _("Tiket digabung ke %(number)s.") % {"number": into.number}


def _refused(
    request: HttpRequest,
    user: User,
    ticket: Ticket,
    refusal: TicketActionError,
    form: ActionForm,
) -> HttpResponse:
    """The detail page as it is now, with the reason at the top (403, 409 or 400)."""
    try:
        current = get_ticket_for_user(user, ticket.number)
    except NotFound:
        messages.error(request, refusal.message)
        return redirect("console:queue")
    return _detail(
        request, user, current, bound=form, error=refusal.message, status=refusal.status_code
    )


def _detail(
    request: HttpRequest,
    user: User,
    ticket: Ticket,
    *,
    bound: ActionForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    allowed = allowed_actions(user, ticket, STAFF_ACTIONS)
    forms = action_forms(ticket, user, allowed, bound=bound)
    # A category suggested by the triage panel's link: chosen in an opened Ubah kategori
    # (the form's own choices still decide what may be saved).
    suggested = request.GET.get(SUGGESTED_CATEGORY_PARAM, "")
    category_suggested = (
        bound is None
        and Action.CHANGE_CATEGORY in forms
        and suggested.isdigit()
        and len(suggested) <= 9
    )
    if category_suggested:
        forms[Action.CHANGE_CATEGORY].initial["category"] = int(suggested)
    merge_targets = list(merge_candidates(user, ticket)) if Action.MERGE in allowed else []
    # An incident's linked tickets that this person sees (the newest first, bounded).
    linked = (
        list(
            tickets_visible_to(user)
            .filter(incident_id=ticket.pk)
            .only("pk", "number", "title", "status")
            .order_by("-created_at", "-id")[: LINKED_SHOWN + 1]
        )
        if ticket.is_incident
        else []
    )
    detail = ticket_detail_for(user, ticket)
    sla = detail.sla
    return render(
        request,
        "tickets/console/ticket_detail.html",
        {
            "nav": "console",
            "ticket": ticket,
            "initial_attachments": detail.initial_attachments,
            "has_attachments": detail.has_attachments,
            "conversation": detail.conversation,
            "history": detail.history,
            "allowed": allowed,
            "forms": forms,
            "bound_action": bound.action if bound is not None else "",
            "merge_targets": merge_targets,
            "incident_visible": ticket.incident_id is not None
            and tickets_visible_to(user).filter(pk=ticket.incident_id).exists(),
            "category_suggested": category_suggested,
            "linked": linked[:LINKED_SHOWN],
            "linked_more": len(linked) > LINKED_SHOWN,
            "canned_responses": (
                canned_replies(canned_responses_for(ticket)) if Action.REPLY in allowed else []
            ),
            "changes_allowed": bool(allowed - {Action.NOTE}),
            "may_draft_article": may_draft_article_from(user, ticket),
            "sla": sla,
            "live_stamp": live.ticket_stamp(ticket),
            "sla_rows": [("response", sla.clocks.response), ("resolution", sla.clocks.resolution)],
            "error": error,
        },
        status=status,
    )
