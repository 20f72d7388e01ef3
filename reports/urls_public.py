from django.urls import path

from reports import views

app_name = "statistics"

urlpatterns = [path("", views.public_statistics_page, name="public")]
