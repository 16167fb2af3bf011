"""Orders and sub-orders as CSV / Excel for accounting (django-import-export, export only).

The admin's Export button exports the list as filtered and searched (and, for merchant staff,
scoped to their merchant). Columns are the accountant's: numbers, states and money, no ids."""

from import_export import fields, resources

from .models import Order, SubOrder


class OrderExportResource(resources.ModelResource):
    shopper = fields.Field(attribute="user__username", column_name="shopper")
    status = fields.Field(attribute="get_status_display", column_name="status")
    payment_method = fields.Field(
        attribute="get_payment_method_display", column_name="payment_method"
    )

    class Meta:
        model = Order
        fields = (
            "order_no",
            "shopper",
            "status",
            "payment_method",
            "goods_amount",
            "promotion_discount",
            "member_discount",
            "shipping_fee",
            "payable_amount",
            "created_at",
            "paid_at",
            "closed_at",
            "province",
            "city",
            "buyer_note",
        )
        export_order = fields

    def get_queryset(self):
        return super().get_queryset().select_related("user")


class SubOrderExportResource(resources.ModelResource):
    order_no = fields.Field(attribute="order__order_no", column_name="order_no")
    merchant = fields.Field(attribute="merchant__name", column_name="merchant")
    warehouse = fields.Field(attribute="warehouse__name", column_name="warehouse")
    status = fields.Field(attribute="get_status_display", column_name="status")
    payment_method = fields.Field(
        attribute="order__get_payment_method_display", column_name="payment_method"
    )

    class Meta:
        model = SubOrder
        fields = (
            "sub_order_no",
            "order_no",
            "merchant",
            "warehouse",
            "status",
            "payment_method",
            "goods_amount",
            "discount_amount",
            "shipping_fee",
            "payable_amount",
            "created_at",
            "shipped_at",
            "received_at",
            "completed_at",
            "closed_at",
        )
        export_order = fields
