from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report, {"slug": "volume"}, name="volume"),
    path("<slug:slug>/", views.report, name="report"),
    path("<slug:slug>/ekspor.<str:fmt>", views.report_export, name="export"),
]
