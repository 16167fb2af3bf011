"""Storefront pages of aftersales."""

app_name = "aftersales"
urlpatterns: list = []
