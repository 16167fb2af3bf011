"""JSON API of catalog, mounted under /api/."""

urlpatterns: list = []
