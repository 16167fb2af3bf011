"""Carriers' tracking pushes: verified, stored once per event (TrackingEvent) and applied. A
parcel only moves forward (a late "in transit" never undoes "signed for"); what its end means
for the sub-order is parcel_outcomes'. Couriers act as the system."""

import logging
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from catalog.actors import Actor
from orders.models import SubOrder
from shop import events as nodes
from shop.errors import NotFound

from ..carriers import Acknowledgement, InvalidPush, ParsedEvent, get_adapter
from ..events import emit_shipment
from ..lock_objects import lock_tracked_parcel
from ..models import Carrier, Shipment, ShipmentEvent, TrackingEvent
from .parcel_outcomes import (
    parcel_delivered,
    parcel_lost,
    parcel_refused,
    returned_to_sender,
    side_parcel_outcome,
)
from .parcel_state import shipment_transition

logger = logging.getLogger(__name__)

_ON_THE_WAY = (
    TrackingEvent.Status.COLLECTED,
    TrackingEvent.Status.IN_TRANSIT,
    TrackingEvent.Status.OUT_FOR_DELIVERY,
)


@dataclass
class TrackingResult:
    stored: int = 0
    duplicates: int = 0
    unknown: int = 0


def shipment_record_tracking_started(*, shipment_id: int) -> None:
    """The carrier now pushes this parcel's events; the tracking sweep leaves it alone. No
    actor and no history row: the parcel's state is the same, only the sweep's bookkeeping
    changes."""
    Shipment.objects.filter(pk=shipment_id, tracking_started_at__isnull=True).update(
        tracking_started_at=timezone.now()
    )


def _shipment_finder(*, carriers: list[Carrier], events: list[ParsedEvent]):
    """One query for every parcel a push names (a push often repeats one tracking number for
    each of its events); returns event -> Shipment | None."""
    wanted = {event.tracking_no.upper() for event in events}
    known = list(
        Shipment.objects.filter(carrier__in=carriers, tracking_no__in=wanted).order_by("pk")
    )

    def find(event: ParsedEvent) -> Shipment | None:
        candidates = carriers
        if event.aggregator_code:
            candidates = [
                c for c in carriers if c.aggregator_code == event.aggregator_code
            ] or carriers
        carrier_ids = {c.pk for c in candidates}
        tracking_no = event.tracking_no.upper()
        return next(
            (s for s in known if s.tracking_no == tracking_no and s.carrier_id in carrier_ids),
            None,
        )

    return find


def _apply_event(
    *, shipment: Shipment, sub_order: SubOrder, event: TrackingEvent, actor: Actor
) -> None:
    """Move the parcel (and through parcel_outcomes the sub-order) on a new event. Return and
    replacement parcels move on their own and never move the sub-order."""
    status = event.status
    if status in _ON_THE_WAY:
        if can_proceed(shipment.move):
            shipment_transition(shipment=shipment, actor=actor, what=ShipmentEvent.What.MOVE)
        return
    if not shipment.is_outbound:
        side_parcel_outcome(
            shipment=shipment,
            actor=actor,
            sub_order=sub_order,
            status=status,
            note=event.description,
            at=event.occurred_at,
        )
        return
    if status == TrackingEvent.Status.SIGNED and can_proceed(shipment.deliver):
        parcel_delivered(shipment=shipment, sub_order=sub_order, actor=actor, at=event.occurred_at)
    elif status == TrackingEvent.Status.REFUSED and can_proceed(shipment.refuse):
        parcel_refused(
            shipment=shipment,
            sub_order=sub_order,
            actor=actor,
            note=event.description or "Refused by the recipient",
            at=event.occurred_at,
        )
    elif status == TrackingEvent.Status.LOST and can_proceed(shipment.lose):
        parcel_lost(
            shipment=shipment,
            sub_order=sub_order,
            actor=actor,
            note=event.description or "Reported lost by the carrier",
            at=event.occurred_at,
        )
    elif status == TrackingEvent.Status.RETURNED:
        returned_to_sender(
            shipment=shipment,
            sub_order=sub_order,
            actor=actor,
            note=event.description,
            at=event.occurred_at,
        )


