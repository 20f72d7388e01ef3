from django.urls import path

from tickets.views import portal, portal_actions, portal_suggest

app_name = "portal"

urlpatterns = [
    path("dashboard/", portal.dashboard, name="dashboard"),
    path("tiket/", portal.ticket_list, name="ticket_list"),
    path("tiket/buat/", portal.ticket_create, name="ticket_create"),
    path("tiket/buat/pilihan/", portal.ticket_form_choices, name="ticket_form_choices"),
    path("tiket/buat/kode/", portal.ticket_code_lookup, name="ticket_code_lookup"),
    path("tiket/buat/paket-saya/", portal.ticket_my_packages, name="ticket_my_packages"),
    # Suggestions while the reporter types (issue 18).
    path("tiket/buat/saran/", portal_suggest.ticket_suggestions, name="ticket_suggestions"),
    # The detail with the reporter's actions (it builds on portal's detail context).
    path("tiket/<str:number>/", portal_actions.ticket_detail, name="ticket_detail"),
    path("tiket/<str:number>/cetak/", portal.ticket_print, name="ticket_print"),
    path("tiket/<str:number>/lampiran/", portal.attachments_zip, name="attachments_zip"),
    path(
        "tiket/<str:number>/lampiran/<id:sequence>/",
        portal.attachment_download,
        name="attachment_download",
    ),
    # The reporter's actions (guide §4.3.4–§4.3.5.3).
    path("tiket/<str:number>/feedback/", portal_actions.ticket_feedback, name="ticket_feedback"),
    path("tiket/<str:number>/konfirmasi/", portal_actions.ticket_confirm, name="ticket_confirm"),
    path("tiket/<str:number>/tutup/", portal_actions.ticket_force_close, name="ticket_close"),
    path("tiket/<str:number>/penilaian/", portal_actions.ticket_rate, name="ticket_rate"),
    path(
        "tiket/<str:number>/penilaian/kategori/",
        portal_actions.rating_categories,
        name="rating_categories",
    ),
]
