from django.http import Http404, HttpRequest, HttpResponse


def _pending(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


dashboard = ticket_list = ticket_create = ticket_form_choices = ticket_detail = _pending
ticket_print = attachments_zip = attachment_download = _pending
