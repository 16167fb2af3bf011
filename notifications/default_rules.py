"""The push rules a fresh shop starts with: one row per (node, target, channel), in the words
the shopper, the merchant's staff or operations read. `seed.push_rules_sync` writes them
(`manage.py sync_push_rules`); after that the rules are ops' to edit in the admin.

SMS, app push and WeChat bodies end with `{link}`: the page as a full URL, since a site path
cannot be opened outside the inbox. The rules switched off (`enabled=False`) would tell the
shopper the same news twice: order.paid says the payment arrived (payment.succeeded off),
payment.failed that it failed (order.payment_failed's inbox off), shipment.shipped that the
parcel left (suborder.shipped's inbox off), refund.succeeded that money is back (case.refunded's
SMS off).

To change a default's wording, change its body here and add the old body to FORMER_BODIES:
a rule still in an old wording is not ops' edit, so the sync brings it to the new one.
"""

from typing import NamedTuple

SHOPPER, MERCHANT, WAREHOUSE, OPS = "shopper", "merchant", "warehouse", "ops"
INBOX, APP_PUSH, SMS, WECHAT = "inbox", "app_push", "sms", "wechat"


class DefaultRule(NamedTuple):
    node: str
    target: str
    channel: str
    title: str
    body: str
    enabled: bool = True

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.node, self.target, self.channel)


