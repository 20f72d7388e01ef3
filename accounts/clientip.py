"""The client address of a request, as sign-in throttling, the audit log and the API
rate limits see it (the rules are in `lib/clientip.py`; `TRUSTED_PROXIES` configures)."""

from django.conf import settings
from django.http import HttpRequest

from lib.clientip import client_address


def client_ip(request: HttpRequest) -> str:
    """The address of the client that sent this request ("" when unknown)."""
    return client_address(
        request.META.get("REMOTE_ADDR", ""),
        request.META.get("HTTP_X_FORWARDED_FOR", ""),
        tuple(getattr(settings, "TRUSTED_PROXIES", ())),
    )
