"""The push nodes: every domain event node of shop.events, with a label ops read in the admin."""

from shop import events

# order.paid of a cash-on-delivery order: confirmed, nothing paid yet.
ORDER_COD_CONFIRMED = "order.cod_confirmed"
# payment.succeeded of money that arrived for an order that can no longer take it (cancelled,
# expired, failed, or paid by another payment): payments refunds it in full at once.
PAYMENT_ORPHANED = "payment.orphaned"

NODE_LABELS: dict[str, str] = {
    events.ORDER_CREATED: "Order created",
    events.ORDER_PAID: "Order paid",
    events.ORDER_CANCELLED: "Order cancelled",
    events.ORDER_EXPIRED: "Order expired (unpaid)",
    events.ORDER_PAYMENT_FAILED: "Order payment failed",
    events.SUBORDER_CREATED: "Sub-order created (to fulfil)",
    events.SUBORDER_SHIPPED: "Sub-order shipped",
    events.SUBORDER_DELIVERED: "Sub-order delivered",
    events.SUBORDER_RECEIVED: "Sub-order received",
    events.SUBORDER_COMPLETED: "Sub-order completed",
    events.SUBORDER_CLOSED: "Sub-order closed",
    events.SUBORDER_OUT_OF_STOCK: "Sub-order out of stock",
    events.SUBORDER_REFUSED: "Sub-order refused",
    events.PAYMENT_SUCCEEDED: "Payment succeeded",
    events.PAYMENT_FAILED: "Payment failed",
    events.REFUND_SUCCEEDED: "Refund succeeded",
    events.REFUND_FAILED: "Refund failed",
    events.SHIPMENT_SHIPPED: "Shipment handed to carrier",
    events.SHIPMENT_TRACKING: "Shipment tracking update",
    events.CASE_REQUESTED: "After-sales requested",
    events.CASE_APPROVED: "After-sales approved",
    events.CASE_REJECTED: "After-sales rejected",
    events.CASE_APPEALED: "After-sales appealed",
    events.CASE_CLOSED: "After-sales closed",
    events.CASE_REFUNDED: "After-sales refunded",
    events.CASE_CANCELLED: "After-sales cancelled",
    # Not domain events of their own: one event says different things to a person depending on
    # its data, so it is pushed under its own node with its own rules (selectors.push_node_for).
    ORDER_COD_CONFIRMED: "Order confirmed (cash on delivery)",
    PAYMENT_ORPHANED: "Payment for a closed order (refunded)",
}

NODE_CHOICES = list(NODE_LABELS.items())

# Messages about money: a shopper may silence their SMS / push / WeChat copies, never the inbox one.
MONEY_NODES = frozenset(
    {
        events.ORDER_PAID,
        events.PAYMENT_SUCCEEDED,
        events.REFUND_SUCCEEDED,
        events.REFUND_FAILED,
        events.CASE_REFUNDED,
        PAYMENT_ORPHANED,
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
REPEATABLE_NODES = frozenset(
    {
        events.SHIPMENT_TRACKING,
        events.SUBORDER_OUT_OF_STOCK,
        events.PAYMENT_FAILED,
        events.REFUND_FAILED,
    }
)
