"""Storefront pages of catalog."""

from django.urls import path

from catalog import review_urls, views

app_name = "catalog"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("c/<slug:slug>/", views.category, name="category"),
    path("p/<int:pk>/", views.product, name="product"),
    path("cart/", views.cart, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/items/<int:item_id>/update/", views.cart_update, name="cart_update"),
    path("cart/items/<int:item_id>/remove/", views.cart_remove, name="cart_remove"),
    *review_urls.urlpatterns,
]
