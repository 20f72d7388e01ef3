"""The console list as a file: CSV or XLSX of exactly the tickets the list shows.

The same query parameters as the list (tickets/console_forms.py: a bad value is left
out, as there), the whole list rather than one page, in the list's order. Who may
export is who may open the console (`staff_required`), and the rows come from
`tickets_visible_to` through the same queue and filters: nobody gets a ticket in the
file that the list would not show them.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import User
from lib.replica import replica_allowed, replica_reads
from lib.tabular import csv_stream, xlsx_stream
from tickets.console_forms import ConsoleFilterForm
from tickets.exports import ticket_export_header, ticket_export_rows
from tickets.queues import console_list, queue_tickets
from tickets.views.console import staff_required

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Writer = Callable[[Sequence[str], Iterable[Any]], Iterator[bytes]]


@require_GET
@staff_required
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    return _export(request, csv_stream, "csv", CSV_TYPE)


@require_GET
@staff_required
def export_xlsx(request: HttpRequest) -> StreamingHttpResponse:
    def xlsx(header: Sequence[str], rows: Iterable[Any]) -> Iterator[bytes]:
        return xlsx_stream(_("Tiket"), header, rows)

    return _export(request, xlsx, "xlsx", XLSX_TYPE)


@replica_reads()
def _export(
    request: HttpRequest, write: Writer, extension: str, content_type: str
) -> StreamingHttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = ConsoleFilterForm(request.GET)
    now = timezone.now()
    tickets = console_list(queue_tickets(user, form.queue_key(user)), form.filters(), now=now)
    # Decided now, while the request's read-your-writes state is bound: the body is
    # produced after the view (and the middleware) returned.
    reads: Callable[[], AbstractContextManager[None]] = (
        replica_reads if replica_allowed() else nullcontext
    )
    language = translation.get_language()

    def rows() -> Iterator[list[Any]]:
        # Inside the generator: the view's replica scope has ended by the time the
        # server reads the body.
        with reads(), translation.override(language):
            yield from ticket_export_rows(tickets, now=now)

    response = StreamingHttpResponse(
        write(ticket_export_header(), rows()), content_type=content_type
    )
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="tiket-{stamp}.{extension}"'
    response["Cache-Control"] = "private, no-store"
    return response
