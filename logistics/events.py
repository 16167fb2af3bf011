"""What logistics writes down and tells: a parcel's history rows (ShipmentEvent: who changed its
state, and how) and the domain events other apps and the push rules listen to.

Parcel outcomes (SHIPMENT_REFUSED, SHIPMENT_LOST, SHIPMENT_RETURNED, SHIPMENT_INTERCEPT_FAILED,
SHIPMENT_RETURN_SIGNED) are emitted as the last step of handling them: the receivers run
synchronously and may call back into logistics, orders and payments.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from catalog.actors import Actor
from orders.events import order_path
from orders.models import SubOrder
from shop import events as nodes
from shop.events import DomainEvent, emit
from shop.money import ZERO

from .models import Shipment, ShipmentEvent


@dataclass(frozen=True, kw_only=True)
class ShipmentChanged(DomainEvent):
    """A parcel moved: shipped, tracked, or reached an outcome (refused, lost, returned, the
    interception failed, a return signed for). `occurred_at` is when the carrier says it
    happened (a scan may arrive hours late), for the outcomes after-sales acts on."""

    subject_type: str = "shipment"
    shipment_no: str = ""
    sub_order_no: str = ""
    order_no: str = ""
    tracking_no: str = ""
    direction: str = ""
    status: str = ""
    occurred_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class CodSettled(DomainEvent):
    """Every parcel of a cash-on-delivery sub-order is settled (delivered, refused, returned
    or lost and settled): payments records the cash the courier took. `delivered`: the
    shipment numbers of the parcels whose cash was taken."""

    node: str = nodes.SUBORDER_COD_SETTLED
    subject_type: str = "suborder"
    sub_order_no: str = ""
    delivered: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class UnitsShortAtPicking(DomainEvent):
    """Units of a line were short at picking while the rest of the sub-order still ships;
    `amount` is what the shopper gets back for them."""

    node: str = nodes.SUBORDER_OUT_OF_STOCK
    subject_type: str = "suborder"
    sub_order_no: str = ""
    product: str = ""
    quantity: int = 0
    amount: Decimal = ZERO
    shortage_id: int | None = None


def shipment_event_record(
    *, shipment: Shipment, actor: Actor, what: str, from_state: str, note: str = ""
) -> ShipmentEvent:
    return ShipmentEvent.objects.create(
        shipment=shipment,
        actor=actor.user,
        actor_role=actor.role,
        what=what,
        from_state=from_state,
        to_state=shipment.status,
        note=(note or "")[:255],
    )


def _reached_through(sub_order: SubOrder) -> dict:
    """Whom an event about one of a sub-order's parcels concerns: its shopper, its merchant's
    staff and the warehouse that ships it (the push rules' targets)."""
    return {
        "shopper_id": sub_order.order.user_id,
        "merchant_id": sub_order.merchant_id,
        "warehouse_id": sub_order.warehouse_id,
    }


def emit_shipment(
    node: str, *, shipment: Shipment, sub_order: SubOrder, at=None, extra=None
) -> None:
    order = sub_order.order
    data = {
        "shipment_no": shipment.shipment_no,
        "sub_order_no": sub_order.sub_order_no,
        "order_no": order.order_no,
        "tracking_no": shipment.tracking_no,
        "direction": shipment.direction,
        "carrier": shipment.carrier.name if shipment.carrier_id else "",
        "carrier_code": shipment.carrier.code if shipment.carrier_id else "",
        "status": shipment.status,
        "status_text": shipment.get_status_display(),
        "path": order_path(order),
        "phone": order.phone,  # SMS reaches a shopper whose profile has no number
    }
    if at is not None:
        data["occurred_at"] = at.isoformat()
    data.update(extra or {})
    emit(
        ShipmentChanged(
            node=node,
            subject_id=shipment.pk,
            **_reached_through(sub_order),
            shipment_no=shipment.shipment_no,
            sub_order_no=sub_order.sub_order_no,
            order_no=order.order_no,
            tracking_no=shipment.tracking_no,
            direction=shipment.direction,
            status=shipment.status,
            occurred_at=at,
            data=data,
        )
    )


def emit_outcome(node: str, *, shipment: Shipment, sub_order: SubOrder, at) -> None:
    """A parcel's outcome for after-sales (and push rules), with the carrier's time of it."""
    emit_shipment(node, shipment=shipment, sub_order=sub_order, at=at or timezone.now())


def emit_cod_settled(*, sub_order: SubOrder, delivered: list[str]) -> None:
    """A cash-on-delivery sub-order's cash is settled; payments' receiver records it."""
    order = sub_order.order
    emit(
        CodSettled(
            subject_id=sub_order.pk,
            **_reached_through(sub_order),
            sub_order_no=sub_order.sub_order_no,
            delivered=tuple(delivered),
            data={
                "order_no": order.order_no,
                "sub_order_no": sub_order.sub_order_no,
                "delivered": delivered,
            },
        )
    )


def emit_partial_shortage(*, sub_order: SubOrder, shortage, amount, reason: str) -> None:
    """Units short at picking while the rest of the sub-order still ships: the shopper is told
    (a sub-order closed as out of stock is told by orders.services instead)."""
    order = sub_order.order
    line = shortage.order_line
    emit(
        UnitsShortAtPicking(
            subject_id=sub_order.pk,
            **_reached_through(sub_order),
            sub_order_no=sub_order.sub_order_no,
            product=line.product_title,
            quantity=shortage.quantity,
            amount=amount,
            shortage_id=shortage.pk,
            data={
                "order_no": order.order_no,
                "sub_order_no": sub_order.sub_order_no,
                "phone": order.phone,
                "product": line.product_title,
                "quantity": shortage.quantity,
                "amount": str(amount),
                "reason": reason,
                "status": sub_order.status,
                "shortage_id": shortage.pk,
                "path": order_path(order),
            },
        )
    )
