"""Storefront routes of reviews, appended to the catalog namespace by catalog/urls.py."""

from django.urls import path

from catalog import review_views

urlpatterns = [
    path(
        "orders/<str:order_no>/lines/<int:line_id>/review/",
        review_views.review_create_page,
        name="review_create",
    ),
    path("p/<int:pk>/reviews/", review_views.product_reviews_page, name="product_reviews"),
]
