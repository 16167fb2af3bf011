"""Beat tasks of the catalogue."""

import logging

from celery import shared_task
from django.utils import timezone

from catalog.models import FlashSale
from catalog.services import flash_gate

logger = logging.getLogger(__name__)


@shared_task(soft_time_limit=20, time_limit=30, ignore_result=True)
def reconcile_flash_gates() -> dict:
    """Compare the admission counter of every running flash sale's SKU with its sellable stock
    in the database and set the counter to the database's figure where they differ (an attempt
    that died between gate and commit, a Redis restart from an old snapshot). The database is
    the truth; a counter is only ever a hint."""
    now = timezone.now()
    sku_ids = set(
        FlashSale.objects.filter(is_active=True, starts_at__lte=now, ends_at__gt=now).values_list(
            "sku_id", flat=True
        )
    )
    repaired = 0
    for sku_id in sorted(sku_ids):
        try:
            counter = flash_gate.gate_read(sku_id=sku_id)
            sellable = flash_gate.sellable_in_database(sku_id)
            if counter != sellable:
                flash_gate.gate_rebuild(sku_id=sku_id, only_if_missing=False)
                repaired += 1
                logger.info(
                    "Flash-sale gate of SKU %s was %s, database says %s: repaired",
                    sku_id,
                    counter,
                    sellable,
                )
        except flash_gate.GateUnavailable:
            logger.warning("Flash-sale gates not reconciled: Redis unavailable")
            break
    return {"checked": len(sku_ids), "repaired": repaired}
