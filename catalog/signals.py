"""Receivers the catalogue connects at start-up (see CatalogConfig.ready)."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from catalog.models import (
    SKU,
    AttributeValue,
    Brand,
    Category,
    FlashSale,
    Merchant,
    Product,
)
from catalog.services import flash_gate, flash_sales
from catalog.services.catalogue_version import catalogue_version_bump


@receiver(post_save, sender=FlashSale, dispatch_uid="catalog_flash_sale_saved")
@receiver(post_delete, sender=FlashSale, dispatch_uid="catalog_flash_sale_deleted")
def forget_flash_sale_copies(sender, instance, **kwargs):
    """A sale created, edited or removed: this process reads the running sales and their
    pricing again at once, and the SKU's admission counter is rebuilt from the database after
    commit (other processes follow within flash_sales.RUNNING_CACHE_SECONDS)."""
    flash_sales.flash_sales_forget()
    sku_id = instance.sku_id
    transaction.on_commit(lambda: flash_gate.gate_forget(sku_id=sku_id))


def catalogue_changed(sender, **kwargs):
    """What a listing shows was edited (admin, import, API): cached facets are not read again
    (catalog.services.catalogue_version). Queryset updates send no signal: the services that
    make them bump the version themselves."""
    if kwargs.get("action", "post_").startswith("pre_"):
        return  # m2m_changed: once, after the change
    catalogue_version_bump()


for model in (Product, SKU, Brand, AttributeValue, Category, Merchant):
    post_save.connect(
        catalogue_changed, sender=model, dispatch_uid=f"catalog_{model.__name__}_saved"
    )
    post_delete.connect(
        catalogue_changed, sender=model, dispatch_uid=f"catalog_{model.__name__}_deleted"
    )
m2m_changed.connect(
    catalogue_changed,
    sender=SKU.attribute_values.through,
    dispatch_uid="catalog_sku_attribute_values_changed",
)
