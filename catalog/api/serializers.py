"""Output (and documented input) shapes of the catalogue API."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.selectors import image_spec_url


def _absolute(request, url: str) -> str:
    if not url:
        return ""
    return request.build_absolute_uri(url) if request is not None else url


class CategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    children = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_children(self, node) -> list:
        return CategorySerializer(node.children, many=True, context=self.context).data


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()


class ImageSerializer(serializers.Serializer):
    thumbnail = serializers.SerializerMethodField()
    large = serializers.SerializerMethodField()
    alt = serializers.CharField()

    def get_thumbnail(self, image) -> str:
        return _absolute(self.context.get("request"), image_spec_url(image, "thumbnail"))

    def get_large(self, image) -> str:
        return _absolute(self.context.get("request"), image_spec_url(image, "large"))


class ProductListSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    subtitle = serializers.CharField()
    price_from = serializers.DecimalField(max_digits=12, decimal_places=2)
    stock_available = serializers.IntegerField()
    sales_count = serializers.IntegerField()
    rating_count = serializers.IntegerField()
    rating_average = serializers.DecimalField(max_digits=3, decimal_places=2)
    category_id = serializers.IntegerField()
    merchant = NamedSerializer()
    brand = NamedSerializer(allow_null=True)
    thumbnail = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text="The storefront page of the product.")

    def get_thumbnail(self, product) -> str:
        images = list(product.images.all())
        return _absolute(self.context.get("request"), image_spec_url(images[0] if images else None))

    def get_url(self, product) -> str:
        from django.urls import reverse

        return _absolute(self.context.get("request"), reverse("catalog:product", args=[product.pk]))


class AttributeValueSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    attribute = serializers.CharField(source="attribute.name")
    attribute_code = serializers.CharField(source="attribute.code")
    value = serializers.CharField()


class SKUSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    attributes = AttributeValueSerializer(source="option_values", many=True)
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    market_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    stock_available = serializers.IntegerField()
    active = serializers.BooleanField(source="is_active")


class OptionSerializer(serializers.Serializer):
    """One attribute a shopper picks (Colour) with the values the active SKUs offer."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    values = serializers.ListField(child=serializers.DictField())


class ProductDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="product.pk")
    title = serializers.CharField(source="product.title")
    subtitle = serializers.CharField(source="product.subtitle")
    description = serializers.CharField(source="product.description")
    price_from = serializers.DecimalField(
        source="product.price_from", max_digits=12, decimal_places=2
    )
    sales_count = serializers.IntegerField(source="product.sales_count")
    rating_count = serializers.IntegerField(source="product.rating_count")
    rating_average = serializers.DecimalField(
        source="product.rating_average", max_digits=3, decimal_places=2
    )
    stock_available = serializers.IntegerField()
    merchant = NamedSerializer(source="product.merchant")
    brand = NamedSerializer(source="product.brand", allow_null=True)
    category = serializers.SerializerMethodField()
    images = ImageSerializer(many=True)
    skus = SKUSerializer(many=True)
    options = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DictField())
    def get_category(self, detail) -> dict:
        category = detail.product.category
        return {"id": category.pk, "name": category.name, "slug": category.slug}

    @extend_schema_field(OptionSerializer(many=True))
    def get_options(self, detail) -> list:
        return [
            {
                "id": attribute.pk,
                "code": attribute.code,
                "name": attribute.name,
                "values": [{"id": value.pk, "value": value.value} for value in values],
            }
            for attribute, values in detail.attributes
        ]
