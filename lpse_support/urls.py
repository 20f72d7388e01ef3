from django.contrib import admin
from django.urls import include, path, register_converter

from accounts.views import home
from api.api import api
from lpse_support.converters import IdConverter

# Before the apps' URL modules are included: they use <id:…>.
register_converter(IdConverter, "id")

urlpatterns = [
    path("", home.home, name="home"),
    path("", include("accounts.urls")),
    path("", include("tickets.urls")),
    path("konsol/", include("tickets.urls_console")),
    path("konsol/laporan/", include("reports.urls")),
    path("statistik/", include("reports.urls_public")),
    # Pusat Bantuan (issue 18): readers, and the editors' pages in the console.
    path("bantuan/", include("knowledge.urls")),
    path("konsol/bantuan/", include("knowledge.urls_console")),
    path("notifikasi/", include("notifications.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

# An unreachable database answers 503 with the error page instead of a 500.
handler500 = "lpse_support.unavailable.server_error"
