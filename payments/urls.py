"""Storefront pages of payments."""

from django.urls import path

from payments import views

app_name = "payments"
urlpatterns = [
    path("orders/<str:order_no>/", views.pay, name="pay"),
    path("cashier/<str:payment_no>/", views.cashier, name="cashier"),
    path("result/<str:payment_no>/", views.result, name="result"),
]
