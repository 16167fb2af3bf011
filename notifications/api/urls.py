"""JSON API of notifications, mounted under /api/."""

from django.urls import path

from notifications.api import views

urlpatterns = [
    path("notifications/", views.InboxMessageListApi.as_view(), name="notifications-list"),
    path(
        "notifications/read-all/",
        views.InboxMarkAllReadApi.as_view(),
        name="notifications-read-all",
    ),
    path(
        "notifications/unread-count/",
        views.InboxUnreadCountApi.as_view(),
        name="notifications-unread-count",
    ),
    path(
        "notifications/preferences/",
        views.NotificationPreferencesApi.as_view(),
        name="notifications-preferences",
    ),
    path(
        "notifications/<uuid:message_id>/read/",
        views.InboxMessageReadApi.as_view(),
        name="notifications-read",
    ),
]
