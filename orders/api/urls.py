"""JSON API of orders, mounted under /api/."""

from django.urls import path

from orders.api import views

urlpatterns = [
    path("orders/", views.OrderListCreateView.as_view(), name="api-orders"),
    path("orders/preview/", views.OrderPreviewView.as_view(), name="api-orders-preview"),
    path("orders/<str:order_no>/", views.OrderDetailView.as_view(), name="api-order-detail"),
    path("orders/<str:order_no>/cancel/", views.OrderCancelView.as_view(), name="api-order-cancel"),
    path(
        "orders/<str:order_no>/confirm-receipt/",
        views.OrderConfirmReceiptView.as_view(),
        name="api-order-confirm-receipt",
    ),
    path(
        "sub-orders/<str:sub_order_no>/confirm-receipt/",
        views.SubOrderConfirmReceiptView.as_view(),
        name="api-sub-order-confirm-receipt",
    ),
]
