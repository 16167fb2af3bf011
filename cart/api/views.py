"""Cart API: the cart of whoever asks (signed in by token or session, or the session's), read
through cart.selectors and changed only through cart.services."""

from collections.abc import Mapping

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from cart.api.serializers import CartItemAddSerializer, CartItemUpdateSerializer, CartSerializer
from cart.selectors import cart_contents
from cart.services import cart_add, cart_for_request, cart_remove, cart_set_quantity
from shop.errors import InvalidInput


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
