"""Default push rules: every node reaches the people who must know or act.

The rules are data (ops edit them in the admin); this migration only seeds them, and leaves a
rule alone if ops already have one for the same (node, target, channel).
Placeholders are the keys the emitters put in DomainEvent.data (order_no, sub_order_no,
payment_no, refund_no, case_no, amount, tracking_no, carrier, status_text).
"""

from django.db import migrations

SHOPPER, MERCHANT, WAREHOUSE = "shopper", "merchant", "warehouse"
INBOX, APP_PUSH, SMS, WECHAT = "inbox", "app_push", "sms", "wechat"

# node: [(target, [channels], title, body), ...]
DEFAULT_RULES = {
    "order.created": [
        (SHOPPER, [INBOX], "Order {order_no} placed",
         "Your order {order_no} has been placed. Please pay in time, or it is cancelled "
         "automatically."),
    ],
    "order.paid": [
        (SHOPPER, [INBOX, APP_PUSH, SMS], "Order {order_no} paid",
         "We received your payment for order {order_no}. The merchant is preparing it."),
    ],
    "order.cancelled": [
        (SHOPPER, [INBOX], "Order {order_no} cancelled",
         "Your order {order_no} was cancelled. Any stock it held has been released."),
    ],
    "order.expired": [
        (SHOPPER, [INBOX, APP_PUSH], "Order {order_no} closed: not paid in time",
         "Order {order_no} was not paid in time and has been cancelled."),
    ],
    "order.payment_failed": [
        (SHOPPER, [INBOX], "Payment for order {order_no} failed",
         "The payment for order {order_no} did not go through, and the order is closed."),
    ],
    # order.* events are about the parent order (no merchant); merchants hear of a paid order
    # through its sub-order, one per (merchant, warehouse).
    "suborder.created": [
        (MERCHANT, [INBOX], "New paid order {sub_order_no}",
         "Sub-order {sub_order_no} of order {order_no} has been paid and waits for shipment."),
        (WAREHOUSE, [INBOX], "Pick list: {sub_order_no}",
         "Sub-order {sub_order_no} of order {order_no} is waiting to be picked, packed and "
         "shipped."),
    ],
    "suborder.shipped": [
        (SHOPPER, [INBOX, APP_PUSH, SMS], "Your parcel {sub_order_no} is on its way",
         "Sub-order {sub_order_no} of order {order_no} has shipped."),
    ],
    "suborder.delivered": [
        (SHOPPER, [INBOX, APP_PUSH], "Parcel {sub_order_no} delivered",
         "Sub-order {sub_order_no} has been delivered. Please confirm receipt once you have "
         "checked it."),
    ],
    "suborder.received": [
        (MERCHANT, [INBOX], "Receipt confirmed: {sub_order_no}",
         "The shopper confirmed receipt of sub-order {sub_order_no}."),
    ],
    "suborder.completed": [
        (SHOPPER, [INBOX], "Order {sub_order_no} completed",
         "Sub-order {sub_order_no} is complete. Thank you for shopping with us; a review "
         "helps other shoppers."),
    ],
    "suborder.closed": [
        (SHOPPER, [INBOX], "Sub-order {sub_order_no} closed",
         "Sub-order {sub_order_no} of order {order_no} has been closed."),
        (MERCHANT, [INBOX], "Sub-order {sub_order_no} closed",
         "Sub-order {sub_order_no} has been closed."),
    ],
    "suborder.out_of_stock": [
        (SHOPPER, [INBOX, SMS], "Out of stock: {sub_order_no}",
         "Sorry, some or all of the goods in sub-order {sub_order_no} are out of stock. "
         "What cannot be shipped is refunded to you; the rest ships as usual."),
    ],
    "suborder.refused": [
        (SHOPPER, [INBOX], "Parcel {sub_order_no} refused",
         "You refused parcel {sub_order_no}. Your refund follows once it is back with the "
         "merchant."),
        (MERCHANT, [INBOX], "Parcel refused: {sub_order_no}",
         "The shopper refused sub-order {sub_order_no}; it is returning to the warehouse."),
    ],
    "payment.succeeded": [
        (SHOPPER, [INBOX, SMS], "Payment {payment_no} received",
         "We received your payment {payment_no} of ¥{amount} for order {order_no}."),
    ],
    "payment.failed": [
        (SHOPPER, [INBOX, SMS], "Payment {payment_no} failed",
         "Your payment {payment_no} for order {order_no} failed. You can try again from the "
         "order page."),
    ],
    "refund.succeeded": [
        (SHOPPER, [INBOX, SMS, WECHAT], "Refund {refund_no} completed",
         "¥{amount} has been refunded to your original payment method (refund {refund_no})."),
    ],
    "refund.failed": [
        (SHOPPER, [INBOX, SMS], "Refund {refund_no} delayed",
         "Refund {refund_no} could not be completed yet. We are retrying; no action is needed."),
    ],
    "shipment.shipped": [
        (SHOPPER, [INBOX], "Parcel handed to {carrier}",
         "A parcel of sub-order {sub_order_no} was handed to {carrier}, tracking number "
         "{tracking_no}."),
    ],
    "shipment.tracking": [
        (SHOPPER, [APP_PUSH], "Tracking {tracking_no}: {status_text}",
         "Your parcel {tracking_no}: {status_text}"),
    ],
    "case.requested": [
        (SHOPPER, [INBOX], "After-sales request {case_no} submitted",
         "We have passed your request {case_no} to the merchant."),
        (MERCHANT, [INBOX, SMS], "New after-sales request {case_no}",
         "A shopper opened after-sales request {case_no} on sub-order {sub_order_no}. Please "
         "respond in time, or it is approved automatically."),
    ],
    "case.approved": [
        (SHOPPER, [INBOX, APP_PUSH], "After-sales request {case_no} approved",
         "Your after-sales request {case_no} has been approved."),
        (MERCHANT, [INBOX], "After-sales {case_no} approved",
         "After-sales request {case_no} has been approved."),
    ],
    "case.rejected": [
        (SHOPPER, [INBOX, APP_PUSH], "After-sales request {case_no} rejected",
         "The merchant rejected request {case_no}. If you disagree, you can appeal to the "
         "platform."),
        (MERCHANT, [INBOX], "After-sales {case_no} rejected",
         "After-sales request {case_no} was rejected."),
    ],
    "case.appealed": [
        (SHOPPER, [INBOX], "Appeal {case_no} received",
         "The platform is reviewing your appeal on request {case_no}."),
        (MERCHANT, [INBOX], "Appeal on {case_no}",
         "The shopper appealed request {case_no}; platform operations will decide."),
    ],
    "case.closed": [
        (SHOPPER, [INBOX], "After-sales {case_no} closed",
         "After-sales request {case_no} has been closed."),
        (MERCHANT, [INBOX], "After-sales {case_no} closed",
         "After-sales request {case_no} has been closed."),
    ],
    "case.refunded": [
        (SHOPPER, [INBOX, SMS], "After-sales {case_no} refunded",
         "¥{amount} for after-sales request {case_no} has been refunded."),
        (MERCHANT, [INBOX], "After-sales {case_no} refunded",
         "After-sales request {case_no} has been refunded."),
    ],
    "case.cancelled": [
        (SHOPPER, [INBOX], "After-sales {case_no} withdrawn",
         "You withdrew after-sales request {case_no}."),
        (MERCHANT, [INBOX], "After-sales {case_no} withdrawn",
         "The shopper withdrew after-sales request {case_no}."),
    ],
}


def seed_rules(apps, schema_editor):
    PushRule = apps.get_model("notifications", "PushRule")
    for node, rules in DEFAULT_RULES.items():
        for target, channels, title, body in rules:
            for channel in channels:
                PushRule.objects.get_or_create(
                    node=node,
                    target=target,
                    channel=channel,
                    defaults={"title_template": title, "body_template": body, "is_active": True},
                )


def unseed_rules(apps, schema_editor):
    PushRule = apps.get_model("notifications", "PushRule")
    for node, rules in DEFAULT_RULES.items():
        for target, channels, _title, _body in rules:
            PushRule.objects.filter(node=node, target=target, channel__in=channels).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(seed_rules, unseed_rules)]
