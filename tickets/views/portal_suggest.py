"""Buat Tiket's suggestions while the reporter types (issue 18): one HTMX partial."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from knowledge.deflection import submission_key_of, suggested_form_record
from knowledge.suggest import DESCRIPTION_CHARS, TITLE_CHARS, suggestions_for
from reference.book import ReferenceBook
from reference.models import Application
from tickets.views.portal import current_reporter, reporter_required


def _chosen_application(raw: str) -> Application | None:
    """The active application the form names, or None for anything else (garbage too)."""
    if not raw.isdigit() or len(raw) > 9:
        return None
    return ReferenceBook.current().active_application(int(raw))


@require_GET
@reporter_required
def ticket_suggestions(request: HttpRequest) -> HttpResponse:
    """Categories, articles and the reporter's own similar open tickets for the text typed
    so far (HTMX partial). Always 200: an empty partial until there is enough to go on,
    and for whatever the query string holds that is not a form's value."""
    reporter = current_reporter(request)
    application = _chosen_application(request.GET.get("application", ""))
    suggestions = suggestions_for(
        reporter,
        application=application,
        title=request.GET.get("title", "")[:TITLE_CHARS],
        description=request.GET.get("description", "")[:DESCRIPTION_CHARS],
    )
    if not suggestions.empty:
        # The form was shown something: counted once for the deflection report.
        suggested_form_record(
            reporter=reporter,
            submission_key=request.GET.get("submission_key", ""),
            application=application,
            chosen_category=request.GET.get("category", ""),
            suggested_categories=suggestions.categories,
        )
    return render(
        request,
        "tickets/portal/_suggestions.html",
        {
            "suggestions": suggestions,
            # Links to articles carry the form's key: opening one counts for the form.
            "submission_key": submission_key_of(request.GET.get("submission_key", "")),
        },
    )
