"""The carrier adapter interface and what adapters hand back to logistics.services."""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime


class InvalidPush(Exception):
    """A tracking push that is malformed (400) or not signed by the carrier (403)."""

    def __init__(self, detail: str, *, forbidden: bool = False):
        super().__init__(detail)
        self.detail = detail
        self.forbidden = forbidden


@dataclass(frozen=True)
class ParsedEvent:
    tracking_no: str
    dedupe_key: str  # the carrier's event id, or a hash of what identifies the event
    status: str  # a TrackingEvent.Status value
    carrier_status: str  # the carrier's own code
    description: str
    location: str
    occurred_at: datetime
    # Aggregators push for many couriers: their company code ("shunfeng") picks the Carrier.
    aggregator_code: str = ""


@dataclass(frozen=True)
class Acknowledgement:
    """What the webhook answers: carriers retry until they read their own success format."""

    status: int
    content: bytes
    content_type: str = "application/json"


class CarrierAdapter(ABC):
    """One courier's (or aggregator's) API. Adapters never touch the database. Every method is
    abstract: an adapter that lacks one cannot even be built, so it never half-handles a push."""

    key: str = ""

    @abstractmethod
    def subscribe(self, *, tracking_no: str, carrier_code: str, aggregator_code: str = "") -> None:
        """Ask the carrier to push tracking updates for this parcel."""

    @abstractmethod
    def verify_and_parse(self, *, body: bytes, headers) -> list[ParsedEvent]:
        """Check the push's signature and turn it into events; InvalidPush when it is bad."""

    @abstractmethod
    def query(self, *, tracking_no: str, aggregator_code: str = "") -> list[ParsedEvent]:
        """Ask the carrier for the parcel's events now (pull, when pushes went missing)."""

    @abstractmethod
    def acknowledge(self, *, ok: bool, detail: str = "", status: int = 200) -> Acknowledgement:
        """The answer the carrier expects, so that it stops (or keeps) retrying."""
