"""Catalogue API. Reads go through catalog.selectors; the product list is filtered by
catalog.filters.ProductFilter, the same filter the storefront pages use."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.api.serializers import (
    CategorySerializer,
    ProductDetailSerializer,
    ProductListSerializer,
)
from catalog.filters import ProductFilter
from catalog.models import Product
from catalog.selectors import category_tree, product_detail


class ProductPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class CategoryTreeView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=CategorySerializer(many=True), summary="The category tree")
    def get(self, request):
        return Response(CategorySerializer(category_tree(), many=True).data)


class ProductListView(generics.ListAPIView):
    """Active products, searched and filtered like the storefront's listing pages."""

    permission_classes = [AllowAny]
    serializer_class = ProductListSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProductFilter
    pagination_class = ProductPagination
    queryset = Product.objects.none()  # ProductFilter runs catalog.selectors.product_search

    @extend_schema(summary="Search and filter products")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ProductDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses=ProductDetailSerializer, summary="A product with its SKUs, stock and images"
    )
    def get(self, request, pk: int):
        detail = product_detail(pk)
        return Response(ProductDetailSerializer(detail, context={"request": request}).data)
