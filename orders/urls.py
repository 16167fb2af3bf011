"""Storefront pages of orders."""

from django.urls import path

from orders import views

app_name = "orders"
urlpatterns = [
    path("", views.order_list, name="list"),
    path("checkout/", views.checkout, name="checkout"),
    path(
        "sub-orders/<str:sub_order_no>/confirm-receipt/",
        views.sub_order_confirm_receipt,
        name="confirm_receipt",
    ),
    path("<str:order_no>/", views.order_detail, name="detail"),
    path("<str:order_no>/cancel/", views.order_cancel, name="cancel"),
    path("<str:order_no>/buy-again/", views.order_buy_again, name="buy_again"),
]
