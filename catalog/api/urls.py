"""JSON API of catalog, mounted under /api/."""

from django.urls import path

from catalog.api import views

urlpatterns = [
    path("categories/", views.CategoryTreeView.as_view(), name="api-categories"),
    path("products/", views.ProductListView.as_view(), name="api-products"),
    path("products/<int:pk>/", views.ProductDetailView.as_view(), name="api-product"),
]
