"""After-sales pushes: every node of a case reaches the side that must know or act, a new target
"ops" (active members of the platform operations group) hears of appeals, evidence nobody sent
and failed refunds, and the cases that open by themselves (lost or refused parcel, out of stock)
speak under their own nodes (selectors.push_node_for).

Rules are seeded with get_or_create (a rule ops already have for the same node, target and
channel is left alone); the seeded case rules whose wording no longer says enough (no deadline,
no reason) are reworded only while they are still exactly as seeded. English now; the Chinese
wording is the i18n issue's.
"""

from django.db import migrations, models

SHOPPER, MERCHANT, OPS = "shopper", "merchant", "ops"
INBOX, APP_PUSH, SMS = "inbox", "app_push", "sms"
# SMS, app push and WeChat bodies end with the page's full URL (as 0007 did for older rules).
OUTSIDE_CHANNELS = {APP_PUSH, SMS, "wechat"}
LINK_SUFFIX = " {link}"

# node: [(target, [channels], title, body), ...]
NEW_RULES = {
    "case.appealed": [
        (OPS, [INBOX], "Appeal to decide: {case_no}",
         "The shopper appealed the merchant's rejection of request {case_no} ({type}, "
         "¥{amount}, sub-order {sub_order_no}): {note}"),
    ],
    "case.awaiting_return": [
        (SHOPPER, [INBOX, APP_PUSH], "Send back the goods of request {case_no}",
         "Please send the goods back to the return address shown on the request page by "
         "{deadline}, and enter the tracking number there."),
    ],
    "case.intercepting": [
        (SHOPPER, [INBOX], "The parcel of request {case_no} is being called back",
         "The merchant asked the carrier to return the parcel of sub-order {sub_order_no}. "
         "¥{amount} is refunded once it is back; if it reaches you anyway, you will be asked "
         "to send it back."),
    ],
    "case.return_shipped": [
        (MERCHANT, [INBOX], "Return of {case_no} on its way",
         "The shopper sent back the goods of request {case_no} ({note}). Confirm receipt when "
         "they arrive."),
    ],
    "case.return_signed": [
        (MERCHANT, [INBOX], "Return of {case_no} delivered",
         "The return parcel of request {case_no} was signed for. Check the goods and confirm "
         "receipt by {deadline}, or ¥{amount} is refunded automatically."),
    ],
    "case.return_received": [
        (SHOPPER, [INBOX], "Return of request {case_no} received",
         "The merchant received the goods you sent back for request {case_no}."),
    ],
    "case.refunding": [
        (SHOPPER, [INBOX, APP_PUSH], "Refund of ¥{amount} for {case_no} under way",
         "¥{amount} is on its way back to your original payment method."),
    ],
    "case.reshipped": [
        (SHOPPER, [INBOX, APP_PUSH], "Replacement for request {case_no} shipped",
         "The merchant sent your replacement for request {case_no} ({note}). Track it from the "
         "request page."),
    ],
    "case.offer": [
        (SHOPPER, [INBOX, APP_PUSH], "New offer on request {case_no}",
         "The merchant offers {note}. Accept or decline it on the request page."),
    ],
    "case.offer_answered": [
        (MERCHANT, [INBOX], "Offer on {case_no} {offer_status}",
         "The shopper {offer_status} your offer on request {case_no}."),
    ],
    # Rules of the author's own side are skipped (services.outbox_write_for_event): the shopper
    # hears of the merchant's and operations' messages, the merchant of the shopper's and ops'.
    "case.message": [
        (SHOPPER, [INBOX, APP_PUSH], "New message on request {case_no}",
         "Message on request {case_no}: {note}"),
        (MERCHANT, [INBOX], "New message on {case_no}",
         "Message on after-sales request {case_no} (sub-order {sub_order_no}): {note}"),
    ],
    "case.evidence_requested": [
        (SHOPPER, [INBOX, APP_PUSH], "Evidence requested on {case_no}",
         "Platform operations asked the {party} for more evidence on request {case_no}: "
         "{note}. It can be added in the request's messages."),
        (MERCHANT, [INBOX], "Evidence requested on {case_no}",
         "Platform operations asked the {party} for more evidence on request {case_no}: "
         "{note}. It can be added in the request's messages."),
    ],
    "case.evidence_expired": [
        (OPS, [INBOX], "No evidence in time on {case_no}",
         "{note}. Request {case_no} ({status_text}) can be decided with what it has."),
    ],
    "case.opened_automatically": [
        (MERCHANT, [INBOX], "{type} {case_no}",
         "After-sales {case_no} ({type}, ¥{amount}) opened automatically on sub-order "
         "{sub_order_no}: {note}. It is approved at once; nothing to answer."),
    ],
    "case.lost_refunding": [
        (SHOPPER, [INBOX, APP_PUSH, SMS], "Your parcel was lost; ¥{amount} is being refunded",
         "The carrier lost the parcel of order {order_no} (sub-order {sub_order_no}). ¥{amount} "
         "is being refunded to your original payment method (request {case_no}); no action is "
         "needed."),
    ],
    # suborder.out_of_stock and suborder.refused already text the shopper: the case keeps
    # its inbox copy only (its own story, with its number and amount).
    "case.out_of_stock": [
        (SHOPPER, [INBOX], "{type}: ¥{amount} refunded automatically",
         "Some goods of order {order_no} (sub-order {sub_order_no}) are out of stock: {note}. "
         "¥{amount} is refunded to your original payment method automatically (request "
         "{case_no})."),
    ],
    "case.refusal": [
        (SHOPPER, [INBOX], "{type}: ¥{amount} for request {case_no}",
         "You refused the parcel of order {order_no} (sub-order {sub_order_no}). ¥{amount} is "
         "refunded to your original payment method once it is back with the merchant."),
    ],
    "case.exchange_to_refund": [
        (SHOPPER, [INBOX, APP_PUSH], "Exchange {case_no} becomes a refund",
         "The replacement cannot be sent ({note}), so ¥{amount} is refunded to your original "
         "payment method instead."),
    ],
    "refund.failed": [
        (OPS, [INBOX], "Refund {refund_no} failed",
         "Refund {refund_no} of ¥{amount} for order {order_no} (payment {payment_no}: "
         "{reason}) failed at the gateway and is retried; look into it if it keeps failing."),
    ],
}  # fmt: skip

