"""Catalogue and cart API. Reads go through catalog.selectors, cart changes through
catalog.services.cart; the product list is filtered by catalog.filters.ProductFilter, the same
filter the storefront pages use."""

from collections.abc import Mapping

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.api.serializers import (
    CartItemAddSerializer,
    CartItemUpdateSerializer,
    CartSerializer,
    CategorySerializer,
    ProductDetailSerializer,
    ProductListSerializer,
)
from catalog.filters import ProductFilter
from catalog.models import Product
from catalog.selectors import cart_contents, category_tree, product_detail
from catalog.services.cart import cart_add, cart_for_request, cart_remove, cart_set_quantity
from shop.errors import InvalidInput


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


def _cart_response(request, code=status.HTTP_200_OK) -> Response:
    contents = cart_contents(cart_for_request(request))
    return Response(CartSerializer(contents, context={"request": request}).data, status=code)


def _body(request) -> Mapping:
    if not isinstance(request.data, Mapping):
        raise InvalidInput("Send a JSON object.", code="invalid_body")
    return request.data


class CartView(APIView):
    """The shopper's cart: their own when signed in (token or session), else the session's."""

    permission_classes = [AllowAny]

    @extend_schema(responses=CartSerializer, summary="The cart, grouped by merchant")
    def get(self, request):
        return _cart_response(request)


class CartItemsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        request=CartItemAddSerializer,
        responses={201: CartSerializer},
        summary="Add a SKU to the cart (the same SKU again adds up)",
        description="400 bad quantity, 404 unknown SKU, 409 more than sellable stock.",
    )
    def post(self, request):
        body = _body(request)
        cart_add(
            cart=cart_for_request(request),
            sku_id=body.get("sku_id"),
            quantity=body.get("quantity", 1),
        )
        return _cart_response(request, status.HTTP_201_CREATED)


class CartItemView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        request=CartItemUpdateSerializer,
        responses=CartSerializer,
        parameters=[OpenApiParameter("item_id", int, OpenApiParameter.PATH)],
        summary="Change a cart line's quantity",
    )
    def patch(self, request, item_id: int):
        body = _body(request)
        cart_set_quantity(
            cart=cart_for_request(request), item_id=item_id, quantity=body.get("quantity")
        )
        return _cart_response(request)

    @extend_schema(
        responses=CartSerializer,
        parameters=[OpenApiParameter("item_id", int, OpenApiParameter.PATH)],
        summary="Remove a cart line",
    )
    def delete(self, request, item_id: int):
        cart_remove(cart=cart_for_request(request), item_id=item_id)
        return _cart_response(request)
