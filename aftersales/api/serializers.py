"""Serializers of the after-sales API: input shapes in, cases out.

Money goes out as two-decimal strings (DRF's DecimalField) like every amount of this API.
Outputs read what the views prefetched (aftersales.selectors' case look-ups plus the case's
timeline, thread, offers and evidence), so a page of cases costs a fixed number of queries.
Evidence is named by its public_id and opened at the storefront's evidence URL; database keys
of cases are never exposed (offers are the exception: they are named by id within their case).
"""

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from aftersales.models import (
    SHOPPER_TYPES,
    AfterSalesCase,
    CaseEvidence,
    CaseType,
)


def money_field(**kwargs):
    return serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, **kwargs)


def evidence_url(evidence: CaseEvidence) -> str:
    """The storefront's URL of an evidence file (it checks who may see it)."""
    try:
        return reverse("aftersales:evidence", args=[evidence.public_id])
    except NoReverseMatch:
        return ""


# --- input ---------------------------------------------------------------------------------


def _evidence_ids(**kwargs):
    return serializers.ListField(
        child=serializers.CharField(max_length=32),
        required=False,
        max_length=settings.AFTERSALES_MAX_EVIDENCE,
        help_text="Ids of the caller's own uploads (POST /api/aftersales/evidence/) to attach.",
        **kwargs,
    )


class CaseLineInputSerializer(serializers.Serializer):
    sku_id = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1)


class CaseCreateInputSerializer(serializers.Serializer):
    sub_order_no = serializers.CharField(max_length=32)
    type = serializers.ChoiceField(choices=[(t.value, t.label) for t in SHOPPER_TYPES])
    reason = serializers.CharField(max_length=40, help_text="A code of the options' reasons.")
    description = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )
    lines = CaseLineInputSerializer(many=True, allow_empty=False)
    refund_amount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        help_text="At most the lines' max_refund_amount together; omitted: that maximum.",
    )
    evidence_ids = _evidence_ids()


class EvidenceUploadInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A photo (JPEG, PNG, WebP, GIF) or a short MP4 video; size-limited."
    )


class MessageInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    evidence_ids = _evidence_ids()


class ReturnShipmentInputSerializer(serializers.Serializer):
    carrier_code = serializers.CharField(max_length=32)
    tracking_no = serializers.CharField(max_length=64)


class AppealInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    evidence_ids = _evidence_ids()


class CancelPaidInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class ApproveInputSerializer(serializers.Serializer):
    intercept = serializers.BooleanField(
        required=False,
        default=True,
        help_text="A refund while the parcel is on its way: call it back from the carrier "
        "(else the shopper refuses it or sends it back).",
    )


class RejectInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255, help_text="What the shopper will read.")
    evidence_ids = _evidence_ids()


class OfferInputSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=[(t.value, t.label) for t in SHOPPER_TYPES])
    refund_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, default=0
    )
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class ReceiveReturnInputSerializer(serializers.Serializer):
    resellable = serializers.BooleanField(
        help_text="The goods go back to sellable stock (false: damaged, kept out)."
    )


class ReshipInputSerializer(ReturnShipmentInputSerializer):
    pass


class OutOfStockInputSerializer(serializers.Serializer):
    line_id = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=255, help_text="What the shopper will read.")


class MerchantCaseListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=AfterSalesCase.Status.choices, required=False)
    type = serializers.ChoiceField(choices=CaseType.choices, required=False)
    reason = serializers.CharField(max_length=40, required=False, help_text="A reason code.")


# --- output: options -------------------------------------------------------------------------


class OptionLineSerializer(serializers.Serializer):
    sku_id = serializers.IntegerField()
    product_title = serializers.CharField()
    quantity = serializers.IntegerField()
    refundable_quantity = serializers.IntegerField()
    max_refund_amount = money_field()
    max_refund_amount_seller_fault = money_field(
        help_text="The most for these units when the reason is not the buyer's doing "
        "(responsibility merchant or carrier): their share of the shipping goes back too."
    )
    allowed_types = serializers.ListField(child=serializers.CharField())
    open_case_no = serializers.CharField(allow_null=True)
    no_reason_return = serializers.BooleanField()


class OptionReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    types = serializers.ListField(child=serializers.CharField())
    stages = serializers.ListField(child=serializers.CharField())
    evidence_required = serializers.BooleanField()
    responsibility = serializers.CharField()


