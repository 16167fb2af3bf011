"""Receivers the catalogue connects at start-up (see CatalogConfig.ready)."""

import logging

from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from catalog.models import FlashSale
from catalog.services import flash_gate, flash_sales
from catalog.services.cart import cart_merge_into_user

logger = logging.getLogger(__name__)


@receiver(user_logged_in, dispatch_uid="catalog_cart_merge_at_sign_in")
def merge_session_cart_at_sign_in(sender, request, user, **kwargs):
    """The anonymous cart is in the session's data, which Django keeps (under a new key) when
    it signs the user in; move it into the user's cart. A sign-in never fails over the cart."""
    session = getattr(request, "session", None) if request is not None else None
    if session is None:
        return
    try:
        cart_merge_into_user(user=user, session=session)
    except Exception:
        logger.exception("Could not merge the session cart of user %s at sign-in", user.pk)


@receiver(post_save, sender=FlashSale, dispatch_uid="catalog_flash_sale_saved")
@receiver(post_delete, sender=FlashSale, dispatch_uid="catalog_flash_sale_deleted")
def forget_flash_sale_copies(sender, instance, **kwargs):
    """A sale created, edited or removed: this process reads the running sales and their
    pricing again at once, and the SKU's admission counter is rebuilt from the database after
    commit (other processes follow within flash_sales.RUNNING_CACHE_SECONDS)."""
    flash_sales.flash_sales_forget()
    sku_id = instance.sku_id
    transaction.on_commit(lambda: flash_gate.gate_forget(sku_id=sku_id))
