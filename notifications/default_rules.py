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

Every default is worded twice: in English (the table) and in Simplified Chinese (`CHINESE`, by
node and target, or by node, target and channel where the channels differ in more than the
`{link}` a push or SMS ends with, which `DefaultRule.body_zh_hans` adds). A recipient reads
the language of their account (`CustomerProfile.language`).
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

    def _chinese(self) -> tuple[str, str]:
        return CHINESE.get(self.key) or CHINESE.get((self.node, self.target)) or ("", "")

    @property
    def title_zh_hans(self) -> str:
        return self._chinese()[0]

    @property
    def body_zh_hans(self) -> str:
        body = self._chinese()[1]
        if body and self.body.endswith("{link}") and not body.endswith("{link}"):
            return f"{body} {{link}}"
        return body


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


# The defaults in Simplified Chinese: (title, body) by (node, target), or by (node, target,
# channel) where that channel's English says something else. Bodies of the channels whose
# English ends with {link} get it appended (DefaultRule.body_zh_hans).
CHINESE: dict[tuple[str, ...], tuple[str, str]] = {
    ("order.created", SHOPPER): (
        "订单 {order_no} 已提交",
        "您的订单 {order_no} 已提交，请尽快付款，超时未付款订单将自动取消。",
    ),
    ("order.paid", SHOPPER): (
        "订单 {order_no} 已付款",
        "我们已收到您订单 {order_no} 的付款，商家正在备货。",
    ),
    ("order.cancelled", SHOPPER): (
        "订单 {order_no} 已取消",
        "您的订单 {order_no} 已取消，占用的库存已释放。",
    ),
    ("order.expired", SHOPPER): (
        "订单 {order_no} 已关闭：超时未付款",
        "订单 {order_no} 未在规定时间内付款，已自动取消。",
    ),
    ("order.payment_failed", SHOPPER): (
        "订单 {order_no} 付款失败",
        "订单 {order_no} 的付款未成功，订单已关闭。",
    ),
    ("suborder.created", MERCHANT): (
        "新的已付款订单 {sub_order_no}",
        "订单 {order_no} 的子订单 {sub_order_no} 已付款，等待发货。",
    ),
    ("suborder.created", WAREHOUSE): (
        "拣货单：{sub_order_no}",
        "订单 {order_no} 的子订单 {sub_order_no} 等待拣货、打包和发货。",
    ),
    ("suborder.shipped", SHOPPER): (
        "您的包裹 {sub_order_no} 已发出",
        "订单 {order_no} 的子订单 {sub_order_no} 已发货。",
    ),
    ("suborder.delivered", SHOPPER): (
        "包裹 {sub_order_no} 已送达",
        "子订单 {sub_order_no} 已送达，请检查商品后确认收货。",
    ),
    ("suborder.received", MERCHANT): (
        "已确认收货：{sub_order_no}",
        "买家已确认收到子订单 {sub_order_no}。",
    ),
    ("suborder.completed", SHOPPER): (
        "订单 {sub_order_no} 已完成",
        "子订单 {sub_order_no} 已完成。感谢您的惠顾，欢迎评价，帮助其他买家选购。",
    ),
    ("suborder.closed", SHOPPER): (
        "子订单 {sub_order_no} 已关闭",
        "订单 {order_no} 的子订单 {sub_order_no} 已关闭。",
    ),
    ("suborder.closed", MERCHANT): (
        "子订单 {sub_order_no} 已关闭",
        "子订单 {sub_order_no} 已关闭。",
    ),
    ("suborder.out_of_stock", SHOPPER): (
        "缺货：{sub_order_no}",
        "抱歉，子订单 {sub_order_no} 中的部分或全部商品缺货。无法发货的部分将退款给您，"
        "其余商品照常发货。",
    ),
    ("suborder.refused", SHOPPER): (
        "包裹 {sub_order_no} 已拒收",
        "您拒收了包裹 {sub_order_no}。包裹退回商家后，将为您办理退款。",
    ),
    ("suborder.refused", MERCHANT): (
        "包裹被拒收：{sub_order_no}",
        "买家拒收了子订单 {sub_order_no}，包裹正在退回仓库。",
    ),
    ("payment.succeeded", SHOPPER): (
        "付款 {payment_no} 已到账",
        "我们已收到您为订单 {order_no} 支付的款项 {payment_no}，金额 ¥{amount}。",
    ),
    ("payment.failed", SHOPPER): (
        "付款 {payment_no} 失败",
        "您为订单 {order_no} 发起的付款 {payment_no} 未成功，未扣任何款项。订单保留至付款截止时间："
        "您可以在订单页面重新付款或更换支付方式。",
    ),
    ("refund.succeeded", SHOPPER): (
        "退款 {refund_no} 已完成",
        "¥{amount} 已原路退回您的支付账户（退款单 {refund_no}）。",
    ),
    ("refund.failed", SHOPPER): (
        "退款 {refund_no} 延迟",
        "退款 {refund_no} 暂未完成，我们正在重试，您无需任何操作。",
    ),
    ("refund.failed", OPS): (
        "退款 {refund_no} 失败",
        "订单 {order_no} 的退款 {refund_no}（¥{amount}，付款 {payment_no}：{reason}）在支付网关"
        "处失败，系统正在重试；如持续失败请跟进处理。",
    ),
    ("shipment.shipped", SHOPPER): (
        "包裹已交给{carrier}",
        "子订单 {sub_order_no} 的一个包裹已交给{carrier}，运单号 {tracking_no}。",
    ),
    ("shipment.tracking", SHOPPER): (
        "运单 {tracking_no}：{status_text}",
        "您的包裹 {tracking_no}：{status_text}",
    ),
    ("case.requested", SHOPPER): (
        "售后申请 {case_no} 已提交",
        "我们已将您的申请 {case_no} 转交商家处理。",
    ),
    ("case.requested", MERCHANT): (
        "新的售后申请 {case_no}",
        "买家对子订单 {sub_order_no} 发起了售后申请 {case_no}（{type}，¥{amount}）。请在 "
        "{deadline} 前处理，逾期将自动同意。",
    ),
    ("case.requested", MERCHANT, SMS): (
        "新的售后申请 {case_no}",
        "新的售后申请 {case_no}：请在 {deadline} 前处理，逾期将自动同意。",
    ),
    ("case.approved", SHOPPER): (
        "售后申请 {case_no} 已通过",
        "您的售后申请 {case_no} 已通过。",
    ),
    ("case.approved", MERCHANT): (
        "售后 {case_no} 已同意",
        "售后申请 {case_no} 已同意。",
    ),
    ("case.rejected", SHOPPER): (
        "售后申请 {case_no} 被拒绝",
        "商家拒绝了申请 {case_no}：{note}。如有异议，您可以在 {deadline} 前向平台申诉。",
    ),
    ("case.rejected", MERCHANT): (
        "售后 {case_no} 已拒绝",
        "售后申请 {case_no} 已被拒绝。",
    ),
    ("case.appealed", SHOPPER): (
        "申诉 {case_no} 已受理",
        "平台正在审核您对申请 {case_no} 的申诉。",
    ),
    ("case.appealed", MERCHANT): (
        "{case_no} 收到申诉",
        "买家对申请 {case_no} 提出了申诉，将由平台运营裁决。",
    ),
    ("case.appealed", OPS): (
        "待裁决的申诉：{case_no}",
        "买家对商家拒绝申请 {case_no}（{type}，¥{amount}，子订单 {sub_order_no}）提出申诉：{note}",
    ),
    ("case.closed", SHOPPER): (
        "售后 {case_no} 已关闭",
        "售后申请 {case_no} 已关闭。",
    ),
    ("case.closed", MERCHANT): (
        "售后 {case_no} 已关闭",
        "售后申请 {case_no} 已关闭。",
    ),
    ("case.refunded", SHOPPER): (
        "售后 {case_no} 已退款",
        "售后申请 {case_no} 的 ¥{amount} 已退款。",
    ),
    ("case.refunded", MERCHANT): (
        "售后 {case_no} 已退款",
        "售后申请 {case_no} 已退款。",
    ),
    ("case.cancelled", SHOPPER): (
        "售后 {case_no} 已撤销",
        "您已撤销售后申请 {case_no}。",
    ),
    ("case.cancelled", MERCHANT): (
        "售后 {case_no} 已撤销",
        "买家已撤销售后申请 {case_no}。",
    ),
    ("order.cod_confirmed", SHOPPER): (
        "订单 {order_no} 已确认：货到付款",
        "您的货到付款订单 {order_no} 已确认，商家正在备货。请在收货时向快递员支付 ¥{amount}。",
    ),
    ("payment.orphaned", SHOPPER): (
        "付款 {payment_no} 正在退款",
        "您的付款 {payment_no}（¥{amount}）到账时订单 {order_no} 已关闭或已付款，无法使用。"
        "全部 ¥{amount} 正在原路退回您的支付账户，您无需任何操作。",
    ),
    ("case.awaiting_return", SHOPPER): (
        "请寄回申请 {case_no} 的商品",
        "请在 {deadline} 前将商品寄回申请页面所示的退货地址，并在该页面填写运单号。",
    ),
    ("case.intercepting", SHOPPER): (
        "申请 {case_no} 的包裹正在召回",
        "商家已要求快递公司退回子订单 {sub_order_no} 的包裹。包裹退回后将退款 ¥{amount}；"
        "如果包裹仍送到了您手中，届时会请您寄回。",
    ),
    ("case.return_shipped", MERCHANT): (
        "{case_no} 的退货已寄出",
        "买家已寄回申请 {case_no} 的商品（{note}）。收到后请确认收货。",
    ),
    ("case.return_signed", MERCHANT): (
        "{case_no} 的退货已签收",
        "申请 {case_no} 的退货包裹已签收。请检查商品并在 {deadline} 前确认收货，逾期将自动退款 "
        "¥{amount}。",
    ),
    ("case.return_received", SHOPPER): (
        "申请 {case_no} 的退货已收到",
        "商家已收到您为申请 {case_no} 寄回的商品。",
    ),
    ("case.refunding", SHOPPER): (
        "{case_no} 的 ¥{amount} 退款处理中",
        "¥{amount} 正在原路退回您的支付账户。",
    ),
    ("case.reshipped", SHOPPER): (
        "申请 {case_no} 的换货已发出",
        "商家已寄出申请 {case_no} 的换货（{note}），您可以在申请页面查看物流。",
    ),
    ("case.offer", SHOPPER): (
        "申请 {case_no} 有新的方案",
        "商家提出：{note}。请在申请页面接受或拒绝。",
    ),
    ("case.offer_answered", MERCHANT): (
        "{case_no} 的方案已{offer_status}",
        "买家{offer_status}了您对申请 {case_no} 提出的方案。",
    ),
    ("case.message", SHOPPER): (
        "申请 {case_no} 有新消息",
        "申请 {case_no} 的消息：{note}",
    ),
    ("case.message", MERCHANT): (
        "{case_no} 有新消息",
        "售后申请 {case_no}（子订单 {sub_order_no}）的消息：{note}",
    ),
    ("case.evidence_requested", SHOPPER): (
        "{case_no} 需要补充凭证",
        "平台运营请{party}为申请 {case_no} 补充凭证：{note}。可在申请的消息中补充。",
    ),
    ("case.evidence_requested", MERCHANT): (
        "{case_no} 需要补充凭证",
        "平台运营请{party}为申请 {case_no} 补充凭证：{note}。可在申请的消息中补充。",
    ),
    ("case.evidence_expired", OPS): (
        "{case_no} 未按时提交凭证",
        "{note}。申请 {case_no}（{status_text}）可以根据现有材料裁决。",
    ),
    ("case.opened_automatically", MERCHANT): (
        "{type} {case_no}",
        "子订单 {sub_order_no} 自动生成了售后 {case_no}（{type}，¥{amount}）：{note}。"
        "该申请已自动同意，无需处理。",
    ),
    ("case.lost_refunding", SHOPPER): (
        "您的包裹丢失了，¥{amount} 正在退款",
        "快递公司丢失了订单 {order_no}（子订单 {sub_order_no}）的包裹。¥{amount} 正在原路退回您的"
        "支付账户（申请 {case_no}），您无需任何操作。",
    ),
    ("case.out_of_stock", SHOPPER): (
        "{type}：已自动退款 ¥{amount}",
        "订单 {order_no}（子订单 {sub_order_no}）的部分商品缺货：{note}。¥{amount} 已自动原路退回"
        "您的支付账户（申请 {case_no}）。",
    ),
    ("case.refusal", SHOPPER): (
        "{type}：申请 {case_no} 的 ¥{amount}",
        "您拒收了订单 {order_no}（子订单 {sub_order_no}）的包裹。包裹退回商家后，¥{amount} 将原路"
        "退回您的支付账户。",
    ),
    ("case.exchange_to_refund", SHOPPER): (
        "换货 {case_no} 改为退款",
        "换货无法寄出（{note}），因此改为将 ¥{amount} 原路退回您的支付账户。",
    ),
}  # fmt: skip
