"""Reference data every merchant shares: categories (shown as a tree), brands, attributes."""

from django.contrib import admin
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.db.models import Case, Count, IntegerField, Value, When
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from catalog.models import Attribute, AttributeValue, Brand, Category


def _category_tree() -> tuple[list[int], dict[int, int]]:
    """Category ids in depth-first order (siblings by position, name) and each one's depth."""
    rows = list(Category.objects.values_list("pk", "parent_id", "position", "name"))
    children: dict[int | None, list] = {}
    for pk, parent_id, position, name in rows:
        children.setdefault(parent_id, []).append((position, name.lower(), pk))
    order, depth = [], {}
    known = {pk for pk, *_ in rows}
    roots = [row for parent, kids in children.items() if parent not in known for row in kids]
    stack = [(entry, 0) for entry in sorted(roots, reverse=True)]
    while stack:
        (_, _, pk), level = stack.pop()
        if pk in depth:
            continue
        order.append(pk)
        depth[pk] = level
        stack.extend((kid, level + 1) for kid in sorted(children.get(pk, []), reverse=True))
    return order, depth


class CategoryTreeChangeList(ChangeList):
    """Categories listed as a tree unless the user sorts by a column."""

    def get_ordering(self, request, queryset):
        if ORDER_VAR in self.params:
            return super().get_ordering(request, queryset)
        return ["tree_order", "pk"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = (
        "tree_name",
        "slug",
        "parent",
        "position",
        "product_count",
        "is_active",
        "no_reason_return",
    )
    list_filter = ("is_active", "no_reason_return")
    list_select_related = ("parent",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent",)

    def get_queryset(self, request):
        order, depth = _category_tree()
        self._depth = depth
        return (
            super()
            .get_queryset(request)
            .annotate(
                products_total=Count("products"),
                tree_order=Case(
                    *[When(pk=pk, then=Value(i)) for i, pk in enumerate(order)],
                    default=Value(len(order)),
                    output_field=IntegerField(),
                ),
            )
        )

    def get_changelist(self, request, **kwargs):
        return CategoryTreeChangeList

    @admin.display(description=_("Category"), ordering="tree_order")
    def tree_name(self, category):
        level = getattr(self, "_depth", {}).get(category.pk, 0)
        return format_html(
            '<span style="padding-left:{}em">{}{}</span>',
            level * 1.5,
            "└ " if level else "",
            category.name,
        )

    @admin.display(description=_("Products"), ordering="products_total")
    def product_count(self, category):
        return category.products_total


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


class AttributeValueInline(admin.TabularInline):
    model = AttributeValue
    extra = 3


@admin.register(Attribute)
class AttributeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "value_list")
    search_fields = ("name", "code")
    inlines = [AttributeValueInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("values")

    @admin.display(description=_("Values"))
    def value_list(self, attribute):
        return ", ".join(v.value for v in attribute.values.all())


@admin.register(AttributeValue)
class AttributeValueAdmin(admin.ModelAdmin):
    """Registered for the SKU form's autocomplete; edited through Attribute."""

    list_display = ("attribute", "value")
    list_select_related = ("attribute",)
    search_fields = ("attribute__name", "attribute__code", "value")

    def has_module_permission(self, request):
        return False