# (node, target, channel, seeded title, seeded body, new body): seeded case rules that did not
# say the deadline or the reason. The seeded app push and SMS bodies carry 0007's link.
REWORDED = [
    ("case.requested", MERCHANT, INBOX,
     "A shopper opened after-sales request {case_no} on sub-order {sub_order_no}. Please "
     "respond in time, or it is approved automatically.",
     "A shopper opened after-sales request {case_no} ({type}, ¥{amount}) on sub-order "
     "{sub_order_no}. Answer by {deadline}, or it is approved automatically."),
    ("case.requested", MERCHANT, SMS,
     "A shopper opened after-sales request {case_no} on sub-order {sub_order_no}. Please "
     "respond in time, or it is approved automatically. {link}",
     "New after-sales request {case_no}: answer by {deadline} or it is approved "
     "automatically. {link}"),
    ("case.rejected", SHOPPER, INBOX,
     "The merchant rejected request {case_no}. If you disagree, you can appeal to the "
     "platform.",
     "The merchant rejected request {case_no}: {note}. If you disagree, you can appeal to the "
     "platform by {deadline}."),
    ("case.rejected", SHOPPER, APP_PUSH,
     "The merchant rejected request {case_no}. If you disagree, you can appeal to the "
     "platform. {link}",
     "The merchant rejected request {case_no}: {note}. If you disagree, you can appeal to the "
     "platform by {deadline}. {link}"),
]  # fmt: skip


def _body(channel: str, body: str) -> str:
    return body + LINK_SUFFIX if channel in OUTSIDE_CHANNELS else body


def apply_defaults(apps, schema_editor):
    """Idempotent. (The defaults now live in notifications/default_rules.py.)"""
    PushRule = apps.get_model("notifications", "PushRule")
    for node, rules in NEW_RULES.items():
        for target, channels, title, body in rules:
            for channel in channels:
                PushRule.objects.get_or_create(
                    node=node,
                    target=target,
                    channel=channel,
                    defaults={
                        "title_template": title,
                        "body_template": _body(channel, body),
                        "is_active": True,
                    },
                )
    for node, target, channel, seeded, new in REWORDED:
        PushRule.objects.filter(
            node=node, target=target, channel=channel, body_template=seeded
        ).update(body_template=new)


