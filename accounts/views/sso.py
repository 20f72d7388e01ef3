from django.http import Http404, HttpRequest, HttpResponse


def _pending(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


sso_handoff = profile = profile_edit = _pending
