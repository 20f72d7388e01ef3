"""The helpdesk console (staff): queues, ticket detail, actions."""

from django.http import Http404, HttpRequest, HttpResponse


def queue(request: HttpRequest) -> HttpResponse:
    raise Http404