def revert_defaults(apps, schema_editor):
    PushRule = apps.get_model("notifications", "PushRule")
    for node, rules in NEW_RULES.items():
        for target, channels, title, body in rules:
            for channel in channels:
                PushRule.objects.filter(
                    node=node,
                    target=target,
                    channel=channel,
                    title_template=title,
                    body_template=_body(channel, body),
                ).delete()
    for node, target, channel, seeded, new in REWORDED:
        PushRule.objects.filter(
            node=node, target=target, channel=channel, body_template=new
        ).update(body_template=seeded)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0008_one_failed_payment_message"),
    ]

    operations = [
        migrations.AlterField(
            model_name="inboxmessage",
            name="node",
            field=models.CharField(
                blank=True,
                choices=[
                    ("order.created", "Order created"),
                    ("order.paid", "Order paid"),
                    ("order.cancelled", "Order cancelled"),
                    ("order.expired", "Order expired (unpaid)"),
                    ("order.payment_failed", "Order payment failed"),
                    ("suborder.created", "Sub-order created (to fulfil)"),
                    ("suborder.shipped", "Sub-order shipped"),
                    ("suborder.delivered", "Sub-order delivered"),
                    ("suborder.received", "Sub-order received"),
                    ("suborder.completed", "Sub-order completed"),
                    ("suborder.closed", "Sub-order closed"),
                    ("suborder.out_of_stock", "Sub-order out of stock"),
                    ("suborder.refused", "Sub-order refused"),
                    ("payment.succeeded", "Payment succeeded"),
                    ("payment.failed", "Payment failed"),
                    ("refund.succeeded", "Refund succeeded"),
                    ("refund.failed", "Refund failed"),
                    ("shipment.shipped", "Shipment handed to carrier"),
                    ("shipment.tracking", "Shipment tracking update"),
                    ("case.requested", "After-sales requested"),
                    ("case.approved", "After-sales approved"),
                    ("case.rejected", "After-sales rejected"),
                    ("case.appealed", "After-sales appealed"),
                    ("case.closed", "After-sales closed"),
                    ("case.refunded", "After-sales refunded"),
                    ("case.cancelled", "After-sales cancelled"),
                    ("case.awaiting_return", "After-sales: awaiting the return"),
                    ("case.intercepting", "After-sales: intercepting the parcel"),
                    ("case.return_received", "After-sales: return received"),
                    ("case.refunding", "After-sales refunding"),
                    ("case.reshipped", "After-sales: replacement shipped"),
                    ("case.offer", "After-sales offer from the merchant"),
                    ("case.offer_answered", "After-sales offer answered"),
                    ("case.message", "After-sales message"),
                    ("case.evidence_requested", "After-sales evidence requested"),
                    ("case.return_shipped", "After-sales: return shipped"),
                    ("case.return_signed", "After-sales: return signed for"),
                    ("case.evidence_expired", "After-sales evidence not sent in time"),
                    ("order.cod_confirmed", "Order confirmed (cash on delivery)"),
                    ("payment.orphaned", "Payment for a closed order (refunded)"),
                    ("case.opened_automatically", "After-sales opened automatically"),
                    ("case.lost_refunding", "Lost parcel refunded"),
                    ("case.out_of_stock", "Out of stock refunded"),
                    ("case.refusal", "Refused parcel refund"),
                    ("case.exchange_to_refund", "Exchange turned into a refund"),
                ],
                max_length=40,
            ),
        ),
        migrations.AlterField(
            model_name="notificationpreference",
            name="node",
            field=models.CharField(
                choices=[
                    ("order.created", "Order created"),
                    ("order.paid", "Order paid"),
                    ("order.cancelled", "Order cancelled"),
                    ("order.expired", "Order expired (unpaid)"),
                    ("order.payment_failed", "Order payment failed"),
                    ("suborder.created", "Sub-order created (to fulfil)"),
                    ("suborder.shipped", "Sub-order shipped"),
                    ("suborder.delivered", "Sub-order delivered"),
                    ("suborder.received", "Sub-order received"),
                    ("suborder.completed", "Sub-order completed"),
                    ("suborder.closed", "Sub-order closed"),
                    ("suborder.out_of_stock", "Sub-order out of stock"),
                    ("suborder.refused", "Sub-order refused"),
                    ("payment.succeeded", "Payment succeeded"),
                    ("payment.failed", "Payment failed"),
                    ("refund.succeeded", "Refund succeeded"),
                    ("refund.failed", "Refund failed"),
                    ("shipment.shipped", "Shipment handed to carrier"),
                    ("shipment.tracking", "Shipment tracking update"),
                    ("case.requested", "After-sales requested"),
                    ("case.approved", "After-sales approved"),
                    ("case.rejected", "After-sales rejected"),
                    ("case.appealed", "After-sales appealed"),
                    ("case.closed", "After-sales closed"),
                    ("case.refunded", "After-sales refunded"),
                    ("case.cancelled", "After-sales cancelled"),
                    ("case.awaiting_return", "After-sales: awaiting the return"),
                    ("case.intercepting", "After-sales: intercepting the parcel"),
                    ("case.return_received", "After-sales: return received"),
                    ("case.refunding", "After-sales refunding"),
                    ("case.reshipped", "After-sales: replacement shipped"),
                    ("case.offer", "After-sales offer from the merchant"),
                    ("case.offer_answered", "After-sales offer answered"),
                    ("case.message", "After-sales message"),
                    ("case.evidence_requested", "After-sales evidence requested"),
                    ("case.return_shipped", "After-sales: return shipped"),
                    ("case.return_signed", "After-sales: return signed for"),
                    ("case.evidence_expired", "After-sales evidence not sent in time"),
                    ("order.cod_confirmed", "Order confirmed (cash on delivery)"),
                    ("payment.orphaned", "Payment for a closed order (refunded)"),
                    ("case.opened_automatically", "After-sales opened automatically"),
                    ("case.lost_refunding", "Lost parcel refunded"),
                    ("case.out_of_stock", "Out of stock refunded"),
                    ("case.refusal", "Refused parcel refund"),
                    ("case.exchange_to_refund", "Exchange turned into a refund"),
                ],
                max_length=40,
            ),
        ),
        migrations.AlterField(
            model_name="outboxmessage",
            name="node",
            field=models.CharField(
                choices=[
                    ("order.created", "Order created"),
                    ("order.paid", "Order paid"),
                    ("order.cancelled", "Order cancelled"),
                    ("order.expired", "Order expired (unpaid)"),
                    ("order.payment_failed", "Order payment failed"),
                    ("suborder.created", "Sub-order created (to fulfil)"),
                    ("suborder.shipped", "Sub-order shipped"),
                    ("suborder.delivered", "Sub-order delivered"),
                    ("suborder.received", "Sub-order received"),
                    ("suborder.completed", "Sub-order completed"),
                    ("suborder.closed", "Sub-order closed"),
                    ("suborder.out_of_stock", "Sub-order out of stock"),
                    ("suborder.refused", "Sub-order refused"),
                    ("payment.succeeded", "Payment succeeded"),
                    ("payment.failed", "Payment failed"),
                    ("refund.succeeded", "Refund succeeded"),
                    ("refund.failed", "Refund failed"),
                    ("shipment.shipped", "Shipment handed to carrier"),
                    ("shipment.tracking", "Shipment tracking update"),
                    ("case.requested", "After-sales requested"),
                    ("case.approved", "After-sales approved"),
                    ("case.rejected", "After-sales rejected"),
                    ("case.appealed", "After-sales appealed"),
                    ("case.closed", "After-sales closed"),
                    ("case.refunded", "After-sales refunded"),
                    ("case.cancelled", "After-sales cancelled"),
                    ("case.awaiting_return", "After-sales: awaiting the return"),
                    ("case.intercepting", "After-sales: intercepting the parcel"),
                    ("case.return_received", "After-sales: return received"),
                    ("case.refunding", "After-sales refunding"),
                    ("case.reshipped", "After-sales: replacement shipped"),
                    ("case.offer", "After-sales offer from the merchant"),
                    ("case.offer_answered", "After-sales offer answered"),
                    ("case.message", "After-sales message"),
                    ("case.evidence_requested", "After-sales evidence requested"),
                    ("case.return_shipped", "After-sales: return shipped"),
                    ("case.return_signed", "After-sales: return signed for"),
                    ("case.evidence_expired", "After-sales evidence not sent in time"),
                    ("order.cod_confirmed", "Order confirmed (cash on delivery)"),
                    ("payment.orphaned", "Payment for a closed order (refunded)"),
                    ("case.opened_automatically", "After-sales opened automatically"),
                    ("case.lost_refunding", "Lost parcel refunded"),
                    ("case.out_of_stock", "Out of stock refunded"),
                    ("case.refusal", "Refused parcel refund"),
                    ("case.exchange_to_refund", "Exchange turned into a refund"),
                ],
                max_length=40,
            ),
        ),
        migrations.AlterField(
            model_name="pushrule",
            name="node",
            field=models.CharField(
                choices=[
                    ("order.created", "Order created"),
                    ("order.paid", "Order paid"),
                    ("order.cancelled", "Order cancelled"),
                    ("order.expired", "Order expired (unpaid)"),
                    ("order.payment_failed", "Order payment failed"),
                    ("suborder.created", "Sub-order created (to fulfil)"),
                    ("suborder.shipped", "Sub-order shipped"),
                    ("suborder.delivered", "Sub-order delivered"),
                    ("suborder.received", "Sub-order received"),
                    ("suborder.completed", "Sub-order completed"),
                    ("suborder.closed", "Sub-order closed"),
                    ("suborder.out_of_stock", "Sub-order out of stock"),
                    ("suborder.refused", "Sub-order refused"),
                    ("payment.succeeded", "Payment succeeded"),
                    ("payment.failed", "Payment failed"),
                    ("refund.succeeded", "Refund succeeded"),
                    ("refund.failed", "Refund failed"),
                    ("shipment.shipped", "Shipment handed to carrier"),
                    ("shipment.tracking", "Shipment tracking update"),
                    ("case.requested", "After-sales requested"),
                    ("case.approved", "After-sales approved"),
                    ("case.rejected", "After-sales rejected"),
                    ("case.appealed", "After-sales appealed"),
                    ("case.closed", "After-sales closed"),
                    ("case.refunded", "After-sales refunded"),
                    ("case.cancelled", "After-sales cancelled"),
                    ("case.awaiting_return", "After-sales: awaiting the return"),
                    ("case.intercepting", "After-sales: intercepting the parcel"),
                    ("case.return_received", "After-sales: return received"),
                    ("case.refunding", "After-sales refunding"),
                    ("case.reshipped", "After-sales: replacement shipped"),
                    ("case.offer", "After-sales offer from the merchant"),
                    ("case.offer_answered", "After-sales offer answered"),
                    ("case.message", "After-sales message"),
                    ("case.evidence_requested", "After-sales evidence requested"),
                    ("case.return_shipped", "After-sales: return shipped"),
                    ("case.return_signed", "After-sales: return signed for"),
                    ("case.evidence_expired", "After-sales evidence not sent in time"),
                    ("order.cod_confirmed", "Order confirmed (cash on delivery)"),
                    ("payment.orphaned", "Payment for a closed order (refunded)"),
                    ("case.opened_automatically", "After-sales opened automatically"),
                    ("case.lost_refunding", "Lost parcel refunded"),
                    ("case.out_of_stock", "Out of stock refunded"),
                    ("case.refusal", "Refused parcel refund"),
                    ("case.exchange_to_refund", "Exchange turned into a refund"),
                ],
                max_length=40,
            ),
        ),
        migrations.AlterField(
            model_name="pushrule",
            name="target",
            field=models.CharField(
                choices=[
                    ("shopper", "Shopper"),
                    ("merchant", "Merchant staff"),
                    ("warehouse", "Warehouse staff"),
                    ("ops", "Platform operations"),
                ],
                max_length=16,
            ),
        ),
        migrations.RunPython(apply_defaults, revert_defaults),
    ]
