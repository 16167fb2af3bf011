"""Payments API: start a payment, read one of mine, and the gateways' notification endpoint."""

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.actors import SYSTEM, actor_for
from payments import selectors, services
from payments.models import Method

from .serializers import PayInputSerializer, PaymentSerializer, PayOutputSerializer


class OrderPayView(APIView):
    @extend_schema(
        request=PayInputSerializer,
        responses={201: PayOutputSerializer},
        summary="Start paying an order: {method} -> {payment_no, pay_url}",
    )
    def post(self, request, order_no: str):
        data = PayInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actor = actor_for(request.user)
        payment = services.payment_start(
            order_no=order_no, actor=actor, method=data.validated_data["method"]
        )
        pay_url = None
        if payment.method != Method.COD:
            pay_url = services.payment_pay_request(payment=payment).pay_url
            if pay_url.startswith("/"):
                pay_url = request.build_absolute_uri(pay_url)
        body = {
            "payment_no": payment.payment_no,
            "method": payment.method,
            "amount": payment.amount,
            "pay_url": pay_url,
        }
        return Response(PayOutputSerializer(body).data, status=status.HTTP_201_CREATED)


class PaymentDetailView(APIView):
    @extend_schema(responses=PaymentSerializer, summary="One of my payments")
    def get(self, request, payment_no: str):
        payment = selectors.payment_get_for_user(user=request.user, payment_no=payment_no)
        return Response(PaymentSerializer(payment).data)


class NotifyView(APIView):
    """Signed asynchronous notifications from a gateway: no session, no CSRF, the signature is
    the authentication. Answers in the gateway's own format."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=None,
        responses={200: OpenApiResponse(description="Gateway's success body")},
        summary="Gateway notification (Alipay form, WeChat Pay v3 JSON)",
    )
    def post(self, request, gateway: str):
        result = services.payment_handle_notification(
            gateway=gateway, body=request.body, headers=request.headers, actor=SYSTEM
        )
        ack = result.acknowledgement
        return HttpResponse(ack.body, status=ack.status_code, content_type=ack.content_type)
