"""What the shopper's and the merchant's after-sales API views share: the documented errors,
the Idempotency-Key parameter, reading a case for a role and validating input."""

from django.db.models import Prefetch, prefetch_related_objects
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.response import Response

from aftersales import selectors
from aftersales.models import AfterSalesCase, CaseMessage
from orders.api.views import ErrorSerializer

from ..serializers import (
    CaseDetailSerializer,
)

SHOPPER, MERCHANT = "shopper", "merchant"
MAX_IDEMPOTENCY_KEY_LENGTH = 64
# The return address is shown from the moment the shopper has to send the goods back.
RETURN_ADDRESS_STATES = (
    AfterSalesCase.Status.AWAITING_RETURN,
    AfterSalesCase.Status.RETURN_RECEIVED,
    AfterSalesCase.Status.REFUNDING,
    AfterSalesCase.Status.REFUNDED,
    AfterSalesCase.Status.RESHIPPED,
)
# Room for the multipart boundaries and headers around the one file.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


def documented_error(description: str) -> OpenApiResponse:
    """A documented error answer of the schema (the ErrorSerializer body)."""
    return OpenApiResponse(ErrorSerializer, description=description)


NOT_YOURS = documented_error(
    "No such case of yours (another shopper's or merchant's is not found either)."
)
NOT_NOW = documented_error(
    "Not allowed while the case is in its current state (`status` says which)."
)

IDEMPOTENCY_KEY = OpenApiParameter(
    name="Idempotency-Key",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Up to 64 characters chosen by the client for this request. Sending the same "
    "key again returns the case it opened (200) instead of opening a second one.",
)


# --- reading a case --------------------------------------------------------------------------


def case_detail_response(request, case_no: str, *, for_role: str, code: int = status.HTTP_200_OK):
    """The case as its page shows it, in a fixed number of queries whatever its history."""
    case = selectors.case_for(user=request.user, case_no=case_no, shopper_only=for_role == SHOPPER)
    prefetch_related_objects(
        [case],
        "events",
        Prefetch("messages", queryset=CaseMessage.objects.prefetch_related("evidence")),
        "offers",
        "evidence",
        "return_shipment__carrier",
    )
    return_address = (
        selectors.return_address_for(case)
        if case.needs_return and case.status in RETURN_ADDRESS_STATES
        else None
    )
    context = {
        "request": request,
        "next_action": selectors.next_action(case, for_role=for_role),
        "return_address": return_address,
        "refunds": list(selectors.refunds_of(case)),
    }
    return Response(CaseDetailSerializer(case, context=context).data, status=code)


def shopper_case_response(request, case_no: str, code: int = status.HTTP_200_OK) -> Response:
    return case_detail_response(request, case_no, for_role=SHOPPER, code=code)


def merchant_case_response(request, case_no: str, code: int = status.HTTP_200_OK) -> Response:
    return case_detail_response(request, case_no, for_role=MERCHANT, code=code)


def validated_body(serializer_class, request) -> dict:
    """The request body validated by `serializer_class` (a 400 with field errors if not)."""
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data
