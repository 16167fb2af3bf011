"""Fulfilment in the admin, one module per page: the queue of sub-orders awaiting shipment
with its pick list and pack-and-ship page (fulfilment_queue), parcels with their tracking,
history and bulk ship from a file (shipments), shortages at picking (shortages) and carriers
(carriers, operations only). Shortages at picking and lost parcels are after-sales cases (its
admin refunds them); the queue links to its out-of-stock page once that exists.

Every page is scoped with catalog.admin_scope: a merchant's staff see and act on their own
merchant's sub-orders only (another merchant's is "not found"). Every action calls
logistics.services as `actor_for(request.user)`; nothing here writes a model.
"""

from . import carriers, fulfilment_queue, shipments, shortages

__all__ = ["carriers", "fulfilment_queue", "shipments", "shortages"]
