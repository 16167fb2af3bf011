"""The push nodes: every domain event node of shop.events, with a label ops read in the admin."""

from django.utils.translation import gettext_lazy

from shop import events

# order.paid of a cash-on-delivery order: confirmed, nothing paid yet.
ORDER_COD_CONFIRMED = "order.cod_confirmed"
# payment.succeeded of money that arrived for an order that can no longer take it (cancelled,
# expired, failed, or paid by another payment): payments refunds it in full at once.
PAYMENT_ORPHANED = "payment.orphaned"

CASE_RETURN_SHIPPED = events.CASE_RETURN_SHIPPED
CASE_RETURN_SIGNED = events.CASE_RETURN_SIGNED
CASE_EVIDENCE_EXPIRED = events.CASE_EVIDENCE_EXPIRED
# A case that opened by itself (lost or refused parcel, out of stock): case.requested of such a
# case is not "your request was submitted" (nobody asked) nor "answer by ..." (it is approved
# at once); it tells the merchant what happened.
CASE_OPENED_AUTOMATICALLY = "case.opened_automatically"
# case.approved of those cases: what the shopper reads depends on why the case opened.
CASE_LOST_REFUNDING = "case.lost_refunding"
CASE_OUT_OF_STOCK = "case.out_of_stock"
CASE_REFUSAL = "case.refusal"
# case.refunding of a lost-parcel or out-of-stock case starts in the same transaction as the
# approval that already told the shopper "being refunded": no label, so no rule speaks for it
# (the merchant's webhook still hears of case.refunding).
CASE_REFUNDING_TOLD_ALREADY = "case.refunding_told_already"
# An exchange that cannot be carried out becomes a refund.
CASE_EXCHANGE_TO_REFUND = events.CASE_EXCHANGE_TO_REFUND

NODE_LABELS: dict[str, str] = {
    events.ORDER_CREATED: gettext_lazy("Order created"),
    events.ORDER_PAID: gettext_lazy("Order paid"),
    events.ORDER_CANCELLED: gettext_lazy("Order cancelled"),
    events.ORDER_EXPIRED: gettext_lazy("Order expired (unpaid)"),
    events.ORDER_PAYMENT_FAILED: gettext_lazy("Order payment failed"),
    events.SUBORDER_CREATED: gettext_lazy("Sub-order created (to fulfil)"),
    events.SUBORDER_SHIPPED: gettext_lazy("Sub-order shipped"),
    events.SUBORDER_DELIVERED: gettext_lazy("Sub-order delivered"),
    events.SUBORDER_RECEIVED: gettext_lazy("Sub-order received"),
    events.SUBORDER_COMPLETED: gettext_lazy("Sub-order completed"),
    events.SUBORDER_CLOSED: gettext_lazy("Sub-order closed"),
    events.SUBORDER_OUT_OF_STOCK: gettext_lazy("Sub-order out of stock"),
    events.SUBORDER_REFUSED: gettext_lazy("Sub-order refused"),
    events.PAYMENT_SUCCEEDED: gettext_lazy("Payment succeeded"),
    events.PAYMENT_FAILED: gettext_lazy("Payment failed"),
    events.REFUND_SUCCEEDED: gettext_lazy("Refund succeeded"),
    events.REFUND_FAILED: gettext_lazy("Refund failed"),
    events.SHIPMENT_SHIPPED: gettext_lazy("Shipment handed to carrier"),
    events.SHIPMENT_TRACKING: gettext_lazy("Shipment tracking update"),
    events.CASE_REQUESTED: gettext_lazy("After-sales requested"),
    events.CASE_APPROVED: gettext_lazy("After-sales approved"),
    events.CASE_REJECTED: gettext_lazy("After-sales rejected"),
    events.CASE_APPEALED: gettext_lazy("After-sales appealed"),
    events.CASE_CLOSED: gettext_lazy("After-sales closed"),
    events.CASE_REFUNDED: gettext_lazy("After-sales refunded"),
    events.CASE_CANCELLED: gettext_lazy("After-sales cancelled"),
    events.CASE_AWAITING_RETURN: gettext_lazy("After-sales: awaiting the return"),
    events.CASE_INTERCEPTING: gettext_lazy("After-sales: intercepting the parcel"),
    events.CASE_RETURN_RECEIVED: gettext_lazy("After-sales: return received"),
    events.CASE_REFUNDING: gettext_lazy("After-sales refunding"),
    events.CASE_RESHIPPED: gettext_lazy("After-sales: replacement shipped"),
    events.CASE_OFFER: gettext_lazy("After-sales offer from the merchant"),
    events.CASE_OFFER_ANSWERED: gettext_lazy("After-sales offer answered"),
    events.CASE_MESSAGE: gettext_lazy("After-sales message"),
    events.CASE_EVIDENCE_REQUESTED: gettext_lazy("After-sales evidence requested"),
    CASE_RETURN_SHIPPED: gettext_lazy("After-sales: return shipped"),
    CASE_RETURN_SIGNED: gettext_lazy("After-sales: return signed for"),
    CASE_EVIDENCE_EXPIRED: gettext_lazy("After-sales evidence not sent in time"),
    # Not domain events of their own: one event says different things to a person depending on
    # its data, so it is pushed under its own node with its own rules (selectors.push_node_for).
    ORDER_COD_CONFIRMED: gettext_lazy("Order confirmed (cash on delivery)"),
    PAYMENT_ORPHANED: gettext_lazy("Payment for a closed order (refunded)"),
    CASE_OPENED_AUTOMATICALLY: gettext_lazy("After-sales opened automatically"),
    CASE_LOST_REFUNDING: gettext_lazy("Lost parcel refunded"),
    CASE_OUT_OF_STOCK: gettext_lazy("Out of stock refunded"),
    CASE_REFUSAL: gettext_lazy("Refused parcel refund"),
    CASE_EXCHANGE_TO_REFUND: gettext_lazy("Exchange turned into a refund"),
}

