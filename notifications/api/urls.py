"""JSON API of notifications, mounted under /api/."""

urlpatterns: list = []
