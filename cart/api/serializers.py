"""Output (and documented input) shapes of the cart API."""

from rest_framework import serializers

from catalog.api.serializers import NamedSerializer
from catalog.selectors import image_spec_url


def _absolute(request, url: str) -> str:
    if not url:
        return ""
    return request.build_absolute_uri(url) if request is not None else url


class CartLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        source="item.id",
        help_text="Cart line id for PATCH/DELETE (for an anonymous cart: the SKU id).",
    )
    sku_id = serializers.IntegerField(source="sku.pk")
    sku_code = serializers.CharField(source="sku.code")
    product_id = serializers.IntegerField(source="product.pk")
    title = serializers.CharField(source="product.title")
    attributes = serializers.CharField(source="label")
    thumbnail = serializers.SerializerMethodField()
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    line_total = serializers.DecimalField(max_digits=12, decimal_places=2)
    stock_available = serializers.IntegerField(source="available")
    sellable = serializers.BooleanField(help_text="Can be ordered as it stands.")
    problem = serializers.CharField(help_text="Why not, for the shopper; empty when sellable.")

    def get_thumbnail(self, line) -> str:
        return _absolute(self.context.get("request"), image_spec_url(line.image))


class CartGroupSerializer(serializers.Serializer):
    merchant = NamedSerializer()
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    lines = CartLineSerializer(many=True)


class CartSerializer(serializers.Serializer):
    groups = CartGroupSerializer(many=True)
    total = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="Of the lines that can be ordered."
    )
    count = serializers.IntegerField(help_text="Pieces in the cart.")


class CartItemAddSerializer(serializers.Serializer):
    """Documents the body; the cart service checks it (so pages and API agree)."""

    sku_id = serializers.IntegerField()
    quantity = serializers.IntegerField(min_value=1, default=1)


class CartItemUpdateSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1)
