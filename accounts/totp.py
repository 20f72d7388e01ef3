"""Optional TOTP second factor for the most powerful staff (django-otp, works offline).

With STAFF_TOTP_REQUIRED on, superusers and national supervisors must give a code from
an authenticator app after their password before any page opens; the first time, they
register the app on the same page. An admin resets a lost phone by deleting the user's
TOTP device in Django admin (the next sign-in registers a new one).
"""

from typing import Any

from django.conf import settings

from accounts.models import StaffAssignment, StaffRole


def totp_required(user: Any) -> bool:
    if not settings.STAFF_TOTP_REQUIRED or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if getattr(user, "is_reporter", False):
        return False
    return StaffAssignment.objects.filter(
        user=user, role=StaffRole.SUPERVISOR, lpse__isnull=True, application_group__isnull=True
    ).exists()
