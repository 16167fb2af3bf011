"""Serializers of the shopper's orders API: input shapes in, quotes and orders out.

Money goes out as strings with two decimals (DRF's DecimalField coerces to string), so clients
never meet a float. Outputs read plain attributes: the pricing Quote dataclasses and the Order
models with what orders.selectors prefetched.
"""

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orders.models import Order, OrderEvent, OrderLine, PaymentMethod, PriceLine, SubOrder
from orders.selectors import order_display_status, order_display_status_label
from orders.templatetags.order_tags import ORDER_TABS


def money_field(**kwargs):
    return serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, **kwargs)


# Input


class OrderItemInputSerializer(serializers.Serializer):
    sku_id = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=settings.CART_MAX_QUANTITY_PER_LINE)

    def to_internal_value(self, data):
        # A quantity of 1.5 or true is not "about one": refuse it rather than round it.
        if isinstance(data, dict):
            for name in ("sku_id", "quantity"):
                value = data.get(name)
                if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                    raise serializers.ValidationError({name: ["A whole number is required."]})
        return super().to_internal_value(data)


class OrderPreviewInputSerializer(serializers.Serializer):
    address_id = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="One of the shopper's addresses; shipping is priced for its province. "
        "Omitted: the default address.",
    )
    items = OrderItemInputSerializer(
        many=True,
        required=False,
        allow_empty=False,
        help_text="What to buy. Omitted: the selected items of the shopper's cart.",
    )
    coupon_code = serializers.CharField(
        max_length=32, required=False, allow_blank=True, trim_whitespace=True
    )

    def validate_items(self, items):
        seen = set()
        for item in items:
            if item["sku_id"] in seen:
                raise serializers.ValidationError("Each SKU may appear only once.")
            seen.add(item["sku_id"])
        return items

    def service_kwargs(self) -> dict:
        data = self.validated_data
        items = data.get("items")
        return {
            "address_id": data.get("address_id"),
            "items": [(i["sku_id"], i["quantity"]) for i in items] if items else None,
            "coupon_code": data.get("coupon_code") or None,
        }


class OrderCreateInputSerializer(OrderPreviewInputSerializer):
    address_id = serializers.UUIDField(help_text="The id of one of the shopper's addresses.")
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices)
    buyer_note = serializers.CharField(
        max_length=255, required=False, allow_blank=True, trim_whitespace=True
    )
    expected_payable = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        coerce_to_string=True,
        help_text='The payable amount the shopper was shown (a decimal string, e.g. "128.50"), '
        "normally `payable_amount` of the preview. If the order would cost anything else "
        "(a price or promotion ended, a coupon lapsed, the cart changed), nothing is created and "
        "the answer is 409 `price_changed` with the new amount. Omitted: no check.",
    )

    def service_kwargs(self) -> dict:
        kwargs = super().service_kwargs()
        kwargs["payment_method"] = self.validated_data["payment_method"]
        kwargs["buyer_note"] = self.validated_data.get("buyer_note", "")
        return kwargs


class OrderListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[(tab.key, tab.label) for tab in ORDER_TABS if tab.key],
        required=False,
        allow_blank=True,
        help_text="A tab of the order list; empty or omitted: all orders.",
    )


# Output: the quote


class QuotedLineSerializer(serializers.Serializer):
    sku_id = serializers.IntegerField()
    merchant_id = serializers.IntegerField()
    product_title = serializers.CharField()
    sku_code = serializers.CharField()
    sku_attributes = serializers.CharField()
    image_url = serializers.CharField()
    unit_price = money_field()
    quantity = serializers.IntegerField()
    goods_amount = money_field()
    promotion_discount = money_field()
    member_discount = money_field()
    shipping_share = money_field()
    paid_amount = money_field()


class BreakdownRowSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PriceLine.Kind.choices)
    label = serializers.CharField()
    amount = money_field(help_text="Discounts are negative; the rows sum to the payable amount.")
    merchant_id = serializers.IntegerField(allow_null=True)


class MerchantQuoteSerializer(serializers.Serializer):
    merchant_id = serializers.IntegerField()
    merchant_name = serializers.CharField()
    lines = QuotedLineSerializer(many=True)
    goods_amount = money_field()
    promotion_discount = money_field()
    member_discount = money_field()
    shipping_fee = money_field()
    payable_amount = money_field()


class QuoteSerializer(serializers.Serializer):
    merchants = MerchantQuoteSerializer(many=True)
    lines = QuotedLineSerializer(many=True)
    breakdown = BreakdownRowSerializer(many=True)
    goods_amount = money_field()
    promotion_discount = money_field()
    member_discount = money_field()
    shipping_fee = money_field()
    payable_amount = money_field()
    total_weight_grams = serializers.IntegerField()


class PriceChangedSerializer(serializers.Serializer):
    """The 409 answer of placing an order whose price is no longer the one the shopper saw."""

    detail = serializers.CharField()
    code = serializers.CharField(help_text="`price_changed`.")
    expected_payable = money_field(help_text="The amount the client sent.")
    payable_amount = money_field(
        help_text="What the order costs now; send it as `expected_payable` to confirm."
    )
    breakdown = BreakdownRowSerializer(many=True, help_text="The new bill, row by row.")


