"""JSON API of logistics, mounted under /api/."""

urlpatterns: list = []
