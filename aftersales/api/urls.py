"""JSON API of aftersales, mounted under /api/ (shop/urls.py)."""

from django.urls import path

from aftersales.api import views

case = "aftersales/<str:case_no>/"
merchant_case = "merchant/aftersales/<str:case_no>/"

urlpatterns = [
    path(
        "sub-orders/<str:sub_order_no>/aftersales-options/",
        views.SubOrderOptionsView.as_view(),
        name="api-aftersales-options",
    ),
    path(
        "orders/<str:order_no>/cancel-paid/",
        views.OrderCancelPaidView.as_view(),
        name="api-order-cancel-paid",
    ),
    path("aftersales/", views.CaseListCreateView.as_view(), name="api-aftersales"),
    path(
        "aftersales/evidence/",
        views.EvidenceUploadView.as_view(),
        name="api-aftersales-evidence",
    ),
    path(case, views.CaseDetailView.as_view(), name="api-aftersales-detail"),
    path(f"{case}cancel/", views.CaseCancelView.as_view(), name="api-aftersales-cancel"),
    path(f"{case}messages/", views.CaseMessageView.as_view(), name="api-aftersales-messages"),
    path(
        f"{case}offers/<int:offer_id>/accept/",
        views.OfferAcceptView.as_view(),
        name="api-aftersales-offer-accept",
    ),
    path(
        f"{case}offers/<int:offer_id>/decline/",
        views.OfferDeclineView.as_view(),
        name="api-aftersales-offer-decline",
    ),
    path(
        f"{case}return-shipment/",
        views.ReturnShipmentView.as_view(),
        name="api-aftersales-return-shipment",
    ),
    path(f"{case}appeal/", views.AppealView.as_view(), name="api-aftersales-appeal"),
    # The merchant's staff (operations: every merchant's).
    path(
        "merchant/aftersales/",
        views.MerchantCaseListView.as_view(),
        name="api-merchant-aftersales",
    ),
    path(
        merchant_case,
        views.MerchantCaseDetailView.as_view(),
        name="api-merchant-aftersales-detail",
    ),
    path(
        f"{merchant_case}approve/",
        views.MerchantApproveView.as_view(),
        name="api-merchant-aftersales-approve",
    ),
    path(
        f"{merchant_case}reject/",
        views.MerchantRejectView.as_view(),
        name="api-merchant-aftersales-reject",
    ),
    path(
        f"{merchant_case}offer/",
        views.MerchantOfferView.as_view(),
        name="api-merchant-aftersales-offer",
    ),
    path(
        f"{merchant_case}receive-return/",
        views.MerchantReceiveReturnView.as_view(),
        name="api-merchant-aftersales-receive-return",
    ),
    path(
        f"{merchant_case}reship/",
        views.MerchantReshipView.as_view(),
        name="api-merchant-aftersales-reship",
    ),
    path(
        f"{merchant_case}messages/",
        views.MerchantMessageView.as_view(),
        name="api-merchant-aftersales-messages",
    ),
    # Shortages at picking refund the shopper, so they are after-sales' (logistics records
    # the shortage itself when the case opens).
    path(
        "merchant/shipments/out-of-stock/",
        views.MerchantOutOfStockView.as_view(),
        name="api-merchant-shipments-out-of-stock",
    ),
]
