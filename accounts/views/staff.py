from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts.throttle import StaffAuthenticationForm


class StaffLoginView(LoginView):
    """Local password sign-in for helpdesk staff; reporters come through SPSE/SiRUP."""

    template_name = "accounts/staff_login.html"
    # Throttled by axes: a lockout shows its own message (accounts/throttle.py).
    form_class = StaffAuthenticationForm
    redirect_authenticated_user = True


staff_login = StaffLoginView.as_view()


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("home")
