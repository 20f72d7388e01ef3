from django.urls import path

from tickets.views import console

app_name = "console"

urlpatterns = [
    path("", console.queue, name="queue"),
]
