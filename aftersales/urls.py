"""Storefront pages of aftersales."""

from django.urls import path

from aftersales import views

app_name = "aftersales"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("request/<str:sub_order_no>/", views.case_request, name="request"),
    path("orders/<str:order_no>/cancel/", views.cancel_order, name="cancel_order"),
    path("evidence/<str:public_id>/", views.evidence_file, name="evidence"),
    path("<str:case_no>/", views.case_detail, name="detail"),
    path("<str:case_no>/cancel/", views.case_cancel, name="cancel"),
    path("<str:case_no>/message/", views.case_message, name="message"),
    path("<str:case_no>/offers/<int:offer_id>/accept/", views.offer_accept, name="offer_accept"),
    path("<str:case_no>/offers/<int:offer_id>/decline/", views.offer_decline, name="offer_decline"),
    path("<str:case_no>/return-shipment/", views.return_shipment, name="return_shipment"),
    path("<str:case_no>/appeal/", views.case_appeal, name="appeal"),
]
