from django.urls import path

from tickets.views import portal

app_name = "portal"

urlpatterns = [
    path("dashboard/", portal.dashboard, name="dashboard"),
    path("tiket/", portal.ticket_list, name="ticket_list"),
    path("tiket/buat/", portal.ticket_create, name="ticket_create"),
    path("tiket/buat/pilihan/", portal.ticket_form_choices, name="ticket_form_choices"),
    path("tiket/<str:number>/", portal.ticket_detail, name="ticket_detail"),
    path("tiket/<str:number>/cetak/", portal.ticket_print, name="ticket_print"),
    path("tiket/<str:number>/lampiran/", portal.attachments_zip, name="attachments_zip"),
    path(
        "tiket/<str:number>/lampiran/<int:sequence>/",
        portal.attachment_download,
        name="attachment_download",
    ),
]
