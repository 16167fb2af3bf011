"""JSON API of reviews, mounted under /api/."""

from django.urls import path

from reviews.api import views

urlpatterns = [
    path(
        "products/<int:pk>/reviews/", views.ProductReviewsView.as_view(), name="api-product-reviews"
    ),
    path("reviews/", views.ReviewCreateView.as_view(), name="api-reviews"),
]