DEFAULT_RULES: tuple[DefaultRule, ...] = (
    DefaultRule("order.created", SHOPPER, INBOX,
        "Order {order_no} placed",
        "Your order {order_no} has been placed. Please pay in time, or it is cancelled "
        "automatically.",
    ),
    DefaultRule("order.paid", SHOPPER, INBOX,
        "Order {order_no} paid",
        "We received your payment for order {order_no}. The merchant is preparing it.",
    ),
    DefaultRule("order.paid", SHOPPER, APP_PUSH,
        "Order {order_no} paid",
        "We received your payment for order {order_no}. The merchant is preparing it. {link}",
    ),
    DefaultRule("order.paid", SHOPPER, SMS,
        "Order {order_no} paid",
        "We received your payment for order {order_no}. The merchant is preparing it. {link}",
    ),
    DefaultRule("order.cancelled", SHOPPER, INBOX,
        "Order {order_no} cancelled",
        "Your order {order_no} was cancelled. Any stock it held has been released.",
    ),
    DefaultRule("order.expired", SHOPPER, INBOX,
        "Order {order_no} closed: not paid in time",
        "Order {order_no} was not paid in time and has been cancelled.",
    ),
    DefaultRule("order.expired", SHOPPER, APP_PUSH,
        "Order {order_no} closed: not paid in time",
        "Order {order_no} was not paid in time and has been cancelled. {link}",
    ),
    DefaultRule("order.payment_failed", SHOPPER, INBOX,
        "Payment for order {order_no} failed",
        "The payment for order {order_no} did not go through, and the order is closed.",
        enabled=False,
    ),
    DefaultRule("suborder.created", MERCHANT, INBOX,
        "New paid order {sub_order_no}",
        "Sub-order {sub_order_no} of order {order_no} has been paid and waits for shipment.",
    ),
    DefaultRule("suborder.created", WAREHOUSE, INBOX,
        "Pick list: {sub_order_no}",
        "Sub-order {sub_order_no} of order {order_no} is waiting to be picked, packed and "
        "shipped.",
    ),
    DefaultRule("suborder.shipped", SHOPPER, INBOX,
        "Your parcel {sub_order_no} is on its way",
        "Sub-order {sub_order_no} of order {order_no} has shipped.",
        enabled=False,
    ),
    DefaultRule("suborder.shipped", SHOPPER, APP_PUSH,
        "Your parcel {sub_order_no} is on its way",
        "Sub-order {sub_order_no} of order {order_no} has shipped. {link}",
    ),
    DefaultRule("suborder.shipped", SHOPPER, SMS,
        "Your parcel {sub_order_no} is on its way",
        "Sub-order {sub_order_no} of order {order_no} has shipped. {link}",
    ),
    DefaultRule("suborder.delivered", SHOPPER, INBOX,
        "Parcel {sub_order_no} delivered",
        "Sub-order {sub_order_no} has been delivered. Please confirm receipt once you have "
        "checked it.",
    ),
    DefaultRule("suborder.delivered", SHOPPER, APP_PUSH,
        "Parcel {sub_order_no} delivered",
        "Sub-order {sub_order_no} has been delivered. Please confirm receipt once you have "
        "checked it. {link}",
    ),
    DefaultRule("suborder.received", MERCHANT, INBOX,
        "Receipt confirmed: {sub_order_no}",
        "The shopper confirmed receipt of sub-order {sub_order_no}.",
    ),
    DefaultRule("suborder.completed", SHOPPER, INBOX,
        "Order {sub_order_no} completed",
        "Sub-order {sub_order_no} is complete. Thank you for shopping with us; a review helps "
        "other shoppers.",
    ),
    DefaultRule("suborder.closed", SHOPPER, INBOX,
        "Sub-order {sub_order_no} closed",
        "Sub-order {sub_order_no} of order {order_no} has been closed.",
    ),
    DefaultRule("suborder.closed", MERCHANT, INBOX,
        "Sub-order {sub_order_no} closed",
        "Sub-order {sub_order_no} has been closed.",
    ),
    DefaultRule("suborder.out_of_stock", SHOPPER, INBOX,
        "Out of stock: {sub_order_no}",
        "Sorry, some or all of the goods in sub-order {sub_order_no} are out of stock. What "
        "cannot be shipped is refunded to you; the rest ships as usual.",
    ),
    DefaultRule("suborder.out_of_stock", SHOPPER, SMS,
        "Out of stock: {sub_order_no}",
        "Sorry, some or all of the goods in sub-order {sub_order_no} are out of stock. What "
        "cannot be shipped is refunded to you; the rest ships as usual. {link}",
    ),
    DefaultRule("suborder.refused", SHOPPER, INBOX,
        "Parcel {sub_order_no} refused",
        "You refused parcel {sub_order_no}. Your refund follows once it is back with the "
        "merchant.",
    ),
    DefaultRule("suborder.refused", MERCHANT, INBOX,
        "Parcel refused: {sub_order_no}",
        "The shopper refused sub-order {sub_order_no}; it is returning to the warehouse.",
    ),
    DefaultRule("payment.succeeded", SHOPPER, INBOX,
        "Payment {payment_no} received",
        "We received your payment {payment_no} of ¥{amount} for order {order_no}.",
        enabled=False,
    ),
    DefaultRule("payment.succeeded", SHOPPER, SMS,
        "Payment {payment_no} received",
        "We received your payment {payment_no} of ¥{amount} for order {order_no}. {link}",
        enabled=False,
    ),
    DefaultRule("payment.failed", SHOPPER, INBOX,
        "Payment {payment_no} failed",
        "Your payment {payment_no} for order {order_no} did not go through and nothing was "
        "charged. The order is kept until its payment deadline: pay again or choose another "
        "method from the order page.",
    ),
    DefaultRule("payment.failed", SHOPPER, SMS,
        "Payment {payment_no} failed",
        "Your payment {payment_no} for order {order_no} did not go through and nothing was "
        "charged. The order is kept until its payment deadline: pay again or choose another "
        "method from the order page. {link}",
    ),
    DefaultRule("refund.succeeded", SHOPPER, INBOX,
        "Refund {refund_no} completed",
        "¥{amount} has been refunded to your original payment method (refund {refund_no}).",
    ),
    DefaultRule("refund.succeeded", SHOPPER, SMS,
        "Refund {refund_no} completed",
        "¥{amount} has been refunded to your original payment method (refund {refund_no}). {link}",
    ),
    DefaultRule("refund.succeeded", SHOPPER, WECHAT,
        "Refund {refund_no} completed",
        "¥{amount} has been refunded to your original payment method (refund {refund_no}). {link}",
    ),
    DefaultRule("refund.failed", SHOPPER, INBOX,
        "Refund {refund_no} delayed",
        "Refund {refund_no} could not be completed yet. We are retrying; no action is needed.",
    ),
    DefaultRule("refund.failed", SHOPPER, SMS,
        "Refund {refund_no} delayed",
        "Refund {refund_no} could not be completed yet. We are retrying; no action is needed. "
        "{link}",
    ),
    DefaultRule("shipment.shipped", SHOPPER, INBOX,
        "Parcel handed to {carrier}",
        "A parcel of sub-order {sub_order_no} was handed to {carrier}, tracking number "
        "{tracking_no}.",
    ),
    DefaultRule("shipment.tracking", SHOPPER, APP_PUSH,
        "Tracking {tracking_no}: {status_text}",
        "Your parcel {tracking_no}: {status_text} {link}",
    ),
    DefaultRule("case.requested", SHOPPER, INBOX,
        "After-sales request {case_no} submitted",
        "We have passed your request {case_no} to the merchant.",
    ),
    DefaultRule("case.requested", MERCHANT, INBOX,
        "New after-sales request {case_no}",
        "A shopper opened after-sales request {case_no} ({type}, ¥{amount}) on sub-order "
        "{sub_order_no}. Answer by {deadline}, or it is approved automatically.",
    ),
    DefaultRule("case.requested", MERCHANT, SMS,
        "New after-sales request {case_no}",
        "New after-sales request {case_no}: answer by {deadline} or it is approved automatically. "
        "{link}",
    ),
    DefaultRule("case.approved", SHOPPER, INBOX,
        "After-sales request {case_no} approved",
        "Your after-sales request {case_no} has been approved.",
    ),
    DefaultRule("case.approved", SHOPPER, APP_PUSH,
        "After-sales request {case_no} approved",
        "Your after-sales request {case_no} has been approved. {link}",
    ),
    DefaultRule("case.approved", MERCHANT, INBOX,
        "After-sales {case_no} approved",
        "After-sales request {case_no} has been approved.",
    ),
    DefaultRule("case.rejected", SHOPPER, INBOX,
        "After-sales request {case_no} rejected",
        "The merchant rejected request {case_no}: {note}. If you disagree, you can appeal to the "
        "platform by {deadline}.",
    ),
    DefaultRule("case.rejected", SHOPPER, APP_PUSH,
        "After-sales request {case_no} rejected",
        "The merchant rejected request {case_no}: {note}. If you disagree, you can appeal to the "
        "platform by {deadline}. {link}",
    ),
    DefaultRule("case.rejected", MERCHANT, INBOX,
        "After-sales {case_no} rejected",
        "After-sales request {case_no} was rejected.",
    ),
    DefaultRule("case.appealed", SHOPPER, INBOX,
        "Appeal {case_no} received",
        "The platform is reviewing your appeal on request {case_no}.",
    ),
    DefaultRule("case.appealed", MERCHANT, INBOX,
        "Appeal on {case_no}",
        "The shopper appealed request {case_no}; platform operations will decide.",
    ),
    DefaultRule("case.closed", SHOPPER, INBOX,
        "After-sales {case_no} closed",
        "After-sales request {case_no} has been closed.",
    ),
    DefaultRule("case.closed", MERCHANT, INBOX,
        "After-sales {case_no} closed",
        "After-sales request {case_no} has been closed.",
    ),
    DefaultRule("case.refunded", SHOPPER, INBOX,
        "After-sales {case_no} refunded",
        "¥{amount} for after-sales request {case_no} has been refunded.",
    ),
    DefaultRule("case.refunded", SHOPPER, SMS,
        "After-sales {case_no} refunded",
        "¥{amount} for after-sales request {case_no} has been refunded. {link}",
        enabled=False,
    ),
    DefaultRule("case.refunded", MERCHANT, INBOX,
        "After-sales {case_no} refunded",
        "After-sales request {case_no} has been refunded.",
    ),
    DefaultRule("case.cancelled", SHOPPER, INBOX,
        "After-sales {case_no} withdrawn",
        "You withdrew after-sales request {case_no}.",
    ),
    DefaultRule("case.cancelled", MERCHANT, INBOX,
        "After-sales {case_no} withdrawn",
        "The shopper withdrew after-sales request {case_no}.",
    ),
    DefaultRule("order.cod_confirmed", SHOPPER, INBOX,
        "Order {order_no} confirmed: cash on delivery",
        "Your cash-on-delivery order {order_no} is confirmed and the merchant is preparing it. "
        "Please pay ¥{amount} to the courier on delivery.",
    ),
    DefaultRule("order.cod_confirmed", SHOPPER, APP_PUSH,
        "Order {order_no} confirmed: cash on delivery",
        "Your cash-on-delivery order {order_no} is confirmed and the merchant is preparing it. "
        "Please pay ¥{amount} to the courier on delivery. {link}",
    ),
    DefaultRule("order.cod_confirmed", SHOPPER, SMS,
        "Order {order_no} confirmed: cash on delivery",
        "Your cash-on-delivery order {order_no} is confirmed and the merchant is preparing it. "
        "Please pay ¥{amount} to the courier on delivery. {link}",
    ),
    DefaultRule("payment.orphaned", SHOPPER, INBOX,
        "Payment {payment_no} is being refunded",
        "Your payment {payment_no} of ¥{amount} arrived after order {order_no} was closed or "
        "already paid, so it cannot be used. The full ¥{amount} is being refunded to your "
        "original payment method; no action is needed.",
    ),
    DefaultRule("payment.orphaned", SHOPPER, SMS,
        "Payment {payment_no} is being refunded",
        "Your payment {payment_no} of ¥{amount} arrived after order {order_no} was closed or "
        "already paid, so it cannot be used. The full ¥{amount} is being refunded to your "
        "original payment method; no action is needed. {link}",
    ),
    DefaultRule("case.appealed", OPS, INBOX,
        "Appeal to decide: {case_no}",
        "The shopper appealed the merchant's rejection of request {case_no} ({type}, ¥{amount}, "
        "sub-order {sub_order_no}): {note}",
    ),
    DefaultRule("case.awaiting_return", SHOPPER, INBOX,
        "Send back the goods of request {case_no}",
        "Please send the goods back to the return address shown on the request page by "
        "{deadline}, and enter the tracking number there.",
    ),
    DefaultRule("case.awaiting_return", SHOPPER, APP_PUSH,
        "Send back the goods of request {case_no}",
        "Please send the goods back to the return address shown on the request page by "
        "{deadline}, and enter the tracking number there. {link}",
    ),
    DefaultRule("case.intercepting", SHOPPER, INBOX,
        "The parcel of request {case_no} is being called back",
        "The merchant asked the carrier to return the parcel of sub-order {sub_order_no}. "
        "¥{amount} is refunded once it is back; if it reaches you anyway, you will be asked to "
        "send it back.",
    ),
    DefaultRule("case.return_shipped", MERCHANT, INBOX,
        "Return of {case_no} on its way",
        "The shopper sent back the goods of request {case_no} ({note}). Confirm receipt when they "
        "arrive.",
    ),
    DefaultRule("case.return_signed", MERCHANT, INBOX,
        "Return of {case_no} delivered",
        "The return parcel of request {case_no} was signed for. Check the goods and confirm "
        "receipt by {deadline}, or ¥{amount} is refunded automatically.",
    ),
    DefaultRule("case.return_received", SHOPPER, INBOX,
        "Return of request {case_no} received",
        "The merchant received the goods you sent back for request {case_no}.",
    ),
    DefaultRule("case.refunding", SHOPPER, INBOX,
        "Refund of ¥{amount} for {case_no} under way",
        "¥{amount} is on its way back to your original payment method.",
    ),
    DefaultRule("case.refunding", SHOPPER, APP_PUSH,
        "Refund of ¥{amount} for {case_no} under way",
        "¥{amount} is on its way back to your original payment method. {link}",
    ),
    DefaultRule("case.reshipped", SHOPPER, INBOX,
        "Replacement for request {case_no} shipped",
        "The merchant sent your replacement for request {case_no} ({note}). Track it from the "
        "request page.",
    ),
    DefaultRule("case.reshipped", SHOPPER, APP_PUSH,
        "Replacement for request {case_no} shipped",
        "The merchant sent your replacement for request {case_no} ({note}). Track it from the "
        "request page. {link}",
    ),
    DefaultRule("case.offer", SHOPPER, INBOX,
        "New offer on request {case_no}",
        "The merchant offers {note}. Accept or decline it on the request page.",
    ),
    DefaultRule("case.offer", SHOPPER, APP_PUSH,
        "New offer on request {case_no}",
        "The merchant offers {note}. Accept or decline it on the request page. {link}",
    ),
    DefaultRule("case.offer_answered", MERCHANT, INBOX,
        "Offer on {case_no} {offer_status}",
        "The shopper {offer_status} your offer on request {case_no}.",
    ),
    DefaultRule("case.message", SHOPPER, INBOX,
        "New message on request {case_no}",
        "Message on request {case_no}: {note}",
    ),
    DefaultRule("case.message", SHOPPER, APP_PUSH,
        "New message on request {case_no}",
        "Message on request {case_no}: {note} {link}",
    ),
    DefaultRule("case.message", MERCHANT, INBOX,
        "New message on {case_no}",
        "Message on after-sales request {case_no} (sub-order {sub_order_no}): {note}",
    ),
    DefaultRule("case.evidence_requested", SHOPPER, INBOX,
        "Evidence requested on {case_no}",
        "Platform operations asked the {party} for more evidence on request {case_no}: {note}. It "
        "can be added in the request's messages.",
    ),
    DefaultRule("case.evidence_requested", SHOPPER, APP_PUSH,
        "Evidence requested on {case_no}",
        "Platform operations asked the {party} for more evidence on request {case_no}: {note}. It "
        "can be added in the request's messages. {link}",
    ),
    DefaultRule("case.evidence_requested", MERCHANT, INBOX,
        "Evidence requested on {case_no}",
        "Platform operations asked the {party} for more evidence on request {case_no}: {note}. It "
        "can be added in the request's messages.",
    ),
    DefaultRule("case.evidence_expired", OPS, INBOX,
        "No evidence in time on {case_no}",
        "{note}. Request {case_no} ({status_text}) can be decided with what it has.",
    ),
    DefaultRule("case.opened_automatically", MERCHANT, INBOX,
        "{type} {case_no}",
        "After-sales {case_no} ({type}, ¥{amount}) opened automatically on sub-order "
        "{sub_order_no}: {note}. It is approved at once; nothing to answer.",
    ),
    DefaultRule("case.lost_refunding", SHOPPER, INBOX,
        "Your parcel was lost; ¥{amount} is being refunded",
        "The carrier lost the parcel of order {order_no} (sub-order {sub_order_no}). ¥{amount} is "
        "being refunded to your original payment method (request {case_no}); no action is needed.",
    ),
    DefaultRule("case.lost_refunding", SHOPPER, APP_PUSH,
        "Your parcel was lost; ¥{amount} is being refunded",
        "The carrier lost the parcel of order {order_no} (sub-order {sub_order_no}). ¥{amount} is "
        "being refunded to your original payment method (request {case_no}); no action is needed. "
        "{link}",
    ),
    DefaultRule("case.lost_refunding", SHOPPER, SMS,
        "Your parcel was lost; ¥{amount} is being refunded",
        "The carrier lost the parcel of order {order_no} (sub-order {sub_order_no}). ¥{amount} is "
        "being refunded to your original payment method (request {case_no}); no action is needed. "
        "{link}",
    ),
    DefaultRule("case.out_of_stock", SHOPPER, INBOX,
        "{type}: ¥{amount} refunded automatically",
        "Some goods of order {order_no} (sub-order {sub_order_no}) are out of stock: {note}. "
        "¥{amount} is refunded to your original payment method automatically (request {case_no}).",
    ),
    DefaultRule("case.refusal", SHOPPER, INBOX,
        "{type}: ¥{amount} for request {case_no}",
        "You refused the parcel of order {order_no} (sub-order {sub_order_no}). ¥{amount} is "
        "refunded to your original payment method once it is back with the merchant.",
    ),
    DefaultRule("case.exchange_to_refund", SHOPPER, INBOX,
        "Exchange {case_no} becomes a refund",
        "The replacement cannot be sent ({note}), so ¥{amount} is refunded to your original "
        "payment method instead.",
    ),
    DefaultRule("case.exchange_to_refund", SHOPPER, APP_PUSH,
        "Exchange {case_no} becomes a refund",
        "The replacement cannot be sent ({note}), so ¥{amount} is refunded to your original "
        "payment method instead. {link}",
    ),
    DefaultRule("refund.failed", OPS, INBOX,
        "Refund {refund_no} failed",
        "Refund {refund_no} of ¥{amount} for order {order_no} (payment {payment_no}: {reason}) "
        "failed at the gateway and is retried; look into it if it keeps failing.",
    ),
)  # fmt: skip

