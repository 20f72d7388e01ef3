from django.urls import path

from knowledge.views import public

app_name = "knowledge"

urlpatterns = [
    path("", public.article_list, name="list"),
    path("gambar/<id:image_id>/", public.article_image, name="image"),
    path("<slug:slug>/", public.article_detail, name="article"),
    path("<slug:slug>/penilaian/", public.article_vote, name="vote"),
]