# Output: orders


class DisplayStatusMixin(serializers.Serializer):
    display_status = serializers.SerializerMethodField()
    display_status_label = serializers.SerializerMethodField()

    def get_display_status(self, order) -> str:
        return order_display_status(order)

    def get_display_status_label(self, order) -> str:
        return order_display_status_label(order)


def _sub_order_no(context: dict, sub_order_id: int | None) -> str | None:
    """A sub-order's number from the order's prefetched sub-orders (put in the context by
    OrderDetailSerializer), not one query per line or event."""
    if sub_order_id is None:
        return None
    sub_order = context.get("sub_orders_by_id", {}).get(sub_order_id)
    return sub_order.sub_order_no if sub_order else None


class OrderLineSerializer(serializers.ModelSerializer):
    sub_order_no = serializers.SerializerMethodField()

    class Meta:
        model = OrderLine
        fields = [
            "sku_id",
            "sub_order_no",
            "product_title",
            "sku_code",
            "sku_attributes",
            "image_url",
            "unit_price",
            "quantity",
            "goods_amount",
            "promotion_discount",
            "member_discount",
            "shipping_share",
            "paid_amount",
            "refunded_amount",
            "refunded_quantity",
        ]
        read_only_fields = fields

    def get_sub_order_no(self, line) -> str | None:
        return _sub_order_no(self.context, line.sub_order_id)


class PriceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = PriceLine
        fields = ["kind", "label", "amount", "merchant_id"]
        read_only_fields = fields


class SubOrderSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    merchant_name = serializers.CharField(source="merchant.name", read_only=True)
    can_confirm_receipt = serializers.SerializerMethodField()

    class Meta:
        model = SubOrder
        fields = [
            "sub_order_no",
            "status",
            "status_label",
            "merchant_name",
            "goods_amount",
            "discount_amount",
            "shipping_fee",
            "payable_amount",
            "created_at",
            "shipped_at",
            "delivered_at",
            "received_at",
            "completed_at",
            "closed_at",
            "close_reason",
            "auto_confirm_at",
            "can_confirm_receipt",
        ]
        read_only_fields = fields

    def get_can_confirm_receipt(self, sub_order) -> bool:
        return sub_order.status in (SubOrder.Status.SHIPPED, SubOrder.Status.DELIVERED)


class OrderEventSerializer(serializers.ModelSerializer):
    sub_order_no = serializers.SerializerMethodField()

    class Meta:
        model = OrderEvent
        fields = [
            "created_at",
            "transition",
            "from_state",
            "to_state",
            "actor_kind",
            "note",
            "sub_order_no",
        ]
        read_only_fields = fields

    def get_sub_order_no(self, event) -> str | None:
        return _sub_order_no(self.context, event.sub_order_id)


class AddressSnapshotSerializer(serializers.Serializer):
    recipient = serializers.CharField()
    phone = serializers.CharField()
    province = serializers.CharField()
    city = serializers.CharField()
    district = serializers.CharField()
    detail = serializers.CharField(source="address_detail")


class OrderSummaryLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderLine
        fields = ["product_title", "sku_attributes", "image_url", "quantity", "unit_price"]
        read_only_fields = fields


class OrderSummarySerializer(DisplayStatusMixin, serializers.ModelSerializer):
    lines = OrderSummaryLineSerializer(many=True, read_only=True)
    item_count = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "order_no",
            "status",
            "display_status",
            "display_status_label",
            "payment_method",
            "payable_amount",
            "item_count",
            "lines",
            "created_at",
            "payment_due_at",
        ]
        read_only_fields = fields

    def get_item_count(self, order) -> int:
        return sum(line.quantity for line in order.lines.all())


class OrderDetailSerializer(DisplayStatusMixin, serializers.ModelSerializer):
    address = AddressSnapshotSerializer(source="*", read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)
    breakdown = PriceLineSerializer(source="price_lines", many=True, read_only=True)
    sub_orders = SubOrderSerializer(many=True, read_only=True)
    timeline = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "order_no",
            "status",
            "display_status",
            "display_status_label",
            "payment_method",
            "buyer_note",
            "address",
            "goods_amount",
            "promotion_discount",
            "member_discount",
            "shipping_fee",
            "payable_amount",
            "lines",
            "breakdown",
            "sub_orders",
            "timeline",
            "created_at",
            "payment_due_at",
            "paid_at",
            "closed_at",
            "close_reason",
        ]
        read_only_fields = fields

    def to_representation(self, order):
        self.context["sub_orders_by_id"] = {s.pk: s for s in order.sub_orders.all()}
        return super().to_representation(order)

    @extend_schema_field(OrderEventSerializer(many=True))
    def get_timeline(self, order) -> list[dict]:
        return OrderEventSerializer(order.events.all(), many=True, context=self.context).data
