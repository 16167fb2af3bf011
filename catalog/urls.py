"""Storefront pages of catalog."""

app_name = "catalog"
urlpatterns: list = []
