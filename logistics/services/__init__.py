"""The only code that changes logistics, one module per use case:

- packing: split a sub-order into parcels, move units between them, unpack
- shipping: hand a parcel (or a sub-order's next parcel) to a carrier
- bulk_ship: ship many parcels from an import, all or nothing
- tracking: carriers' pushes stored and applied
- parcel_outcomes: what a parcel signed for, refused, lost or back with the sender does to its
  sub-order (delivered once nothing is on its way and something arrived; closed only when
  nothing arrived; a lost parcel holds the automatic receipt until after-sales settles it)
- parcel_desk: what staff record by hand: a parcel back in the warehouse, an intercept, a lost
  parcel settled, cash on delivery collected
- cash_on_delivery: what a cash-on-delivery sub-order still owes as its parcels end
- shortages: units not found at picking
- side_parcels: after-sales' return and replacement parcels
- parcel_state: every parcel transition and its history row (ShipmentEvent)

Only outbound parcels move the sub-order: a shopper's return parcel and an exchange's
replacement parcel are tracked but never do. Logistics reports parcel outcomes as domain events
(logistics.events); after-sales decides and has payments refund; logistics imports neither.
Locks go through logistics.lock_objects (composed with orders.lock_objects). Every service that
writes takes the acting `actor: Actor`; couriers' pushes act as SYSTEM.

This package's public surface is what it imports below: other apps and logistics' own edges
(admin, API, tasks) call `logistics.services.<name>`; the modules are the package's own layout.
"""

from .bulk_ship import BulkShipReport, BulkShipRow, shipments_bulk_ship
from .packing import shipment_adjust, shipment_pack, sub_order_unpack
from .parcel_desk import (
    shipment_cod_collect,
    shipment_intercept,
    shipment_lost_settled,
    shipment_return_received,
)
from .shipping import shipment_ship, sub_order_ship_next_parcel
from .shortages import line_record_shortage, line_shortage_check
from .side_parcels import replacement_shipment_ship, return_shipment_register
from .tracking import (
    TrackingResult,
    shipment_record_tracking_started,
    tracking_event_record,
    tracking_push_receive,
)

__all__ = [
    "BulkShipReport",
    "BulkShipRow",
    "TrackingResult",
    "line_record_shortage",
    "line_shortage_check",
    "replacement_shipment_ship",
    "return_shipment_register",
    "shipment_adjust",
    "shipment_cod_collect",
    "shipment_intercept",
    "shipment_lost_settled",
    "shipment_pack",
    "shipment_record_tracking_started",
    "shipment_return_received",
    "shipment_ship",
    "shipments_bulk_ship",
    "sub_order_ship_next_parcel",
    "sub_order_unpack",
    "tracking_event_record",
    "tracking_push_receive",
]
