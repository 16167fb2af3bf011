"""JSON API of logistics, mounted under /api/."""

from django.urls import path

from logistics.api import views

urlpatterns = [
    path(
        "logistics/webhook/<str:carrier>/",
        views.CarrierWebhookView.as_view(),
        name="api-logistics-webhook",
    ),
    path(
        "sub-orders/<str:no>/tracking/",
        views.SubOrderTrackingView.as_view(),
        name="api-sub-order-tracking",
    ),
    path(
        "merchant/shipments/",
        views.MerchantAwaitingShipmentView.as_view(),
        name="api-merchant-shipments",
    ),
    path(
        "merchant/shipments/pack/",
        views.MerchantPackView.as_view(),
        name="api-merchant-shipments-pack",
    ),
    path(
        "merchant/shipments/ship/",
        views.MerchantShipView.as_view(),
        name="api-merchant-shipments-ship",
    ),
]
