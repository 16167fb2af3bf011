"""The merchant's staff's after-sales API (operations: every merchant): the case list, answers,
offers, receiving returns, reshipping, messages and out of stock."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.views import APIView

from aftersales import selectors, services
from aftersales.models import AfterSalesCase
from catalog.actors import actor_for
from logistics.api.views import IsMerchantStaffOrOps

from ..serializers import (
    ApproveInputSerializer,
    CaseDetailSerializer,
    CaseSummarySerializer,
    MerchantCaseListQuerySerializer,
    MessageInputSerializer,
    OfferInputSerializer,
    OutOfStockInputSerializer,
    ReceiveReturnInputSerializer,
    RejectInputSerializer,
    ReshipInputSerializer,
)
from .common import NOT_NOW, NOT_YOURS, documented_error, merchant_case_response, validated_body


class MerchantCaseListView(GenericAPIView):
    permission_classes = [IsMerchantStaffOrOps]
    serializer_class = CaseSummarySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no staff
            return AfterSalesCase.objects.none()
        query = MerchantCaseListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        cases = selectors.merchant_cases(user=self.request.user)
        if filters.get("status"):
            cases = cases.filter(status=filters["status"])
        if filters.get("type"):
            cases = cases.filter(type=filters["type"])
        if filters.get("reason"):
            cases = cases.filter(reason__code=filters["reason"])
        return cases

    @extend_schema(
        operation_id="merchant_aftersales_list",
        parameters=[MerchantCaseListQuerySerializer],
        responses={
            200: CaseSummarySerializer(many=True),
            400: documented_error("Unknown status or type."),
            403: documented_error("Not a merchant's staff."),
        },
        summary="The merchant's after-sales queue, due soonest first",
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class MerchantCaseDetailView(APIView):
    permission_classes = [IsMerchantStaffOrOps]

    @extend_schema(
        operation_id="merchant_aftersales_retrieve",
        responses={200: CaseDetailSerializer, 404: NOT_YOURS},
        summary="One case of the merchant's with its timeline, thread and offers",
    )
    def get(self, request, case_no: str):
        return merchant_case_response(request, case_no)


class MerchantApproveView(APIView):
    permission_classes = [IsMerchantStaffOrOps]

    @extend_schema(
        operation_id="merchant_aftersales_approve",
        request=ApproveInputSerializer,
        responses={200: CaseDetailSerializer, 404: NOT_YOURS, 409: NOT_NOW},
        summary="Approve a request (a refund starts, or the shopper is asked to return)",
    )
    def post(self, request, case_no: str):
        values = validated_body(ApproveInputSerializer, request)
        services.case_approve(
            case_no=case_no, actor=actor_for(request.user), intercept=values["intercept"]
        )
        return merchant_case_response(request, case_no)


class MerchantRejectView(APIView):
    permission_classes = [IsMerchantStaffOrOps]

    @extend_schema(
        operation_id="merchant_aftersales_reject",
        request=RejectInputSerializer,
        responses={
            200: CaseDetailSerializer,
            400: documented_error(
                "No reason, or neither an offer made before nor evidence "
                "(`offer_or_evidence_required`)."
            ),
            404: NOT_YOURS,
            409: NOT_NOW,
        },
        summary="Reject a request (the shopper may appeal)",
    )
    def post(self, request, case_no: str):
        values = validated_body(RejectInputSerializer, request)
        services.case_reject(
            case_no=case_no,
            actor=actor_for(request.user),
            reason=values["reason"],
            evidence_ids=values.get("evidence_ids"),
        )
        return merchant_case_response(request, case_no)


class MerchantOfferView(APIView):
    permission_classes = [IsMerchantStaffOrOps]

    @extend_schema(
        operation_id="merchant_aftersales_offer",
        request=OfferInputSerializer,
        responses={
            201: CaseDetailSerializer,
            400: documented_error(
                "A type not possible now, or an amount of zero or above the maximum."
            ),
            404: NOT_YOURS,
            409: NOT_NOW,
        },
        summary="Offer the shopper another solution (replaces a pending offer)",
    )
    def post(self, request, case_no: str):
        values = validated_body(OfferInputSerializer, request)
        services.case_offer_make(case_no=case_no, actor=actor_for(request.user), **values)
        return merchant_case_response(request, case_no, status.HTTP_201_CREATED)


class MerchantReceiveReturnView(APIView):
    permission_classes = [IsMerchantStaffOrOps]

    @extend_schema(
        operation_id="merchant_aftersales_receive_return",
        request=ReceiveReturnInputSerializer,
        responses={200: CaseDetailSerializer, 404: NOT_YOURS, 409: NOT_NOW},
        summary="Confirm the return arrived (then the refund or the replacement follows)",
    )
    def post(self, request, case_no: str):
        values = validated_body(ReceiveReturnInputSerializer, request)
        services.case_receive_return(
            case_no=case_no, actor=actor_for(request.user), resellable=values["resellable"]
        )
        return merchant_case_response(request, case_no)


class MerchantReshipView(APIView):
    permission_classes = [IsMerchantStaffOrOps]

    @extend_schema(
        operation_id="merchant_aftersales_reship",
        request=ReshipInputSerializer,
        responses={
            200: CaseDetailSerializer,
            400: documented_error("Unknown carrier or a tracking number it does not issue."),
            404: NOT_YOURS,
            409: NOT_NOW,
        },
        summary="Ship an exchange's replacement (out of stock: refunded instead)",
    )
    def post(self, request, case_no: str):
        values = validated_body(ReshipInputSerializer, request)
        services.case_reship(case_no=case_no, actor=actor_for(request.user), **values)
        return merchant_case_response(request, case_no)


class MerchantMessageView(APIView):
    permission_classes = [IsMerchantStaffOrOps]

    @extend_schema(
        operation_id="merchant_aftersales_message",
        request=MessageInputSerializer,
        responses={
            201: CaseDetailSerializer,
            400: documented_error("No text and no photo, or evidence that is not yours."),
            404: NOT_YOURS,
        },
        summary="Write in the case's thread as the merchant",
    )
    def post(self, request, case_no: str):
        values = validated_body(MessageInputSerializer, request)
        services.case_message_post(
            case_no=case_no,
            actor=actor_for(request.user),
            text=values["text"],
            evidence_ids=values.get("evidence_ids"),
        )
        return merchant_case_response(request, case_no, status.HTTP_201_CREATED)


class MerchantOutOfStockView(APIView):
    permission_classes = [IsMerchantStaffOrOps]

    @extend_schema(
        operation_id="merchant_shipments_out_of_stock",
        request=OutOfStockInputSerializer,
        responses={
            201: CaseDetailSerializer,
            400: documented_error(
                "More units than are left to ship (`invalid_quantity`), or no reason."
            ),
            404: documented_error("No such order line of the merchant's."),
            409: documented_error(
                "The sub-order is not awaiting shipment, a parcel shipped (`shipped`), or the "
                "units are in an open request (`units_in_open_case`)."
            ),
        },
        summary="Mark units of a line out of stock at picking (refunds the shopper)",
        description="Opens an out-of-stock case on the units, approved at once: the shopper is "
        "told and refunded to the original payment method; logistics records the shortage.",
    )
    def post(self, request):
        values = validated_body(OutOfStockInputSerializer, request)
        case = services.case_open_out_of_stock(actor=actor_for(request.user), **values)
        return merchant_case_response(request, case.case_no, status.HTTP_201_CREATED)
