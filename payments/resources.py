"""Payments and refunds as CSV / Excel for accounting (django-import-export, export only), with
the admin list's filters and search."""

from import_export import fields, resources

from .models import Payment, Refund


class PaymentExportResource(resources.ModelResource):
    order_no = fields.Field(attribute="order__order_no", column_name="order_no")
    method = fields.Field(attribute="get_method_display", column_name="method")
    status = fields.Field(attribute="get_status_display", column_name="status")

    class Meta:
        model = Payment
        fields = (
            "payment_no",
            "order_no",
            "method",
            "amount",
            "status",
            "orphaned",
            "gateway_trade_no",
            "paid_at",
            "created_at",
            "failure_reason",
        )
        export_order = fields


class RefundExportResource(resources.ModelResource):
    payment_no = fields.Field(attribute="payment__payment_no", column_name="payment_no")
    order_no = fields.Field(attribute="payment__order__order_no", column_name="order_no")
    method = fields.Field(attribute="payment__get_method_display", column_name="method")
    status = fields.Field(attribute="get_status_display", column_name="status")

    class Meta:
        model = Refund
        fields = (
            "refund_no",
            "payment_no",
            "order_no",
            "method",
            "amount",
            "quantity",
            "reason",
            "status",
            "gateway_refund_id",
            "manual_payout",
            "payout_reference",
            "created_at",
            "succeeded_at",
        )
        export_order = fields
