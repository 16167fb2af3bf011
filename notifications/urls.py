"""Storefront pages of notifications, mounted at /inbox/."""

from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("settings/", views.preferences, name="preferences"),
    path("<uuid:message_id>/open/", views.open_message, name="open"),
    path("<uuid:message_id>/read/", views.mark_read, name="read"),
]
