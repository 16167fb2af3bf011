"""What the shopper and the merchant actually receive when the real services emit their events
(logistics, payments, orders), not hand-made events."""

import pytest

from logistics import services as logistics_services
from notifications.models import InboxMessage, MerchantWebhook, OutboxMessage
from shop import events

pytestmark = pytest.mark.django_db


def test_every_shortage_and_the_final_close_reach_the_shopper_and_the_merchant_system(
    default_rules, sandbox_paid_sub_order, merchant_system, django_capture_on_commit_callbacks
):
    # given a paid sub-order of two lines (2 + 1 units) whose merchant has a webhook
    system, url = merchant_system
    sub_order = sandbox_paid_sub_order(quantities=(2, 1))
    webhook = MerchantWebhook.objects.create(merchant=sub_order.merchant, url=url)
    shopper = sub_order.order.user
    first, second = sub_order.lines.order_by("pk")

    # when one unit of the first line is short, then the other, then the second line (the close)
    for line in (first, first, second):
        with django_capture_on_commit_callbacks(execute=True):
            logistics_services.line_mark_out_of_stock(
                line_id=line.pk, quantity=1, reason="Sold out", actor=None
            )

    # then the shopper was told three times, in the inbox and by SMS
    told = OutboxMessage.objects.filter(node=events.SUBORDER_OUT_OF_STOCK, recipient=shopper)
    assert told.filter(channel="inbox").count() == 3
    assert told.filter(channel="sms").count() == 3
    inbox = InboxMessage.objects.filter(user=shopper, node=events.SUBORDER_OUT_OF_STOCK)
    assert inbox.count() == 3
    # and the merchant's system got the three events, each once
    hooks = OutboxMessage.objects.filter(node=events.SUBORDER_OUT_OF_STOCK, webhook=webhook)
    assert hooks.count() == 3
    assert set(hooks.values_list("status", flat=True)) == {"sent"}
    out_of_stock = [b for h, b in system.received if h["X-Shop-Event"] == "suborder.out_of_stock"]
    assert len(out_of_stock) == 3
