"""Receivers the catalogue connects at start-up (see CatalogConfig.ready)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from catalog.models import FlashSale
from catalog.services import flash_gate, flash_sales


@receiver(post_save, sender=FlashSale, dispatch_uid="catalog_flash_sale_saved")
@receiver(post_delete, sender=FlashSale, dispatch_uid="catalog_flash_sale_deleted")
def forget_flash_sale_copies(sender, instance, **kwargs):
    """A sale created, edited or removed: this process reads the running sales and their
    pricing again at once, and the SKU's admission counter is rebuilt from the database after
    commit (other processes follow within flash_sales.RUNNING_CACHE_SECONDS)."""
    flash_sales.flash_sales_forget()
    sku_id = instance.sku_id
    transaction.on_commit(lambda: flash_gate.gate_forget(sku_id=sku_id))