@transaction.atomic
def tracking_event_record(
    *, carrier_code: str, events: list[ParsedEvent], actor: Actor
) -> TrackingResult:
    """Store a carrier's events (de-duplicated, any order) and apply what they mean.

    `carrier_code` is a Carrier.code, or an adapter key (an aggregator pushes for every
    carrier it serves). Events for parcels we do not know are counted and ignored. The
    courier's word: `actor` is SYSTEM.
    """
    carriers = list(Carrier.objects.filter(code__iexact=carrier_code))
    if not carriers:
        carriers = list(Carrier.objects.filter(adapter=carrier_code))
    result = TrackingResult()
    by_shipment: dict[int, list[ParsedEvent]] = defaultdict(list)
    shipments: dict[int, Shipment] = {}
    find_shipment = _shipment_finder(carriers=carriers, events=events)
    for event in events:
        shipment = find_shipment(event)
        if shipment is None:
            result.unknown += 1
            logger.info("tracking push for unknown parcel %s ignored", event.tracking_no)
            continue
        shipments[shipment.pk] = shipment
        by_shipment[shipment.pk].append(event)
    for shipment_id in sorted(by_shipment):
        sub_order, shipment = lock_tracked_parcel(
            sub_order_id=shipments[shipment_id].sub_order_id, shipment_id=shipment_id
        )
        parsed_events = sorted(by_shipment[shipment_id], key=lambda e: e.occurred_at)
        # Carriers re-send a parcel's whole history with each push: the events already stored
        # are read in one query (the parcel's lock keeps another push from adding any
        # meanwhile), not one get_or_create per event.
        seen = set(
            TrackingEvent.objects.filter(
                shipment=shipment, dedupe_key__in={p.dedupe_key for p in parsed_events}
            ).values_list("dedupe_key", flat=True)
        )
        new_events = []
        for parsed in parsed_events:
            if parsed.dedupe_key in seen:
                result.duplicates += 1
                continue
            seen.add(parsed.dedupe_key)
            new_events.append(
                TrackingEvent.objects.create(
                    shipment=shipment,
                    dedupe_key=parsed.dedupe_key,
                    status=parsed.status,
                    carrier_status=parsed.carrier_status[:32],
                    description=parsed.description or parsed.status,
                    location=parsed.location,
                    occurred_at=parsed.occurred_at,
                )
            )
            result.stored += 1
        for stored in new_events:
            _apply_event(shipment=shipment, sub_order=sub_order, event=stored, actor=actor)
        if new_events:
            latest = max(new_events, key=lambda e: (e.occurred_at, e.pk))
            emit_shipment(
                nodes.SHIPMENT_TRACKING,
                shipment=shipment,
                sub_order=sub_order,
                extra={
                    "event_id": latest.pk,
                    "event": latest.status,
                    "status_text": latest.description,
                    "location": latest.location,
                },
            )
    return result


def tracking_push_receive(
    *, adapter_key: str, body: bytes, headers, actor: Actor
) -> Acknowledgement:
    """A carrier's webhook: verify, store, answer in the carrier's own format. A bad signature
    answers 403, a malformed body 400; nothing is stored then."""
    try:
        adapter = get_adapter(adapter_key)
    except LookupError:
        raise NotFound("Unknown carrier.") from None
    try:
        events = adapter.verify_and_parse(body=body, headers=headers)
    except InvalidPush as error:
        logger.warning("tracking push from %s refused: %s", adapter_key, error.detail)
        return adapter.acknowledge(
            ok=False, detail=error.detail, status=403 if error.forbidden else 400
        )
    tracking_event_record(carrier_code=adapter_key, events=events, actor=actor)
    return adapter.acknowledge(ok=True)
