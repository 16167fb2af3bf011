"""Storefront pages of orders."""

app_name = "orders"
urlpatterns: list = []
