"""Orders in the admin: read-only records of what was bought, paid and shipped, and actions that
go through orders.services (statuses are FSM-protected: never edited in a form).

Platform operations see every order; a merchant's staff see the orders that contain one of their
sub-orders, and of those only their own lines, sub-orders and timeline rows.
"""

from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX

from catalog.actors import actor_for, is_platform_staff, staff_merchant
from catalog.admin_scope import MerchantScopedAdmin, MerchantScopedInline
from shop.admin_inlines import ReadOnlyTabularInline
from shop.errors import DomainError
from shop.money import ZERO

from . import services, wording
from .models import Order, OrderEvent, OrderLine, PriceLine, SubOrder
from .resources import OrderExportResource, SubOrderExportResource
from .selectors import order_display_status_label


class OrderLineInline(MerchantScopedInline, ReadOnlyTabularInline):
    model = OrderLine
    merchant_lookup = "merchant"
    fields = (
        "product_title",
        "sku_code",
        "sku_attributes",
        "warehouse",
        "unit_price",
        "quantity",
        "goods_amount",
        "promotion_discount",
        "member_discount",
        "shipping_share",
        "paid_amount",
        "refunded_amount",
        "refunded_quantity",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("warehouse")


class PriceLineInline(MerchantScopedInline, ReadOnlyTabularInline):
    model = PriceLine
    merchant_lookup = "merchant"
    verbose_name = _("bill row")
    verbose_name_plural = _("bill (where every cent went)")
    fields = ("kind", "label", "merchant", "amount")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("merchant")


class SubOrderInline(MerchantScopedInline, ReadOnlyTabularInline):
    model = SubOrder
    merchant_lookup = "merchant"
    verbose_name_plural = _("sub-orders (one parcel source each)")
    fields = (
        "number",
        "merchant",
        "warehouse",
        "status",
        "payable_amount",
        "shipped_at",
        "received_at",
        "aftersales_open",
    )

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    @admin.display(description=_("Sub-order"))
    def number(self, sub_order):
        url = reverse("admin:orders_suborder_change", args=[sub_order.pk])
        return format_html('<a href="{}">{}</a>', url, sub_order.sub_order_no)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("merchant", "warehouse")


class OrderEventInline(ReadOnlyTabularInline):
    """The timeline. A merchant's staff see the order's own events and their sub-orders'."""

    model = OrderEvent
    verbose_name = _("timeline entry")
    verbose_name_plural = _("timeline")
    fields = (
        "created_at",
        "sub_order",
        "transition",
        "from_state",
        "to_state",
        "actor_kind",
        "actor",
        "note_as_read",
    )
    ordering = ("created_at", "pk")

    @admin.display(description=_("note"))
    def note_as_read(self, event):
        # Stored in English (orders/wording.py); read in the admin's language.
        return wording.as_read(event.note)

    def get_queryset(self, request):
        events = super().get_queryset(request).select_related("sub_order", "actor")
        if is_platform_staff(request.user):
            return events
        merchant = staff_merchant(request.user)
        if merchant is None:
            return events.none()
        return events.filter(Q(sub_order__isnull=True) | Q(sub_order__merchant=merchant))


class MerchantFilter(admin.RelatedFieldListFilter):
    """Orders by the merchant of one of their sub-orders. Only operations get it: a merchant's
    staff see only orders with their own parcels anyway, and the choices would name the other
    merchants of shared orders."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        self._platform = is_platform_staff(request.user)
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = _("merchant")

    def field_choices(self, field, request, model_admin):
        if not self._platform:
            return []
        return super().field_choices(field, request, model_admin)

    def has_output(self):
        return self._platform and super().has_output()

    def queryset(self, request, queryset):
        if not self._platform:
            return queryset  # the admin's own scope already limits the rows
        return super().queryset(request, queryset)


class PaymentMethodFilter(admin.ChoicesFieldListFilter):
    """Sub-orders by how their order was paid (cash on delivery is collected at the door)."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = _("payment method")


class _ServiceOnlyAdmin(MerchantScopedAdmin, admin.ModelAdmin):
    """Rows changed only by services: no add, no delete, the object page is view-only, and
    list actions (which need the change permission) call services."""

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None:
            return False
        return super().has_change_permission(request, obj)

    def _run_each(self, request, queryset, call, done: Callable[[int], str]) -> None:
        """Call `call` for each row; `done(count)` words the success (a plural)."""
        changed, failures = 0, []
        for obj in queryset:
            try:
                call(obj)
            except DomainError as error:
                failures.append(f"{obj}: {error.detail}")
            else:
                changed += 1
        if changed:
            self.message_user(request, done(changed), messages.SUCCESS)
        for failure in failures:
            self.message_user(request, failure, messages.ERROR)


@admin.register(Order)
class OrderAdmin(ExportMixin, _ServiceOnlyAdmin):
    merchant_lookup = "sub_orders__merchant"
    # Export (CSV / Excel) of the list as filtered; operations only: a parent order's amounts
    # include other merchants' goods (merchant staff export their sub-orders).
    resource_classes = [OrderExportResource]
    export_formats = [CSV, XLSX]

    def has_export_permission(self, request):
        return is_platform_staff(request.user)

    list_display = (
        "order_no",
        "user",
        "status",
        "shown_to_shopper",
        "payment_method",
        "payable_amount",
        "created_at",
        "payment_due_at",
    )
    list_filter = (
        "status",
        "payment_method",
        ("sub_orders__merchant", MerchantFilter),
        "created_at",
    )
    search_fields = ("order_no", "user__username", "recipient", "phone")
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    inlines = (SubOrderInline, OrderLineInline, PriceLineInline, OrderEventInline)
    actions = ("cancel_unpaid",)
    fieldsets = (
        (None, {"fields": ("order_no", "user", "status", "shown_to_shopper", "payment_method")}),
        (
            _("Money"),
            {
                "fields": (
                    "goods_amount",
                    "promotion_discount",
                    "member_discount",
                    "shipping_fee",
                    "payable_amount",
                    "held_coupon",
                )
            },
        ),
        (
            _("Delivery address (as ordered)"),
            {
                "fields": (
                    "recipient",
                    "phone",
                    "province",
                    "city",
                    "district",
                    "address_detail",
                    "buyer_note",
                )
            },
        ),
        (
            _("Dates"),
            {"fields": ("created_at", "payment_due_at", "paid_at", "closed_at", "close_reason")},
        ),
    )
    readonly_fields = (
        "order_no",
        "user",
        "status",
        "shown_to_shopper",
        "payment_method",
        "goods_amount",
        "promotion_discount",
        "member_discount",
        "shipping_fee",
        "payable_amount",
        "held_coupon",
        "recipient",
        "phone",
        "province",
        "city",
        "district",
        "address_detail",
        "buyer_note",
        "created_at",
        "payment_due_at",
        "paid_at",
        "closed_at",
        "close_reason",
    )

    # A merchant's staff see, of an order shared with other merchants, only what their own
    # sub-orders are worth: not the whole order's goods, discounts, payable or coupon.
    OWN_MONEY_FIELDS = (
        "own_goods_amount",
        "own_discount_amount",
        "own_shipping_fee",
        "own_payable_amount",
    )
    WHOLE_ORDER_MONEY_FIELDS = (
        "goods_amount",
        "promotion_discount",
        "member_discount",
        "shipping_fee",
        "payable_amount",
        "held_coupon",
    )

    def get_queryset(self, request):
        orders = super().get_queryset(request).prefetch_related("sub_orders")
        if is_platform_staff(request.user):
            return orders
        merchant = staff_merchant(request.user)
        return orders.annotate(
            own_goods=_own_sub_orders_total("goods_amount", merchant),
            own_discount=_own_sub_orders_total("discount_amount", merchant),
            own_shipping=_own_sub_orders_total("shipping_fee", merchant),
            own_payable=_own_sub_orders_total("payable_amount", merchant),
        )

    def get_list_display(self, request):
        if is_platform_staff(request.user):
            return self.list_display
        return tuple(
            "own_payable_amount" if name == "payable_amount" else name for name in self.list_display
        )

    def get_fieldsets(self, request, obj=None):
        if is_platform_staff(request.user):
            return self.fieldsets
        return tuple(
            (
                _("Money (your sub-orders)"),
                {**options, "fields": self.OWN_MONEY_FIELDS},
            )
            if options["fields"] == self.WHOLE_ORDER_MONEY_FIELDS
            else (name, options)
            for name, options in self.fieldsets
        )

    def get_readonly_fields(self, request, obj=None):
        if is_platform_staff(request.user):
            return self.readonly_fields
        return (
            tuple(
                name for name in self.readonly_fields if name not in self.WHOLE_ORDER_MONEY_FIELDS
            )
            + self.OWN_MONEY_FIELDS
        )

    @admin.display(description=_("Goods (yours)"))
    def own_goods_amount(self, order):
        return order.own_goods

    @admin.display(description=_("Discounts (yours)"))
    def own_discount_amount(self, order):
        return order.own_discount

    @admin.display(description=_("Shipping (yours)"))
    def own_shipping_fee(self, order):
        return order.own_shipping

    @admin.display(description=_("Payable (yours)"), ordering="own_payable")
    def own_payable_amount(self, order):
        return order.own_payable

    @admin.display(description=_("Shopper sees"))
    def shown_to_shopper(self, order):
        return order_display_status_label(order)

    def has_ops_permission(self, request):
        return is_platform_staff(request.user)

    @admin.action(
        description=_("Cancel selected unpaid orders (stock and coupon return)"),
        permissions=["ops"],
    )
    def cancel_unpaid(self, request, queryset):
        self._run_each(
            request,
            queryset.order_by("pk"),
            lambda order: services.order_cancel(
                order_no=order.order_no,
                actor=actor_for(request.user),
                reason=wording.CANCELLED_BY_OPERATIONS,
            ),
            lambda count: (
                ngettext("%(count)d order cancelled.", "%(count)d orders cancelled.", count)
                % {"count": count}
            ),
        )


def _own_sub_orders_total(field: str, merchant) -> Coalesce:
    """The sum of `field` over the order's sub-orders of `merchant` (0 when none)."""
    totals = (
        SubOrder.objects.filter(order=OuterRef("pk"), merchant=merchant)
        .order_by()
        .values("order")
        .annotate(total=Sum(field))
        .values("total")
    )
    return Coalesce(
        Subquery(totals, output_field=DecimalField(max_digits=12, decimal_places=2)),
        Value(ZERO),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )


@admin.register(SubOrder)
class SubOrderAdmin(ExportMixin, _ServiceOnlyAdmin):
    merchant_lookup = "merchant"
    resource_classes = [SubOrderExportResource]  # the list as filtered, scoped to the merchant
    export_formats = [CSV, XLSX]
    list_display = (
        "sub_order_no",
        "order_link",
        "merchant",
        "warehouse",
        "status",
        "payable_amount",
        "aftersales_open",
        "created_at",
        "shipped_at",
    )
    list_filter = (
        "status",
        ("order__payment_method", PaymentMethodFilter),
        "aftersales_open",
        "merchant",
        "warehouse",
        "created_at",
    )
    search_fields = ("sub_order_no", "order__order_no", "order__recipient", "order__phone")
    list_select_related = ("order", "merchant", "warehouse")
    date_hierarchy = "created_at"
    inlines = (OrderLineInline, OrderEventInline)
    fields = (
        "sub_order_no",
        "order_link",
        "merchant",
        "warehouse",
        "status",
        "aftersales_open",
        "goods_amount",
        "discount_amount",
        "shipping_fee",
        "payable_amount",
        "ship_to",
        "created_at",
        "shipped_at",
        "delivered_at",
        "received_at",
        "completed_at",
        "closed_at",
        "close_reason",
        "auto_confirm_at",
        "auto_complete_at",
        "aftersales_held_at",
    )
    readonly_fields = fields

    @admin.display(description=_("Order"), ordering="order__order_no")
    def order_link(self, sub_order):
        url = reverse("admin:orders_order_change", args=[sub_order.order_id])
        return format_html('<a href="{}">{}</a>', url, sub_order.order.order_no)

    @admin.display(description=_("Ship to"))
    def ship_to(self, sub_order):
        order = sub_order.order
        return (
            f"{order.recipient} {order.phone}, {order.province} {order.city} "
            f"{order.district} {order.address_detail}"
        )