# The bodies each default had before its present one (seeded by the data migrations 0002 to
# 0010, which still run on a new database): a rule in one of them is as seeded, not edited.
FORMER_BODIES: dict[tuple[str, str, str], tuple[str, ...]] = {
    ("order.paid", SHOPPER, APP_PUSH): (
        "We received your payment for order {order_no}. The merchant is preparing it.",
    ),
    ("order.paid", SHOPPER, SMS): (
        "We received your payment for order {order_no}. The merchant is preparing it.",
    ),
    ("order.expired", SHOPPER, APP_PUSH): (
        "Order {order_no} was not paid in time and has been cancelled.",
    ),
    ("suborder.shipped", SHOPPER, APP_PUSH): (
        "Sub-order {sub_order_no} of order {order_no} has shipped.",
    ),
    ("suborder.shipped", SHOPPER, SMS): (
        "Sub-order {sub_order_no} of order {order_no} has shipped.",
    ),
    ("suborder.delivered", SHOPPER, APP_PUSH): (
        "Sub-order {sub_order_no} has been delivered. Please confirm receipt once you have "
        "checked it.",
    ),
    ("suborder.out_of_stock", SHOPPER, INBOX): (
        "Sorry, the merchant cannot ship sub-order {sub_order_no}: it is out of stock. You will "
        "be refunded in full.",
    ),
    ("suborder.out_of_stock", SHOPPER, SMS): (
        "Sorry, the merchant cannot ship sub-order {sub_order_no}: it is out of stock. You will "
        "be refunded in full.",
        "Sorry, some or all of the goods in sub-order {sub_order_no} are out of stock. What "
        "cannot be shipped is refunded to you; the rest ships as usual.",
    ),
    ("payment.succeeded", SHOPPER, SMS): (
        "We received your payment {payment_no} of ¥{amount} for order {order_no}.",
    ),
    ("payment.failed", SHOPPER, INBOX): (
        "Your payment {payment_no} for order {order_no} failed. You can try again from the order "
        "page.",
        "Your payment {payment_no} for order {order_no} did not go through, so the order has been "
        "closed and nothing was charged. To buy these goods, please place a new order.",
    ),
    ("payment.failed", SHOPPER, SMS): (
        "Your payment {payment_no} for order {order_no} failed. You can try again from the order "
        "page.",
        "Your payment {payment_no} for order {order_no} did not go through, so the order has been "
        "closed and nothing was charged. To buy these goods, please place a new order.",
        "Your payment {payment_no} for order {order_no} did not go through, so the order has been "
        "closed and nothing was charged. To buy these goods, please place a new order. {link}",
    ),
    ("refund.succeeded", SHOPPER, SMS): (
        "¥{amount} has been refunded to your original payment method (refund {refund_no}).",
    ),
    ("refund.succeeded", SHOPPER, WECHAT): (
        "¥{amount} has been refunded to your original payment method (refund {refund_no}).",
    ),
    ("refund.failed", SHOPPER, SMS): (
        "Refund {refund_no} could not be completed yet. We are retrying; no action is needed.",
    ),
    ("shipment.tracking", SHOPPER, APP_PUSH): (
        "Your parcel {tracking_no}: {status_text}",
    ),
    ("case.requested", MERCHANT, INBOX): (
        "A shopper opened after-sales request {case_no} on sub-order {sub_order_no}. Please "
        "respond in time, or it is approved automatically.",
    ),
    ("case.requested", MERCHANT, SMS): (
        "A shopper opened after-sales request {case_no} on sub-order {sub_order_no}. Please "
        "respond in time, or it is approved automatically.",
        "A shopper opened after-sales request {case_no} on sub-order {sub_order_no}. Please "
        "respond in time, or it is approved automatically. {link}",
    ),
    ("case.approved", SHOPPER, APP_PUSH): (
        "Your after-sales request {case_no} has been approved.",
    ),
    ("case.rejected", SHOPPER, INBOX): (
        "The merchant rejected request {case_no}. If you disagree, you can appeal to the "
        "platform.",
    ),
    ("case.rejected", SHOPPER, APP_PUSH): (
        "The merchant rejected request {case_no}. If you disagree, you can appeal to the "
        "platform.",
        "The merchant rejected request {case_no}. If you disagree, you can appeal to the "
        "platform. {link}",
    ),
    ("case.refunded", SHOPPER, SMS): (
        "¥{amount} for after-sales request {case_no} has been refunded.",
    ),
    ("order.cod_confirmed", SHOPPER, APP_PUSH): (
        "Your cash-on-delivery order {order_no} is confirmed and the merchant is preparing it. "
        "Please pay ¥{amount} to the courier on delivery.",
    ),
    ("order.cod_confirmed", SHOPPER, SMS): (
        "Your cash-on-delivery order {order_no} is confirmed and the merchant is preparing it. "
        "Please pay ¥{amount} to the courier on delivery.",
    ),
    ("payment.orphaned", SHOPPER, SMS): (
        "Your payment {payment_no} of ¥{amount} arrived after order {order_no} was closed or "
        "already paid, so it cannot be used. The full ¥{amount} is being refunded to your "
        "original payment method; no action is needed.",
    ),
}  # fmt: skip
