"""The shopper's after-sales API: what can be asked for, evidence, cases and their thread,
offers, the return parcel, appeals and cancelling a paid order."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales import selectors, services
from catalog.actors import actor_for
from orders.selectors import sub_order_get_for_user
from shop.errors import InvalidInput

from ..serializers import (
    AppealInputSerializer,
    CancelPaidInputSerializer,
    CaseCreateInputSerializer,
    CaseDetailSerializer,
    CaseListSerializer,
    CaseSummarySerializer,
    EvidenceUploadedSerializer,
    EvidenceUploadInputSerializer,
    MessageInputSerializer,
    ReturnShipmentInputSerializer,
    SubOrderOptionsSerializer,
)
from .common import (
    IDEMPOTENCY_KEY,
    MAX_IDEMPOTENCY_KEY_LENGTH,
    MULTIPART_OVERHEAD_BYTES,
    NOT_NOW,
    NOT_YOURS,
    documented_error,
    shopper_case_response,
    validated_body,
)


class SubOrderOptionsView(APIView):
    @extend_schema(
        operation_id="aftersales_options",
        responses={
            200: SubOrderOptionsSerializer,
            404: documented_error("No such sub-order of yours."),
        },
        summary="What I can ask for on a sub-order now",
        description="Each line's refundable quantity, largest refund and allowed request "
        "types, the reasons to choose from, when the after-sales window ends, and why nothing "
        "can be asked for (`not_allowed_reason`) when that is so.",
    )
    def get(self, request, sub_order_no: str):
        sub_order = sub_order_get_for_user(user=request.user, sub_order_no=sub_order_no)
        options = selectors.sub_order_options(sub_order=sub_order)
        return Response(SubOrderOptionsSerializer(options).data)


def upload_body_limit() -> int:
    return (
        max(settings.AFTERSALES_IMAGE_MAX_BYTES, settings.AFTERSALES_VIDEO_MAX_BYTES)
        + MULTIPART_OVERHEAD_BYTES
    )


class EvidenceUploadView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    def initial(self, request, *args, **kwargs):
        # Before authentication: session auth's CSRF check would read the whole body first.
        # The body is refused by its declared length, so a huge upload is never stored.
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > upload_body_limit():
            raise InvalidInput(
                f"The file is larger than {filesizeformat(settings.AFTERSALES_VIDEO_MAX_BYTES)}.",
                code="file_too_large",
            )
        super().initial(request, *args, **kwargs)

    @extend_schema(
        operation_id="aftersales_evidence_upload",
        request={"multipart/form-data": EvidenceUploadInputSerializer},
        responses={
            201: EvidenceUploadedSerializer,
            400: documented_error(
                "No file, not a real image or MP4 video (`invalid_file`), or over the size "
                "limit (`file_too_large`)."
            ),
        },
        summary="Upload a photo or short video as evidence",
        description="The file is stored privately and not attached to anything yet: pass its "
        "`id` in `evidence_ids` of a request, message, appeal or rejection. `url` is where "
        "the uploader (and later the case's parties) can open it.",
    )
    def post(self, request):
        try:
            upload = validated_body(EvidenceUploadInputSerializer, request)["file"]
        except RequestDataTooBig:
            raise InvalidInput("The upload is too large.", code="file_too_large") from None
        evidence = services.evidence_upload(actor=actor_for(request.user), upload=upload)
        return Response(EvidenceUploadedSerializer(evidence).data, status=status.HTTP_201_CREATED)


class CaseListCreateView(GenericAPIView):
    serializer_class = CaseSummarySerializer
    throttle_scope = "aftersales_create"  # POSTs per shopper (shop.throttling, settings)

    def get_queryset(self):
        return selectors.shopper_cases(user=self.request.user)

    @extend_schema(
        operation_id="aftersales_list",
        responses={200: CaseSummarySerializer(many=True)},
        summary="My after-sales requests, newest first",
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        operation_id="aftersales_create",
        request=CaseCreateInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: CaseDetailSerializer,
            200: OpenApiResponse(
                CaseDetailSerializer, description="Replay: the case this key already opened."
            ),
            400: documented_error(
                "Unknown reason (`unknown_reason`) or one that does not fit the type and stage "
                "(`reason_not_allowed`), more units than refundable (`invalid_quantity`), an "
                "amount above the maximum (`amount_too_high`), a type a shopper cannot ask for "
                "(`invalid_type`), missing or foreign evidence."
            ),
            404: documented_error("No such sub-order of yours."),
            409: documented_error(
                "The units are in another open request (`units_in_open_case`), the type is "
                "not possible at this stage (`type_not_allowed`), or after-sales is over "
                "(`aftersales_closed`, `window_ended`)."
            ),
        },
        summary="Ask for a refund, a return or an exchange",
        description="Opens a case on units of one sub-order. `refund_amount` defaults to the "
        "largest refund of those units. A refund asked before anything shipped is approved at "
        "once and paid back to the original payment method.",
    )
    def post(self, request):
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > MAX_IDEMPOTENCY_KEY_LENGTH:
            raise serializers.ValidationError(
                {"Idempotency-Key": [f"At most {MAX_IDEMPOTENCY_KEY_LENGTH} characters."]}
            )
        values = validated_body(CaseCreateInputSerializer, request)
        started_at = timezone.now()
        case = services.case_create(
            actor=actor_for(request.user),
            sub_order_no=values["sub_order_no"],
            type=values["type"],
            reason=values["reason"],
            lines=[dict(line) for line in values["lines"]],
            description=values["description"],
            refund_amount=values.get("refund_amount"),
            evidence_ids=values.get("evidence_ids"),
            idempotency_key=key,
        )
        # A replayed key returns the case an earlier request opened.
        replayed = bool(key) and case.created_at < started_at
        return shopper_case_response(
            request, case.case_no, status.HTTP_200_OK if replayed else status.HTTP_201_CREATED
        )


class CaseDetailView(APIView):
    @extend_schema(
        operation_id="aftersales_retrieve",
        responses={200: CaseDetailSerializer, 404: NOT_YOURS},
        summary="One of my after-sales requests with its timeline, thread and offers",
    )
    def get(self, request, case_no: str):
        return shopper_case_response(request, case_no)


class CaseCancelView(APIView):
    @extend_schema(
        operation_id="aftersales_cancel",
        request=None,
        responses={200: CaseDetailSerializer, 404: NOT_YOURS, 409: NOT_NOW},
        summary="Withdraw my request (before the goods are on their way back)",
    )
    def post(self, request, case_no: str):
        services.case_cancel(case_no=case_no, actor=actor_for(request.user))
        return shopper_case_response(request, case_no)


class CaseMessageView(APIView):
    @extend_schema(
        operation_id="aftersales_message",
        request=MessageInputSerializer,
        responses={
            201: CaseDetailSerializer,
            400: documented_error("No text and no photo, or evidence that is not yours."),
            404: NOT_YOURS,
        },
        summary="Write in the case's thread",
    )
    def post(self, request, case_no: str):
        values = validated_body(MessageInputSerializer, request)
        services.case_message_post(
            case_no=case_no,
            actor=actor_for(request.user),
            text=values["text"],
            evidence_ids=values.get("evidence_ids"),
        )
        return shopper_case_response(request, case_no, status.HTTP_201_CREATED)


class OfferAcceptView(APIView):
    @extend_schema(
        operation_id="aftersales_offer_accept",
        request=None,
        responses={
            200: CaseDetailSerializer,
            404: documented_error("No such case or offer of yours."),
            409: documented_error(
                "The offer is no longer pending (`offer_closed`), or the case moved on."
            ),
        },
        summary="Accept the merchant's offer (the case goes on as offered)",
    )
    def post(self, request, case_no: str, offer_id: int):
        services.case_offer_accept(
            case_no=case_no, offer_id=offer_id, actor=actor_for(request.user)
        )
        return shopper_case_response(request, case_no)


class OfferDeclineView(APIView):
    @extend_schema(
        operation_id="aftersales_offer_decline",
        request=None,
        responses={
            200: CaseDetailSerializer,
            404: documented_error("No such case or offer of yours."),
            409: documented_error("The offer is no longer pending (`offer_closed`)."),
        },
        summary="Decline the merchant's offer (the request stays as asked)",
    )
    def post(self, request, case_no: str, offer_id: int):
        services.case_offer_decline(
            case_no=case_no, offer_id=offer_id, actor=actor_for(request.user)
        )
        return shopper_case_response(request, case_no)


class ReturnShipmentView(APIView):
    @extend_schema(
        operation_id="aftersales_return_shipment",
        request=ReturnShipmentInputSerializer,
        responses={
            200: CaseDetailSerializer,
            400: documented_error("Unknown carrier or a tracking number it does not issue."),
            404: NOT_YOURS,
            409: documented_error(
                "Not awaiting a return, or the return parcel is entered already."
            ),
        },
        summary="Enter the return parcel's carrier and tracking number",
    )
    def post(self, request, case_no: str):
        values = validated_body(ReturnShipmentInputSerializer, request)
        services.case_return_ship(case_no=case_no, actor=actor_for(request.user), **values)
        return shopper_case_response(request, case_no)


class AppealView(APIView):
    @extend_schema(
        operation_id="aftersales_appeal",
        request=AppealInputSerializer,
        responses={
            200: CaseDetailSerializer,
            400: documented_error("No reason given, or evidence that is not yours."),
            404: NOT_YOURS,
            409: documented_error("Only a rejected case can be appealed, before `appeal_by`."),
        },
        summary="Ask the platform to step in after the merchant rejected",
    )
    def post(self, request, case_no: str):
        values = validated_body(AppealInputSerializer, request)
        services.case_appeal(
            case_no=case_no,
            actor=actor_for(request.user),
            reason=values["reason"],
            evidence_ids=values.get("evidence_ids"),
        )
        return shopper_case_response(request, case_no)


class OrderCancelPaidView(APIView):
    @extend_schema(
        operation_id="orders_cancel_paid",
        request=CancelPaidInputSerializer,
        responses={
            201: CaseListSerializer,
            404: documented_error("No such order of yours."),
            409: documented_error(
                "The order is not paid, has shipped (`shipped`), or nothing is left to cancel "
                "(`nothing_to_cancel`)."
            ),
        },
        summary="Cancel a paid order before it ships (refunded at once)",
        description="Opens a refund-only case for each sub-order still awaiting shipment, "
        "approved at once: the money goes back to the original payment method.",
    )
    def post(self, request, order_no: str):
        values = validated_body(CancelPaidInputSerializer, request)
        opened = services.order_cancel_paid(
            order_no=order_no, actor=actor_for(request.user), reason=values["reason"]
        )
        cases = selectors.shopper_cases(user=request.user).filter(pk__in=[c.pk for c in opened])
        return Response(
            CaseListSerializer({"cases": list(cases)}).data, status=status.HTTP_201_CREATED
        )
