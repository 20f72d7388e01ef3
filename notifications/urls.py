from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<id:pk>/buka/", views.notification_open, name="open"),
    path("tandai-dibaca/", views.notification_read_all, name="read_all"),
    path("pengaturan/", views.mail_preferences_edit, name="preferences"),
    path("lonceng/", views.bell_count, name="bell"),
]
