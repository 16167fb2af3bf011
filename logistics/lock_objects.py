"""Row locks on parcels, composed with orders.lock_objects (the shop's one lock order: the parent
order, then the sub-order, then what hangs below it). A parcel is never locked on its own: its
order and sub-order are locked first, then the parcels of the sub-order by pk, so a tracking
push, a ship and a refund on the same order queue behind each other instead of deadlocking.

Parcels are the merchant's work: shoppers never reach a sub-order through these locks
(`roles=MERCHANT_ONLY`; a shopper's own return parcel is the one exception, see
services.side_parcels); operations and the system reach every one.
"""

from catalog.actors import SYSTEM, Actor, Role
from orders.lock_objects import lock_sub_order
from orders.models import SubOrder
from shop.errors import NotFound

from .models import Shipment

MERCHANT_ONLY = (Role.MERCHANT,)


def lock_shipments(sub_order: SubOrder) -> list[Shipment]:
    """Every parcel of the (already locked) sub-order, all directions, by pk."""
    return list(
        Shipment.objects.select_for_update(of=("self",))
        .filter(sub_order=sub_order)
        .select_related("carrier")
        .order_by("pk")
    )


def outbound(parcels: list[Shipment]) -> list[Shipment]:
    """The sub-order's own parcels: return and replacement parcels never move the sub-order."""
    return [p for p in parcels if p.is_outbound]


def lock_sub_order_and_shipments(
    *, actor: Actor, roles=MERCHANT_ONLY, **lookup
) -> tuple[SubOrder, list[Shipment]]:
    """The sub-order found by `lookup` if the actor reaches it (as a merchant's staff, unless
    `roles` lets a shopper reach their own), then its parcels."""
    sub_order = lock_sub_order(actor=actor, roles=roles, **lookup)
    return sub_order, lock_shipments(sub_order)


def parcel_in(parcels: list[Shipment], shipment_id: int) -> Shipment:
    """The parcel among its sub-order's locked parcels; one removed (re-packed, emptied) between
    looking it up and taking the lock is "not found", not a crash."""
    parcel = next((s for s in parcels if s.pk == shipment_id), None)
    if parcel is None:
        raise NotFound("Parcel not found.")
    return parcel


def sub_order_id_of_parcel(shipment_id: int) -> int:
    sub_order_id = Shipment.objects.filter(pk=shipment_id).values_list("sub_order_id", flat=True)
    if not sub_order_id:
        raise NotFound("Parcel not found.")
    return sub_order_id[0]


def lock_parcel(*, shipment_id: int, actor: Actor) -> tuple[SubOrder, list[Shipment], Shipment]:
    """Lock a parcel's order, sub-order and all its sibling parcels (in that order)."""
    sub_order, parcels = lock_sub_order_and_shipments(
        pk=sub_order_id_of_parcel(shipment_id), actor=actor
    )
    return sub_order, parcels, parcel_in(parcels, shipment_id)


def lock_tracked_parcel(*, sub_order_id: int, shipment_id: int) -> tuple[SubOrder, Shipment]:
    """A carrier's push: the order, the sub-order, then only the parcel the push names (its
    siblings stay free for other pushes), as the system."""
    sub_order = lock_sub_order(pk=sub_order_id, actor=SYSTEM, roles=MERCHANT_ONLY)
    shipment = (
        Shipment.objects.select_for_update(of=("self",))
        .select_related("carrier")
        .get(pk=shipment_id)
    )
    return sub_order, shipment
