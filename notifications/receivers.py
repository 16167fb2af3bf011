"""Turns domain events into outbox rows, inside the emitter's transaction."""

import logging

from notifications.nodes import INTERNAL_NODES
from notifications.services.outbox import outbox_schedule_delivery, outbox_write_for_event
from shop.events import DomainEvent

logger = logging.getLogger(__name__)


def on_domain_event(sender, *, event: DomainEvent, **kwargs) -> None:
    if event.node in INTERNAL_NODES:
        return  # news for other modules, not for people: not even a savepoint
    try:
        # outbox_write_for_event is atomic (a savepoint inside the emitter's transaction): a bug
        # in a push rule rolls back only its own rows, never the order's own state change.
        outbox_ids = outbox_write_for_event(event=event)
    except Exception:
        logger.exception("Could not write the pushes of %s %s", event.node, event.subject_id)
        return
    outbox_schedule_delivery(outbox_ids=outbox_ids)
