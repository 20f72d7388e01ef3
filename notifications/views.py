"""The user's own notifications: a list, and marking them read."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from lib.errors import NotFound
from notifications.models import Notification, NotificationKind
from notifications.services import (
    REPORT_MAIL_KINDS,
    STAFF_MAIL_KINDS,
    mail_preferences,
    mail_preferences_set,
    notifications_for,
    notifications_mark_read,
)
from tickets.access import get_ticket_for_user, is_staff_member, may_read_reports


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications_for(_user(request)), settings.TICKET_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/list.html", {"nav": "notifications", "page": page})


@require_GET
@login_required
def bell_count(request: HttpRequest) -> HttpResponse:
    """The unread count on the bell (polled by the page)."""
    return render(request, "notifications/_bell_count.html")


@require_POST
@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go to its ticket (if the user still sees it)."""
    user = _user(request)
    notification = Notification.objects.filter(recipient=user, pk=pk).first()
    if notification is None:
        raise Http404
    notifications_mark_read(user=user, notification_id=notification.pk)
    if notification.ticket_id is None:
        return redirect("notifications:list")
    try:
        ticket = get_ticket_for_user(user, notification.ticket.number)  # type: ignore[union-attr]
    except NotFound:
        return redirect("notifications:list")
    if user.is_reporter:
        return redirect(ticket.get_absolute_url())
    return redirect("console:ticket_detail", ticket.number)


@require_POST
@login_required
def notification_read_all(request: HttpRequest) -> HttpResponse:
    notifications_mark_read(user=_user(request))
    return redirect("notifications:list")


class MailPreferencesForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_lazy("Kirim email kepada saya untuk"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(kind.value, kind.label) for kind in STAFF_MAIL_KINDS],
    )
    # Report readers only (the form leaves it out for everyone else).
    monthly_report = forms.BooleanField(
        label=NotificationKind.MONTHLY_REPORT.label,
        help_text=_lazy(
            "Ringkasan bulan lalu untuk cakupan Anda, dengan tautan ke laporan lengkap."
        ),
        required=False,
    )

    def __init__(self, *args: object, reports: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not reports:
            del self.fields["monthly_report"]

    def enabled(self) -> list[str]:
        """The kinds ticked, the monthly report among them when offered and ticked."""
        kinds = list(self.cleaned_data["kinds"])
        if self.cleaned_data.get("monthly_report"):
            kinds.append(NotificationKind.MONTHLY_REPORT)
        return kinds


@login_required
def mail_preferences_edit(request: HttpRequest) -> HttpResponse:
    """Staff choose the events they get by e-mail (notifications in the app always come);
    report readers also choose whether the monthly report comes."""
    user = _user(request)
    if not is_staff_member(user):
        raise Http404
    reports = may_read_reports(user)
    offered = STAFF_MAIL_KINDS + (REPORT_MAIL_KINDS if reports else ())
    if request.method == "POST":
        form = MailPreferencesForm(request.POST, reports=reports)
        if form.is_valid():
            mail_preferences_set(user=user, enabled=form.enabled(), offered=offered)
            messages.success(request, _("Pengaturan email tersimpan."))
            return redirect("notifications:preferences")
    else:
        current = mail_preferences(user, offered)
        form = MailPreferencesForm(
            initial={
                "kinds": sorted(current - set(REPORT_MAIL_KINDS)),
                "monthly_report": NotificationKind.MONTHLY_REPORT in current,
            },
            reports=reports,
        )
    return render(request, "notifications/preferences.html", {"nav": "notifications", "form": form})
