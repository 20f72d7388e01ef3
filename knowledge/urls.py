from django.urls import path

from knowledge.views import public

app_name = "knowledge"

urlpatterns = [
    path("", public.article_list, name="list"),
    path("<slug:slug>/", public.article_detail, name="article"),
    path("<slug:slug>/penilaian/", public.article_vote, name="vote"),
]
