"""What a carrier accepts: which carriers are in service, the shape of their tracking numbers,
one parcel per tracking number, and the weight and volume a parcel may have. Checks only: they
raise the domain error the services pass on, and write nothing."""

from django.conf import settings

from shop.errors import Conflict, InvalidInput

from . import wording
from .models import Carrier, Shipment


def active_carrier(code: str | None) -> Carrier:
    """The active carrier of that code (the default carrier when none is given)."""
    code = (code or settings.LOGISTICS_DEFAULT_CARRIER).strip()
    carrier = Carrier.objects.filter(code__iexact=code, active=True).first()
    if carrier is None:
        raise InvalidInput(f"Unknown carrier {code!r}.", code="unknown_carrier")
    return carrier


def validated_tracking_no(carrier: Carrier, tracking_no: str) -> str:
    tracking_no = (tracking_no or "").strip().upper()
    if not carrier.tracking_no_is_valid(tracking_no):
        raise InvalidInput(
            wording.tracking_no_invalid(carrier=carrier, tracking_no=tracking_no),
            code="invalid_tracking_no",
        )
    return tracking_no


def tracking_no_taken(tracking_no: str) -> Conflict:
    """The error for a number another parcel has (also raised where the unique constraint, not
    the check, finds it taken: two merchants shipping at once)."""
    return Conflict(wording.tracking_no_taken(tracking_no), code="tracking_no_taken")


def check_tracking_no_free(carrier: Carrier, tracking_no: str, *, exclude_pk=None) -> None:
    taken = Shipment.objects.filter(carrier=carrier, tracking_no=tracking_no)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise tracking_no_taken(tracking_no)


def check_within_limits(shipment: Shipment, carrier: Carrier) -> None:
    """A parcel over the carrier's weight or volume limit is refused at the counter: say so
    before it is handed over (it may have been packed for a bigger carrier, or filled by
    hand)."""
    message = wording.over_carrier_limit(shipment=shipment, carrier=carrier)
    if message:
        raise Conflict(
            message,
            code="over_carrier_limit",
            extra={
                "weight_grams": shipment.weight_grams,
                "volume_cm3": shipment.volume_cm3,
                "max_weight_grams": carrier.max_weight_grams,
                "max_volume_cm3": carrier.max_volume_cm3,
            },
        )
