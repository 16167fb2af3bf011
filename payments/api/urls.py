"""JSON API of payments, mounted under /api/."""

from django.urls import path

from payments.api import views

urlpatterns = [
    path("orders/<str:order_no>/pay/", views.OrderPayView.as_view(), name="api-order-pay"),
    path("payments/notify/<str:gateway>/", views.NotifyView.as_view(), name="api-payments-notify"),
    path("payments/<str:payment_no>/", views.PaymentDetailView.as_view(), name="api-payment"),
]
