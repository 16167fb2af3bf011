"""JSON API of aftersales, mounted under /api/."""

urlpatterns: list = []
