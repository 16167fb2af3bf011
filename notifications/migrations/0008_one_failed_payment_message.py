"""A failed payment tells the shopper once.

order.payment_failed and payment.failed both reached the shopper's inbox with the same news
(the payment failed, the order is closed). payment.failed keeps the inbox message and the SMS
(its wording says the order is closed and to place a new one); the shopper's order.payment_failed
inbox copy is switched off. Only the rule still as seeded is changed.
"""

from django.db import migrations

SEEDED = {
    "node": "order.payment_failed",
    "target": "shopper",
    "channel": "inbox",
    "title_template": "Payment for order {order_no} failed",
    "body_template": "The payment for order {order_no} did not go through, and the order is closed.",
}


def switch_off_the_second_copy(apps, schema_editor):
    """Idempotent. (The defaults now live in notifications/default_rules.py.)"""
    apps.get_model("notifications", "PushRule").objects.filter(**SEEDED).update(is_active=False)


def switch_it_back_on(apps, schema_editor):
    apps.get_model("notifications", "PushRule").objects.filter(**SEEDED).update(is_active=True)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0007_link_in_sms_push_wechat"),
    ]

    operations = [migrations.RunPython(switch_off_the_second_copy, switch_it_back_on)]
