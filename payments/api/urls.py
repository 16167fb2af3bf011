"""JSON API of payments, mounted under /api/."""

urlpatterns: list = []
