"""JSON API of orders, mounted under /api/."""

urlpatterns: list = []
