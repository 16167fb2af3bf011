"""Storefront pages of payments."""

app_name = "payments"
urlpatterns: list = []
