"""The default provider for app push, SMS and WeChat: writes the message to the log."""

import logging

from notifications.channels.base import ChannelBackend, Delivery

logger = logging.getLogger("notifications.delivery")


class LoggingBackend(ChannelBackend):
    def send(self, delivery: Delivery) -> str:
        logger.info(
            "%s to user %s (%s) [%s]: %s | %s",
            self.channel,
            delivery.recipient_id,
            delivery.recipient_phone or delivery.recipient_username,
            delivery.idempotency_key,
            delivery.title,
            delivery.body,
        )
        return delivery.idempotency_key
