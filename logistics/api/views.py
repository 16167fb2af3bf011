"""Logistics API: carriers' signed webhooks, the shopper's tracking, and the merchant's
fulfilment endpoints for ERP/WMS (token auth, scoped to the staff's merchant). Shortages at
picking (merchant/shipments/out-of-stock/) are after-sales' endpoint: it refunds them.

Domain errors from the services become `{"detail", "code"}` bodies in shop.errors.
"""

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.actors import SYSTEM, actor_for, is_platform_staff, staff_merchant
from logistics import selectors, services

from .serializers import (
    AwaitingSubOrderSerializer,
    MerchantShipmentSerializer,
    PackInputSerializer,
    ShipInputSerializer,
    SubOrderTrackingSerializer,
)


class CarrierWebhookView(APIView):
    """A carrier's tracking push: no session, no CSRF, the signature is the authentication.
    Answers in the carrier's own format (400 malformed, 403 bad signature)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=None,
        responses={
            200: OpenApiResponse(description="The carrier's success body"),
            400: OpenApiResponse(description="Malformed push"),
            403: OpenApiResponse(description="Bad signature"),
        },
        summary="Carrier tracking push (sandbox HMAC JSON, Kuaidi100 form)",
    )
    def post(self, request, carrier: str):
        ack = services.tracking_push_receive(
            actor=SYSTEM, adapter_key=carrier, body=request.body, headers=request.headers
        )
        return HttpResponse(ack.content, status=ack.status, content_type=ack.content_type)


class SubOrderTrackingView(APIView):
    @extend_schema(responses={200: SubOrderTrackingSerializer}, summary="A parcel's tracking")
    def get(self, request, no: str):
        sub_order, shipments = selectors.sub_order_tracking_for_user(
            user=request.user, sub_order_no=no
        )
        data = {
            "sub_order_no": sub_order.sub_order_no,
            "status": sub_order.status,
            "shipments": shipments,
        }
        return Response(SubOrderTrackingSerializer(data).data)


class IsMerchantStaffOrOps(BasePermission):
    message = "Only a merchant's staff or platform operations may do this."

    def has_permission(self, request, view):
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and (staff_merchant(user) is not None or is_platform_staff(user))
        )


class MerchantAwaitingShipmentView(ListAPIView):
    """Sub-orders of the staff's merchant awaiting shipment, oldest first (ops: every merchant)."""

    permission_classes = [IsMerchantStaffOrOps]
    serializer_class = AwaitingSubOrderSerializer

    def get_queryset(self):
        user = self.request.user
        merchant = None if is_platform_staff(user) else staff_merchant(user)
        return selectors.awaiting_shipment(merchant=merchant)


class MerchantPackView(APIView):
    permission_classes = [IsMerchantStaffOrOps]

    @extend_schema(
        request=PackInputSerializer,
        responses={200: MerchantShipmentSerializer(many=True)},
        summary="Pack a sub-order into parcels by the carrier's limits",
    )
    def post(self, request):
        data = PackInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sub_order_id = selectors.sub_order_id_for_staff(
            user=request.user, sub_order_no=data.validated_data["sub_order_no"]
        )
        shipments = services.shipment_pack(
            sub_order_id=sub_order_id,
            actor=actor_for(request.user),
            carrier_code=data.validated_data.get("carrier") or None,
        )
        return Response(MerchantShipmentSerializer(shipments, many=True).data)


class MerchantShipView(APIView):
    permission_classes = [IsMerchantStaffOrOps]

    @extend_schema(
        request=ShipInputSerializer,
        responses={200: MerchantShipmentSerializer},
        summary="Ship a parcel (by shipment_no) or a sub-order's next parcel",
    )
    def post(self, request):
        data = ShipInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values.get("shipment_no"):
            shipment = services.shipment_ship(
                shipment_id=selectors.shipment_id_for_staff(
                    user=request.user, shipment_no=values["shipment_no"]
                ),
                carrier_code=values["carrier"],
                tracking_no=values["tracking_no"],
                actor=actor_for(request.user),
            )
        else:
            shipment = services.sub_order_ship_next_parcel(
                sub_order_no=values["sub_order_no"],
                carrier_code=values["carrier"],
                tracking_no=values["tracking_no"],
                actor=actor_for(request.user),
            )
        return Response(MerchantShipmentSerializer(shipment).data)