# What the shopper's notification settings call each kind of message, in their words (the
# labels above are the admin's, for the people who write the rules).
SHOPPER_NODE_LABELS: dict[str, str] = {
    events.ORDER_CREATED: gettext_lazy("Order placed"),
    events.ORDER_PAID: gettext_lazy("Order paid"),
    events.ORDER_CANCELLED: gettext_lazy("Order cancelled"),
    events.ORDER_EXPIRED: gettext_lazy("Order closed, not paid in time"),
    events.ORDER_PAYMENT_FAILED: gettext_lazy("Payment of an order failed"),
    events.SUBORDER_SHIPPED: gettext_lazy("Your parcel is on its way"),
    events.SUBORDER_DELIVERED: gettext_lazy("Your parcel has arrived"),
    events.SUBORDER_RECEIVED: gettext_lazy("You confirmed receipt"),
    events.SUBORDER_COMPLETED: gettext_lazy("Trade completed"),
    events.SUBORDER_CLOSED: gettext_lazy("Part of an order closed"),
    events.SUBORDER_OUT_OF_STOCK: gettext_lazy("An item is out of stock"),
    events.SUBORDER_REFUSED: gettext_lazy("A parcel was refused"),
    events.PAYMENT_SUCCEEDED: gettext_lazy("Payment received"),
    events.PAYMENT_FAILED: gettext_lazy("A payment did not go through"),
    events.REFUND_SUCCEEDED: gettext_lazy("Money refunded"),
    events.REFUND_FAILED: gettext_lazy("A refund is delayed"),
    events.SHIPMENT_SHIPPED: gettext_lazy("A parcel was handed to the courier"),
    events.SHIPMENT_TRACKING: gettext_lazy("Courier updates"),
    ORDER_COD_CONFIRMED: gettext_lazy("Cash-on-delivery order confirmed"),
    PAYMENT_ORPHANED: gettext_lazy("Money returned for a closed order"),
}


# Events other modules listen to, not news for a person: logistics' parcel outcomes (aftersales
# turns them into cases, whose own events speak) and the cash-on-delivery settlement. They have
# no node label (no rule can be made for them) and the receiver drops them before any query.
INTERNAL_NODES = frozenset(
    {
        events.SHIPMENT_REFUSED,
        events.SHIPMENT_LOST,
        events.SHIPMENT_RETURNED,
        events.SHIPMENT_INTERCEPT_FAILED,
        events.SHIPMENT_RETURN_SIGNED,
        events.SUBORDER_COD_SETTLED,
    }
)

NODE_CHOICES = list(NODE_LABELS.items())

# Messages about money: a shopper may silence their SMS / push / WeChat copies, never the inbox one.
MONEY_NODES = frozenset(
    {
        events.ORDER_PAID,
        events.PAYMENT_SUCCEEDED,
        events.REFUND_SUCCEEDED,
        events.REFUND_FAILED,
        events.CASE_REFUNDED,
        events.CASE_REFUNDING,
        PAYMENT_ORPHANED,
        CASE_LOST_REFUNDING,
        CASE_OUT_OF_STOCK,
        CASE_REFUSAL,
        CASE_EXCHANGE_TO_REFUND,
    }
)

# Nodes that can happen more than once for the same subject; without an event_id in the event's
# data their identity is a digest of the data (see services.event_key), so a second occurrence
# is a new message and only a re-emit of the very same data is dropped.
# - shipment.tracking: every carrier update of a parcel.
# - suborder.out_of_stock: each shortage found at picking (its shortage_id differs), and then
#   the close when nothing is left to ship.
# - payment.failed, refund.failed: a refund fails again on every retry with the same data, so
#   the shopper hears "delayed" once per refund, not once per attempt.
# - case.*: a case is approved again after an appeal, messages and offers repeat. aftersales
#   sends the CaseEvent id as event_id, so this only matters for an emitter that does not.
CASE_NODES = frozenset(node for node in NODE_LABELS if node.startswith("case."))
REPEATABLE_NODES = frozenset(
    {
        events.SHIPMENT_TRACKING,
        events.SUBORDER_OUT_OF_STOCK,
        events.PAYMENT_FAILED,
        events.REFUND_FAILED,
    }
    | CASE_NODES
)
