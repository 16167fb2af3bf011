"""A merchant's webhook: its signing secret rotated."""

import logging

from django.db import transaction

from catalog.actors import Actor
from notifications.models import MerchantWebhook, new_webhook_secret
from shop.errors import NotFound

logger = logging.getLogger(__name__)


@transaction.atomic
def merchant_webhook_rotate_secret(*, webhook_id: int, actor: Actor) -> MerchantWebhook:
    """A new signing secret for a merchant's webhook (the old one leaked or staff left): the
    merchant's own staff or operations. Rows not yet delivered are signed with the new secret
    when they go out."""
    webhook = MerchantWebhook.objects.select_for_update().filter(pk=webhook_id).first()
    if webhook is None or not actor.reaches_merchant(webhook.merchant_id):
        raise NotFound("No such webhook.", code="webhook_not_found")
    webhook.secret = new_webhook_secret()
    webhook.save(update_fields=["secret", "updated_at"])
    logger.info(
        "Webhook %s of merchant %s: secret rotated by %s",
        webhook.pk,
        webhook.merchant_id,
        actor.user if actor.user is not None else actor.role,
    )
    return webhook
