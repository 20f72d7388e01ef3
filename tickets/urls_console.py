from django.urls import path

from tickets.views import console, console_exports

app_name = "console"

urlpatterns = [
    path("", console.queue, name="queue"),
    # The list as a file: the same filters, every ticket of the list.
    path("ekspor.csv", console_exports.export_csv, name="export_csv"),
    path("ekspor.xlsx", console_exports.export_xlsx, name="export_xlsx"),
    path("tiket/<str:number>/", console.ticket_detail, name="ticket_detail"),
    path("tiket/<str:number>/cetak/", console.ticket_print, name="ticket_print"),
    path("tiket/<str:number>/aksi/<str:action>/", console.ticket_action, name="ticket_action"),
    path("tiket/<str:number>/kehadiran/", console.ticket_presence, name="ticket_presence"),
    path("tiket/<str:number>/duplikat/", console.ticket_duplicates, name="ticket_duplicates"),
    path("tiket/<str:number>/jawaban/", console.ticket_answers, name="ticket_answers"),
]
