from rest_framework import serializers

from logistics.models import Shipment


class TrackingEventSerializer(serializers.Serializer):
    status = serializers.CharField()
    status_text = serializers.CharField(source="get_status_display")
    description = serializers.CharField()
    location = serializers.CharField()
    occurred_at = serializers.DateTimeField()


class CarrierSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ShipmentLineSerializer(serializers.Serializer):
    line_id = serializers.IntegerField(source="order_line_id")
    quantity = serializers.IntegerField()


class ShipmentSerializer(serializers.Serializer):
    shipment_no = serializers.CharField()
    carrier = CarrierSerializer(allow_null=True)
    tracking_no = serializers.CharField()
    # outbound (the sub-order's own parcel), return (the shopper's parcel back), replacement
    direction = serializers.CharField()
    direction_text = serializers.CharField(source="get_direction_display")
    status = serializers.CharField()
    status_text = serializers.CharField(source="get_status_display")
    weight_grams = serializers.IntegerField()
    volume_cm3 = serializers.IntegerField()
    shipped_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)


class ShopperShipmentSerializer(ShipmentSerializer):
    events = serializers.SerializerMethodField()

    def get_events(self, shipment: Shipment) -> list[dict]:
        # Newest first, as a courier app shows them.
        events = sorted(shipment.events.all(), key=lambda e: (e.occurred_at, e.pk), reverse=True)
        return TrackingEventSerializer(events, many=True).data


class SubOrderTrackingSerializer(serializers.Serializer):
    sub_order_no = serializers.CharField()
    status = serializers.CharField()
    shipments = ShopperShipmentSerializer(many=True)


class MerchantShipmentSerializer(ShipmentSerializer):
    lines = ShipmentLineSerializer(many=True, source="lines.all")


class MerchantLineSerializer(serializers.Serializer):
    line_id = serializers.IntegerField(source="pk")
    sku_code = serializers.CharField()
    product_title = serializers.CharField()
    sku_attributes = serializers.CharField()
    quantity = serializers.IntegerField()
    refunded_quantity = serializers.IntegerField()


class AwaitingSubOrderSerializer(serializers.Serializer):
    sub_order_no = serializers.CharField()
    order_no = serializers.CharField(source="order.order_no")
    warehouse = serializers.CharField(source="warehouse.code")
    created_at = serializers.DateTimeField()
    recipient = serializers.CharField(source="order.recipient")
    phone = serializers.CharField(source="order.phone")
    address = serializers.SerializerMethodField()
    payment_method = serializers.CharField(source="order.payment_method")
    lines = MerchantLineSerializer(many=True, source="lines.all")
    shipments = MerchantShipmentSerializer(many=True, source="shipments.all")

    def get_address(self, sub_order) -> str:
        order = sub_order.order
        return f"{order.province} {order.city} {order.district} {order.address_detail}".strip()


class PackInputSerializer(serializers.Serializer):
    sub_order_no = serializers.CharField(max_length=32)
    carrier = serializers.CharField(max_length=32, required=False, allow_blank=True)


class ShipInputSerializer(serializers.Serializer):
    shipment_no = serializers.CharField(max_length=32, required=False, allow_blank=True)
    sub_order_no = serializers.CharField(max_length=32, required=False, allow_blank=True)
    carrier = serializers.CharField(max_length=32)
    tracking_no = serializers.CharField(max_length=40)

    def validate(self, attrs):
        if not attrs.get("shipment_no") and not attrs.get("sub_order_no"):
            raise serializers.ValidationError("Give a shipment_no or a sub_order_no.")
        return attrs
