"""JSON API of catalog, mounted under /api/."""

from django.urls import path

from catalog.api import reviews, views

urlpatterns = [
    path("categories/", views.CategoryTreeView.as_view(), name="api-categories"),
    path("products/", views.ProductListView.as_view(), name="api-products"),
    path("products/<int:pk>/", views.ProductDetailView.as_view(), name="api-product"),
    path("cart/", views.CartView.as_view(), name="api-cart"),
    path("cart/items/", views.CartItemsView.as_view(), name="api-cart-items"),
    path("cart/items/<int:item_id>/", views.CartItemView.as_view(), name="api-cart-item"),
    *reviews.urlpatterns,
]
