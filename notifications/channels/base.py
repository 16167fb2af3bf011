"""The interface every channel backend implements."""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field


class DeliveryFailed(Exception):
    """The provider did not take the message; the outbox retries it with backoff."""


@dataclass(frozen=True)
class Delivery:
    """One outbox row as a provider sees it. idempotency_key is stable across retries of the row,
    so a provider that already has it does not send a second SMS or push."""

    outbox_id: int
    idempotency_key: str
    channel: str
    node: str
    recipient_id: int
    recipient_username: str
    recipient_phone: str
    title: str
    body: str
    link: str
    data: dict = field(default_factory=dict)
    webhook_id: int | None = None
    subject_type: str = ""
    created_at: str = ""


class ChannelBackend(ABC):
    """A provider behind one channel, chosen by settings; one that lacks `send` cannot be built."""

    def __init__(self, *, channel: str, **options):
        self.channel = channel
        self.options = options

    @abstractmethod
    def send(self, delivery: Delivery) -> str:
        """Hand the message over; return the provider's message id. Raise DeliveryFailed."""
