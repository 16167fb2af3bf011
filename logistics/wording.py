"""What logistics tells merchant staff and writes on timelines, worded in one place so the
services read as decisions and the sentences can be found (and translated) together."""


def tracking_no_invalid(*, carrier, tracking_no: str) -> str:
    example = f" (e.g. {carrier.tracking_example})" if carrier.tracking_example else ""
    return f"{tracking_no or 'An empty value'} is not a {carrier.name} tracking number{example}."


def tracking_no_taken(tracking_no: str) -> str:
    return f"Tracking number {tracking_no} is already used by another parcel."


def over_carrier_limit(*, shipment, carrier) -> str:
    """'' when the parcel is within the carrier's limits."""
    over = []
    if shipment.weight_grams > carrier.max_weight_grams:
        over.append(
            f"weighs {shipment.weight_grams / 1000:g} kg (limit "
            f"{carrier.max_weight_grams / 1000:g} kg)"
        )
    if shipment.volume_cm3 > carrier.max_volume_cm3:
        over.append(f"measures {shipment.volume_cm3:,} cm³ (limit {carrier.max_volume_cm3:,} cm³)")
    if not over:
        return ""
    return (
        f"Parcel {shipment.shipment_no} {' and '.join(over)}: too big for {carrier.name}. "
        "Choose a carrier that takes it, or move units to another parcel."
    )


def sub_order_shipped_note(shipments) -> str:
    """The sub-order's timeline note when its last parcel ships."""
    return (
        f"{len(shipments)} parcel(s): "
        + ", ".join(f"{s.carrier.name} {s.tracking_no}" for s in shipments)[:200]
    )


def bulk_row_shipped(*, shipment_no: str, given: str, resolved: str) -> str:
    message = f"Parcel {shipment_no} shipped"
    if resolved != given:
        message += f" (sub-order {resolved})"
    return message


def bulk_still_packed(*, total: int, packed: int) -> str:
    return (
        f"{total - packed} of {total} parcels shipped; {packed} still packed: "
        f"add a row for {'it' if packed == 1 else 'each'} (the sub-order ships with "
        "its last parcel)"
    )


def bulk_ambiguous_order(*, number: str, sub_order_nos: list[str]) -> str:
    return (
        f"Order {number} has {len(sub_order_nos)} sub-orders to ship "
        f"({', '.join(sub_order_nos)}): use the sub-order number."
    )


def lost_on_hold(tracking_no: str) -> str:
    return f"Parcel {tracking_no} reported lost: automatic receipt on hold until it is settled"


def lost_settled(tracking_no: str) -> str:
    return f"Parcel {tracking_no} lost: settled through after-sales"[:255]


def refused_at_delivery(tracking_no: str) -> str:
    return f"Parcel {tracking_no} refused at delivery"


def back_in_warehouse(shipment) -> str:
    return f"{shipment.get_status_display()} parcel {shipment.tracking_no} back in the warehouse"


def out_of_stock_at_picking(reason: str) -> str:
    return f"Out of stock at picking: {reason}"