class SubOrderOptionsSerializer(serializers.Serializer):
    """Reads aftersales.selectors.SubOrderOptions."""

    lines = serializers.SerializerMethodField()
    reasons = OptionReasonSerializer(many=True)
    window_ends_at = serializers.DateTimeField(allow_null=True)
    not_allowed_reason = serializers.CharField(allow_null=True)

    @extend_schema_field(OptionLineSerializer(many=True))
    def get_lines(self, options) -> list[dict]:
        rows = [
            {
                "sku_id": room.line.sku_id,
                "product_title": room.line.product_title,
                "quantity": room.line.quantity,
                "refundable_quantity": room.refundable_quantity,
                "max_refund_amount": options.max_amounts.get(room.line.pk),
                "max_refund_amount_seller_fault": options.max_amounts_seller_fault.get(
                    room.line.pk
                ),
                "allowed_types": options.types if room.refundable_quantity else [],
                "open_case_no": room.open_case_no,
                "no_reason_return": bool(options.no_reason_skus.get(room.line.sku_id, False)),
            }
            for room in options.rooms
        ]
        return OptionLineSerializer(rows, many=True).data


# --- output: cases ---------------------------------------------------------------------------


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class CaseLineSerializer(serializers.Serializer):
    sku_id = serializers.IntegerField(source="order_line.sku_id")
    product_title = serializers.CharField(source="order_line.product_title")
    quantity = serializers.IntegerField()
    refund_amount = money_field()


class EvidenceSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    url = serializers.SerializerMethodField()
    kind = serializers.CharField()

    def get_url(self, evidence) -> str:
        return evidence_url(evidence)


class EvidenceUploadedSerializer(EvidenceSerializer):
    size = serializers.IntegerField()


class CaseEventSerializer(serializers.Serializer):
    action = serializers.CharField()
    role = serializers.CharField()
    to = serializers.CharField(source="to_state")
    note = serializers.CharField()
    at = serializers.DateTimeField(source="created_at")

    def get_fields(self):
        # "from" is a Python keyword, so it cannot be declared in the class body.
        fields = super().get_fields()
        fields["from"] = serializers.CharField(source="from_state")
        return {name: fields[name] for name in ("action", "role", "from", "to", "note", "at")}


class CaseMessageSerializer(serializers.Serializer):
    role = serializers.CharField()
    text = serializers.CharField()
    at = serializers.DateTimeField(source="created_at")
    evidence = EvidenceSerializer(many=True, source="evidence.all")


class CaseOfferSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    type = serializers.CharField()
    type_label = serializers.CharField(source="get_type_display")
    refund_amount = money_field()
    note = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


class ReturnAddressSerializer(serializers.Serializer):
    recipient = serializers.CharField()
    phone = serializers.CharField()
    address = serializers.CharField()


class ReturnParcelSerializer(serializers.Serializer):
    carrier = serializers.CharField(source="carrier.code", allow_null=True)
    tracking_no = serializers.CharField()
    status = serializers.CharField()


class CaseRefundSerializer(serializers.Serializer):
    refund_no = serializers.CharField()
    amount = money_field()
    status = serializers.CharField()


class CaseSummarySerializer(serializers.Serializer):
    """A case in a list: what AfterSalesCase and selectors._with_details load."""

    case_no = serializers.CharField()
    type = serializers.CharField()
    type_label = serializers.CharField(source="get_type_display")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    reason = ReasonSerializer()
    refund_amount = money_field()
    shipping_refund = money_field()
    sub_order_no = serializers.CharField(source="sub_order.sub_order_no")
    order_no = serializers.CharField(source="order.order_no")
    lines = CaseLineSerializer(many=True, source="lines.all")
    deadline_at = serializers.SerializerMethodField()
    deadline_action = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_deadline_at(self, case):
        deadline, _ = case.next_deadline
        return serializers.DateTimeField().to_representation(deadline) if deadline else None

    def get_deadline_action(self, case) -> str:
        return case.next_deadline[1]


class CaseDetailSerializer(CaseSummarySerializer):
    """One case with everything its page shows. The view passes what is not on the model
    (next_action, return_address, refunds) in the context, each read once."""

    description = serializers.CharField()
    next_action = serializers.SerializerMethodField()
    events = CaseEventSerializer(many=True, source="events.all")
    messages = CaseMessageSerializer(many=True, source="messages.all")
    offers = CaseOfferSerializer(many=True, source="offers.all")
    evidence = EvidenceSerializer(many=True, source="evidence.all")
    return_address = serializers.SerializerMethodField()
    return_parcel = ReturnParcelSerializer(source="return_shipment", allow_null=True)
    refunds = serializers.SerializerMethodField()

    def get_next_action(self, case) -> str:
        return self.context["next_action"]

    @extend_schema_field(ReturnAddressSerializer(allow_null=True))
    def get_return_address(self, case):
        address = self.context.get("return_address")
        return ReturnAddressSerializer(address).data if address is not None else None

    @extend_schema_field(CaseRefundSerializer(many=True))
    def get_refunds(self, case):
        return CaseRefundSerializer(self.context["refunds"], many=True).data


class CaseListSerializer(serializers.Serializer):
    """POST /api/orders/{order_no}/cancel-paid/: the refund-only cases it opened."""

    cases = CaseSummarySerializer(many=True)
