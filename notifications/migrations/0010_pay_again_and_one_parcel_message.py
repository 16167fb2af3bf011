"""A failed payment no longer closes the order, and a shipment tells the shopper once.

- payment.failed: the order stays awaiting payment until its deadline (pay again or another
  method), so the message no longer says it is closed and to place a new order.
- suborder.shipped and shipment.shipped both reached the shopper's inbox for the same parcel;
  shipment.shipped (one per parcel, with carrier and tracking number) keeps the inbox message,
  the sub-order's inbox copy is switched off (its push and SMS stay).

Only rules still as seeded are changed; rules ops edited keep their text and switch.
"""

from django.db import migrations

PAYMENT_FAILED_CLOSED = (
    "Your payment {payment_no} for order {order_no} did not go through, so the order has been "
    "closed and nothing was charged. To buy these goods, please place a new order."
)
PAYMENT_FAILED_KEPT = (
    "Your payment {payment_no} for order {order_no} did not go through and nothing was charged. "
    "The order is kept until its payment deadline: pay again or choose another method from the "
    "order page."
)
SUBORDER_SHIPPED_INBOX = {
    "node": "suborder.shipped",
    "target": "shopper",
    "channel": "inbox",
    "title_template": "Your parcel {sub_order_no} is on its way",
    "body_template": "Sub-order {sub_order_no} of order {order_no} has shipped.",
}


def apply_defaults(apps, schema_editor):
    """Idempotent. (The defaults now live in notifications/default_rules.py.)"""
    PushRule = apps.get_model("notifications", "PushRule")
    _reword(PushRule, PAYMENT_FAILED_CLOSED, PAYMENT_FAILED_KEPT)
    PushRule.objects.filter(**SUBORDER_SHIPPED_INBOX).update(is_active=False)


def _reword(PushRule, old: str, new: str) -> None:
    # The SMS, push and WeChat copies end with the order's link (0007): keep what follows.
    rules = PushRule.objects.filter(
        node="payment.failed", target="shopper", body_template__startswith=old
    )
    for rule in rules:
        rule.body_template = new + rule.body_template[len(old) :]
        rule.save(update_fields=["body_template"])


def revert_defaults(apps, schema_editor):
    PushRule = apps.get_model("notifications", "PushRule")
    _reword(PushRule, PAYMENT_FAILED_KEPT, PAYMENT_FAILED_CLOSED)
    PushRule.objects.filter(**SUBORDER_SHIPPED_INBOX).update(is_active=True)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0009_aftersales_pushes"),
    ]

    operations = [migrations.RunPython(apply_defaults, revert_defaults)]
