"""Splitting what a sub-order ships into parcels within a carrier's weight and volume limits:
plain arithmetic on units, no database (packing in logistics.services.packing stores the plan).
"""

from collections import defaultdict
from dataclasses import dataclass, field


@dataclass
class PlannedParcel:
    weight: int = 0
    volume: int = 0
    units: dict = field(default_factory=lambda: defaultdict(int))  # order line id -> quantity


def plan_parcels(
    *, units: list[tuple[int, int, int, int]], max_weight: int, max_volume: int
) -> list[PlannedParcel]:
    """First-fit decreasing over single units [(line id, quantity, weight, volume)].

    The heaviest (then bulkiest) unit goes first into the first parcel that still has room for
    both its weight and its volume; a unit over the limit on its own ships alone.
    """
    flat = []
    for line_id, quantity, weight, volume in units:
        flat += [(weight, volume, line_id)] * quantity
    flat.sort(key=lambda unit: (-unit[0], -unit[1], unit[2]))
    parcels: list[PlannedParcel] = []
    for weight, volume, line_id in flat:
        target = None
        if weight <= max_weight and volume <= max_volume:
            for parcel in parcels:
                if parcel.weight + weight <= max_weight and parcel.volume + volume <= max_volume:
                    target = parcel
                    break
        if target is None:
            target = PlannedParcel()
            parcels.append(target)
        target.weight += weight
        target.volume += volume
        target.units[line_id] += 1
    return parcels


def units_to_ship(line) -> int:
    """Units of an order line still to ship: refunded units (shortages, refunds before
    shipment) stay behind."""
    return line.quantity - line.refunded_quantity
