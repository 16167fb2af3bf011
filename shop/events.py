"""Domain events: how a module tells the rest of the shop that something changed.

A service calls `emit(...)` inside its transaction, right after it writes its event row.
Receivers run synchronously in that same transaction (notifications writes its outbox rows
there, so a push is committed or rolled back together with the state change); anything slow
must be deferred by the receiver with `transaction.on_commit`. Modules that emit never import
the modules that listen.
"""

from dataclasses import dataclass, field

from django.dispatch import Signal

# The node names are the contract between emitters and push rules (notifications.PushRule.node).
ORDER_CREATED = "order.created"
ORDER_PAID = "order.paid"
ORDER_CANCELLED = "order.cancelled"
ORDER_EXPIRED = "order.expired"
ORDER_PAYMENT_FAILED = "order.payment_failed"
SUBORDER_CREATED = "suborder.created"
SUBORDER_SHIPPED = "suborder.shipped"
SUBORDER_DELIVERED = "suborder.delivered"
SUBORDER_RECEIVED = "suborder.received"
SUBORDER_COMPLETED = "suborder.completed"
SUBORDER_CLOSED = "suborder.closed"
SUBORDER_OUT_OF_STOCK = "suborder.out_of_stock"
SUBORDER_REFUSED = "suborder.refused"
SUBORDER_COD_SETTLED = "suborder.cod_settled"  # COD: every parcel settled, record the cash
PAYMENT_SUCCEEDED = "payment.succeeded"
PAYMENT_FAILED = "payment.failed"
REFUND_SUCCEEDED = "refund.succeeded"
REFUND_FAILED = "refund.failed"
SHIPMENT_SHIPPED = "shipment.shipped"
SHIPMENT_TRACKING = "shipment.tracking"
CASE_REQUESTED = "case.requested"
CASE_APPROVED = "case.approved"
CASE_REJECTED = "case.rejected"
CASE_APPEALED = "case.appealed"
CASE_CLOSED = "case.closed"
CASE_REFUNDED = "case.refunded"
CASE_CANCELLED = "case.cancelled"
# A case's node is "case." + the state it entered; these are the states beyond the seven above.
CASE_AWAITING_RETURN = "case.awaiting_return"  # approved: ship the goods back (return address)
CASE_INTERCEPTING = "case.intercepting"  # the merchant is calling the parcel back
CASE_RETURN_RECEIVED = "case.return_received"
CASE_REFUNDING = "case.refunding"
CASE_RESHIPPED = "case.reshipped"  # the exchange's replacement parcel left the warehouse
CASE_RETURN_SHIPPED = "case.return_shipped"  # the shopper handed the return parcel to a carrier
CASE_RETURN_SIGNED = "case.return_signed"  # the return parcel was signed for at the merchant
CASE_EXCHANGE_TO_REFUND = "case.exchange_to_refund"  # an exchange that could not be done
CASE_EVIDENCE_EXPIRED = "case.evidence_expired"  # the side asked for evidence sent none in time
# Changes of a case that are not state changes.
CASE_OFFER = "case.offer"  # the merchant proposed another type or amount
CASE_OFFER_ANSWERED = "case.offer_answered"  # the shopper accepted or declined it
CASE_MESSAGE = "case.message"  # a new message in a case's thread
CASE_EVIDENCE_REQUESTED = "case.evidence_requested"  # ops ask one side for more evidence
# What logistics reports about a parcel's outcome; aftersales listens (logistics never imports it).
SHIPMENT_REFUSED = "shipment.refused"  # refused at the door (an outbound parcel)
SHIPMENT_LOST = "shipment.lost"  # reported lost by the carrier
SHIPMENT_RETURNED = "shipment.returned"  # a refused or intercepted parcel is back with the merchant
SHIPMENT_INTERCEPT_FAILED = "shipment.intercept_failed"  # delivered to the shopper all the same
SHIPMENT_RETURN_SIGNED = "shipment.return_signed"  # a shopper's return parcel signed for

domain_event = Signal()


@dataclass(frozen=True)
class DomainEvent:
    node: str
    subject_type: str  # "order", "suborder", "payment", "refund", "shipment", "case"
    subject_id: int
    shopper_id: int | None = None
    merchant_id: int | None = None
    warehouse_id: int | None = None
    # Template variables: numbers, amounts as strings, tracking numbers, a storefront path.
    data: dict = field(default_factory=dict)


def emit(event: DomainEvent) -> None:
    domain_event.send(sender=DomainEvent, event=event)
