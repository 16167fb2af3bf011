"""The shopper's orders API: input serializer in, one service or selector call, output out.

Domain errors raised by the services (InvalidInput 400, NotFound 404, Conflict 409) become
`{"detail", "code"}` bodies in shop.errors.api_exception_handler; nothing here catches them.
"""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.actors import Actor, Role, actor_for
from orders import selectors, services
from orders.api.serializers import (
    OrderCreateInputSerializer,
    OrderDetailSerializer,
    OrderListQuerySerializer,
    OrderPreviewInputSerializer,
    OrderSummarySerializer,
    PriceChangedSerializer,
    QuoteSerializer,
    SubOrderSerializer,
)
from orders.forms import orders_in_tab
from orders.models import Order
from shop.errors import PriceChanged


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


IDEMPOTENCY_KEY = OpenApiParameter(
    name="Idempotency-Key",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Up to 64 characters chosen by the client for this checkout. Sending the same "
    "key again returns the order it created (200) instead of creating a second one.",
)
MAX_IDEMPOTENCY_KEY_LENGTH = 64


def _order_detail(request, order_no: str, code: int = status.HTTP_200_OK) -> Response:
    order = selectors.order_get_for_user(user=request.user, order_no=order_no)
    return Response(OrderDetailSerializer(order, context={"request": request}).data, status=code)


class OrderPreviewView(APIView):
    @extend_schema(
        operation_id="orders_preview",
        request=OrderPreviewInputSerializer,
        responses={
            200: QuoteSerializer,
            400: _error("Invalid items, unknown SKU, invalid coupon or an empty cart."),
            404: _error("The address is not one of yours."),
        },
        summary="Price an order before placing it",
        description="Prices the given items (or the selected items of the cart) for the "
        "address: lines, per-merchant groups, every discount and shipping fee. Writes nothing.",
    )
    def post(self, request):
        data = OrderPreviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        quote = services.order_preview(user=request.user, **data.service_kwargs())
        return Response(QuoteSerializer(quote).data)


class OrderListCreateView(GenericAPIView):
    serializer_class = OrderSummarySerializer
    throttle_scope = "order_create"  # POSTs per shopper (shop.throttling, settings)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no shopper
            return Order.objects.none()
        query = OrderListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return orders_in_tab(user=self.request.user, tab=query.validated_data.get("status"))

    @extend_schema(
        operation_id="orders_list",
        parameters=[OrderListQuerySerializer],
        responses={200: OrderSummarySerializer(many=True), 400: _error("Unknown status tab.")},
        summary="My orders, newest first",
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        operation_id="orders_create",
        request=OrderCreateInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: OrderDetailSerializer,
            200: OpenApiResponse(
                OrderDetailSerializer, description="Replay: the order this key already created."
            ),
            400: _error("Invalid input, unknown SKU, invalid coupon or an empty cart."),
            404: _error("The address is not one of yours."),
            409: OpenApiResponse(
                PolymorphicProxySerializer(
                    component_name="OrderCreateConflict",
                    serializers=[ErrorSerializer, PriceChangedSerializer],
                    resource_type_field_name=None,
                ),
                description="Not enough stock (`out_of_stock`), or the order no longer costs "
                "`expected_payable` (`price_changed`, with the new `payable_amount` and "
                "`breakdown`; nothing was created, no stock held, no coupon used).",
            ),
        },
        summary="Place an order",
        description="Prices the items again on the server, holds their stock and creates the "
        "order. Online methods (alipay, wechat): the order awaits payment (status "
        "`pending_payment`) until `POST /api/orders/{order_no}/pay/` is paid before "
        "`payment_due_at`. Cash on delivery (`cod`): the order is confirmed in the same request "
        "(status `paid`, split into sub-orders awaiting shipment, no payment deadline); the "
        "shopper pays the courier at the door and does not call /pay/. A replayed "
        "Idempotency-Key returns the same order and never confirms it twice. The ordered SKUs "
        "leave the cart. Send `expected_payable` (the payable amount the shopper saw) to have the "
        "order refused with 409 `price_changed` rather than placed at a different amount; a "
        "replayed Idempotency-Key returns its order without this check.",
    )
    def post(self, request):
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > MAX_IDEMPOTENCY_KEY_LENGTH:
            raise serializers.ValidationError(
                {"Idempotency-Key": [f"At most {MAX_IDEMPOTENCY_KEY_LENGTH} characters."]}
            )
        data = OrderCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        started_at = timezone.now()
        try:
            order = services.order_place(
                # Whoever places an order buys as its shopper: no role lookups here.
                actor=Actor(role=Role.SHOPPER, user=request.user),
                idempotency_key=key,
                expected_payable=data.validated_data.get("expected_payable"),
                **data.service_kwargs(),
            )
        except PriceChanged as change:
            # Money as strings, like every amount of this API; the handler adds detail and code.
            body = PriceChangedSerializer(change).data
            change.extra = {
                name: body[name] for name in ("expected_payable", "payable_amount", "breakdown")
            }
            raise
        # A replayed key returns the order an earlier request created.
        replayed = bool(key) and order.created_at < started_at
        if getattr(order, "is_fresh", False):  # just written, with its rows: no re-read
            body = OrderDetailSerializer(order, context={"request": request}).data
            return Response(body, status=status.HTTP_201_CREATED)
        return _order_detail(
            request, order.order_no, status.HTTP_200_OK if replayed else status.HTTP_201_CREATED
        )


class OrderDetailView(APIView):
    @extend_schema(
        operation_id="orders_retrieve",
        responses={200: OrderDetailSerializer, 404: _error("No such order of yours.")},
        summary="One of my orders with its lines, bill, sub-orders and timeline",
    )
    def get(self, request, order_no: str):
        return _order_detail(request, order_no)


class OrderCancelView(APIView):
    @extend_schema(
        operation_id="orders_cancel",
        request=None,
        responses={
            200: OrderDetailSerializer,
            404: _error("No such order of yours."),
            409: _error("The order can no longer be cancelled (paid or closed)."),
        },
        summary="Cancel an order awaiting payment",
    )
    def post(self, request, order_no: str):
        services.order_cancel(order_no=order_no, actor=actor_for(request.user))
        return _order_detail(request, order_no)


class OrderConfirmReceiptView(APIView):
    @extend_schema(
        operation_id="orders_confirm_receipt",
        request=None,
        responses={
            200: OrderDetailSerializer,
            404: _error("No such order of yours."),
            409: _error("Nothing of this order has been shipped yet."),
        },
        summary="Confirm receipt of every shipped parcel of an order",
    )
    def post(self, request, order_no: str):
        services.order_confirm_receipt(order_no=order_no, actor=actor_for(request.user))
        return _order_detail(request, order_no)


class SubOrderConfirmReceiptView(APIView):
    @extend_schema(
        operation_id="sub_orders_confirm_receipt",
        request=None,
        responses={
            200: SubOrderSerializer,
            404: _error("No such sub-order of yours."),
            409: _error("The sub-order has not been shipped, or is already closed."),
        },
        summary="Confirm receipt of one sub-order (one parcel group)",
    )
    def post(self, request, sub_order_no: str):
        services.sub_order_confirm_receipt(sub_order_no=sub_order_no, actor=actor_for(request.user))
        sub_order = selectors.sub_order_get_for_user(user=request.user, sub_order_no=sub_order_no)
        return Response(SubOrderSerializer(sub_order).data)
