from django.urls import path

from knowledge.views import console

app_name = "knowledge_console"

urlpatterns = [
    path("", console.article_list, name="list"),
    path("baru/", console.article_create, name="create"),
    path("<id:article_id>/", console.article_edit, name="edit"),
    path("<id:article_id>/status/", console.article_status, name="status"),
    path("<id:article_id>/gambar/", console.image_upload, name="image_upload"),
    path("<id:article_id>/gambar/<id:image_id>/hapus/", console.image_delete, name="image_delete"),
    path("<id:article_id>/jawaban/", console.article_canned, name="canned"),
    path("<id:article_id>/versi/", console.article_history, name="history"),
    path("dari-tiket/<str:number>/", console.article_from_ticket, name="from_ticket"),
]
