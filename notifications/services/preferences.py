"""A shopper's choice of channels per kind of message (absent: on)."""

from django.db import transaction

from catalog.actors import Actor
from notifications import selectors
from notifications.models import Channel, NotificationPreference
from notifications.nodes import NODE_LABELS
from shop.errors import InvalidInput

# What a shopper may switch per kind of message (the webhook is the merchant's system).
SHOPPER_CHANNELS = frozenset({Channel.INBOX, Channel.APP_PUSH, Channel.SMS, Channel.WECHAT})


def _person(actor: Actor):
    if actor.user is None:
        raise ValueError("Notification settings are a person's; the system has none.")
    return actor.user


@transaction.atomic
def notification_preference_set(
    *, actor: Actor, node: str, channel: str, enabled: bool
) -> NotificationPreference:
    user = _person(actor)
    if node not in NODE_LABELS:
        raise InvalidInput("Unknown kind of message.", code="unknown_node")
    if channel not in SHOPPER_CHANNELS:
        # The merchant webhook (and anything else) is not the shopper's to switch.
        raise InvalidInput(
            "Only the inbox, app push, SMS and WeChat can be switched.", code="unknown_channel"
        )
    if not enabled and selectors.channel_is_locked(node=node, channel=channel):
        raise InvalidInput(
            "Inbox messages about payments and refunds cannot be turned off.", code="mandatory"
        )
    if not selectors.shopper_is_offered(node=node, channel=channel):
        # The same choices as the settings page: only what shoppers are actually sent.
        raise InvalidInput(
            "Shoppers are not sent this kind of message on this channel.", code="not_offered"
        )
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, node=node, channel=channel, defaults={"enabled": enabled}
    )
    return preference


@transaction.atomic
def notification_preferences_save(*, actor: Actor, enabled: set[tuple[str, str]]) -> int:
    """Save the whole preferences form: every switchable (node, channel) the shopper is offered
    is on if it is in `enabled`, off otherwise. Returns how many are off.

    One upsert for the whole form (the matrix offers only known, switchable pairs, so the checks
    of `notification_preference_set` hold already), not a query per checkbox."""
    user = _person(actor)
    rows = [
        NotificationPreference(
            user=user,
            node=row["node"],
            channel=channel["channel"],
            enabled=(row["node"], channel["channel"]) in enabled,
        )
        for row in selectors.preference_matrix(user=user)
        for channel in row["channels"]
        if not channel["locked"]
    ]
    NotificationPreference.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["user", "node", "channel"],
        update_fields=["enabled", "updated_at"],
    )
    return sum(1 for row in rows if not row.enabled)
