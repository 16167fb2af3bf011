"""The product filter: one spec for the storefront's listing pages and GET /api/products/.

The FilterSet only validates and names the parameters; the query itself is
`catalog.selectors.product_search`, so the pages and the API cannot drift apart.
"""

from decimal import Decimal, InvalidOperation

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from catalog.models import Product
from catalog.selectors import (
    ORDERING_CHOICES,
    CategoryIndex,
    product_search,
    resolve_category_ids,
)


class IntegerListField(forms.Field):
    """Ids given as repeated parameters (?brand=1&brand=2) or comma-separated (?brand=1,2)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        chunks = [value] if isinstance(value, str) else list(value)
        ids: list[int] = []
        for chunk in chunks:
            for part in str(chunk).split(","):
                part = part.strip()
                if not part:
                    continue
                if not part.isdigit() or len(part) > 18:
                    raise ValidationError("Enter ids: whole numbers.", code="invalid")
                if int(part) not in ids:
                    ids.append(int(part))
        return ids[:50]


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class IntegerListFilter(django_filters.Filter):
    field_class = IntegerListField


@extend_schema_field(OpenApiTypes.BOOL)
class CheckboxFilter(django_filters.Filter):
    """true/1/on -> True; false/0/absent -> False."""

    field_class = forms.BooleanField


SEARCH_MAX_LENGTH = 100


class ProductFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        max_length=SEARCH_MAX_LENGTH,
        help_text="Words in the title or subtitle; Chinese and partial words work.",
    )
    category = django_filters.CharFilter(
        max_length=64, help_text="Category slug or id; its subcategories are included."
    )
    brand = IntegerListFilter(help_text="Brand ids, repeated or comma-separated.")
    min_price = django_filters.NumberFilter(min_value=0, max_digits=12, decimal_places=2)
    max_price = django_filters.NumberFilter(min_value=0, max_digits=12, decimal_places=2)
    in_stock = CheckboxFilter(help_text="Only products with sellable stock.")
    attribute_values = IntegerListFilter(
        help_text="Attribute value ids: values of one attribute are alternatives, different "
        "attributes must all match."
    )
    ordering = django_filters.ChoiceFilter(
        choices=ORDERING_CHOICES,
        empty_label=None,
        help_text="relevance (default), sales, newest, price, -price.",
    )

    class Meta:
        model = Product
        fields: list[str] = []

    def filter_queryset(self, queryset):
        cleaned = self.form.cleaned_data
        categories = CategoryIndex.load() if cleaned.get("category") else None
        return product_search(**search_arguments(cleaned, categories=categories))


def search_arguments(cleaned: dict, *, categories: CategoryIndex | None = None) -> dict:
    """Validated filter values -> product_search keyword arguments."""
    return {
        "query": cleaned.get("search") or "",
        "category_ids": resolve_category_ids(cleaned.get("category"), categories=categories),
        "categories": categories,
        "brand_ids": cleaned.get("brand") or None,
        "min_price": cleaned.get("min_price"),
        "max_price": cleaned.get("max_price"),
        "in_stock_only": bool(cleaned.get("in_stock")),
        "attribute_value_ids": cleaned.get("attribute_values") or None,
        "ordering": cleaned.get("ordering") or None,
    }


def storefront_filter(params, *, category_slug: str | None = None) -> ProductFilter:
    """The filter for a storefront page. The header search box sends `q`; a category page
    fixes the category. Invalid values are dropped rather than refused (`.errors` tells)."""
    data = params.copy()
    if "q" in data and "search" not in data:
        data["search"] = data["q"]
    # A long paste is searched by its beginning (and the page says so), not dropped.
    if len(data.get("search", "")) > SEARCH_MAX_LENGTH:
        data["search"] = data["search"][:SEARCH_MAX_LENGTH]
    if category_slug is not None:
        data["category"] = category_slug
    swapped = _swap_inverted_price_range(data)
    product_filter = ProductFilter(data=data, queryset=Product.objects.none())
    product_filter.price_range_swapped = swapped
    return product_filter


def _swap_inverted_price_range(data) -> bool:
    """Min above max (¥500 to ¥100) is a slip: search the range the shopper meant."""
    try:
        low, high = Decimal(data.get("min_price", "")), Decimal(data.get("max_price", ""))
    except (InvalidOperation, ValueError):
        return False
    if not (low.is_finite() and high.is_finite()) or low <= high:
        return False
    data["min_price"], data["max_price"] = data["max_price"], data["min_price"]
    return True
