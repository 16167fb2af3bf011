"""Storefront routes of reviews (the paths they had under catalog)."""

from django.urls import path

from reviews import views

app_name = "reviews"
urlpatterns = [
    path(
        "orders/<str:order_no>/lines/<int:line_id>/review/",
        views.review_create_page,
        name="review_create",
    ),
    path("p/<int:pk>/reviews/", views.product_reviews_page, name="product_reviews"),
]
