"""Storefront pages of logistics."""

app_name = "logistics"
urlpatterns: list = []
