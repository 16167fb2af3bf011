"""JSON API of the cart, mounted under /api/."""

from django.urls import path

from cart.api import views

urlpatterns = [
    path("cart/", views.CartView.as_view(), name="api-cart"),
    path("cart/items/", views.CartItemsView.as_view(), name="api-cart-items"),
    path("cart/items/<int:item_id>/", views.CartItemView.as_view(), name="api-cart-item"),
]
