"""The in-site inbox: the message is stored for the recipient, read or unread."""

from notifications.channels.base import ChannelBackend, Delivery
from notifications.models import InboxMessage


class InboxBackend(ChannelBackend):
    def send(self, delivery: Delivery) -> str:
        # Unique on the outbox row: a redelivered send finds the message it already stored.
        message, _created = InboxMessage.objects.get_or_create(
            outbox_id=delivery.outbox_id,
            defaults={
                "user_id": delivery.recipient_id,
                "node": delivery.node,
                "title": delivery.title,
                "body": delivery.body,
                "link": delivery.link,
            },
        )
        return f"inbox-{message.pk}"
