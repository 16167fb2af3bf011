from rest_framework import serializers

from payments.models import Method, Payment


class PayInputSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=Method.choices)


class PayOutputSerializer(serializers.Serializer):
    payment_no = serializers.CharField()
    method = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    pay_url = serializers.CharField(allow_null=True)


class PaymentSerializer(serializers.ModelSerializer):
    order_no = serializers.CharField(source="order.order_no")
    order_status = serializers.CharField(source="order.status")
    refunded = serializers.BooleanField(source="orphaned")

    class Meta:
        model = Payment
        fields = [
            "payment_no",
            "order_no",
            "order_status",
            "method",
            "amount",
            "status",
            "paid_at",
            "created_at",
            "refunded",
        ]
