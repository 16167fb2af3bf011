"""Channel backends for tests: one that records what it sends, one whose provider is down."""

from notifications.channels import ChannelBackend, Delivery, DeliveryFailed


class RecordingBackend(ChannelBackend):
    sent: list[Delivery] = []

    def send(self, delivery: Delivery) -> str:
        RecordingBackend.sent.append(delivery)
        return f"rec-{delivery.outbox_id}"


class ProviderDownBackend(ChannelBackend):
    def send(self, delivery: Delivery) -> str:
        raise DeliveryFailed("SMS gateway answered HTTP 503")
