"""The one small interface every payment gateway implements, and the values it returns."""

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

SUCCESS = "success"
FAILURE = "failure"


class GatewayError(Exception):
    """The gateway could not be reached or refused a request (retryable)."""


class InvalidNotification(Exception):
    """A notification whose signature, format or origin does not check out."""

    def __init__(self, message: str, *, code: str = "invalid"):
        super().__init__(message)
        self.code = code  # "bad_signature" | "invalid"


@dataclass(frozen=True)
class PayRequest:
    pay_url: str  # where the shopper goes (cashier / QR code page)
    params: dict = field(default_factory=dict)  # what an app or a QR code needs


@dataclass(frozen=True)
class VerifiedNotification:
    trade_no: str
    payment_no: str
    amount: Decimal
    status: str  # SUCCESS | FAILURE
    notify_id: str
    paid_at_text: str = ""


@dataclass(frozen=True)
class TradeStatus:
    payment_no: str
    trade_no: str
    amount: Decimal | None
    status: str  # "success" | "failed" | "pending" | "not_found"


@dataclass(frozen=True)
class RefundResult:
    ok: bool  # the money has gone back (the gateway says so)
    gateway_refund_id: str = ""
    error: str = ""
    amount: Decimal | None = None
    # Accepted, still on its way (WeChat Pay "PROCESSING"): query it again later.
    pending: bool = False
    # Refused for good (WeChat Pay "ABNORMAL" / "CLOSED"): retrying cannot help; ops act.
    final: bool = False


@dataclass(frozen=True)
class Acknowledgement:
    status_code: int
    content_type: str
    body: str


class Gateway(ABC):
    name: str = ""

    @abstractmethod
    def create_payment(self, payment) -> PayRequest: ...

    @abstractmethod
    def verify_notification(
        self, *, body: bytes, headers: Mapping[str, str]
    ) -> VerifiedNotification:
        """Check the signature and parse; raise InvalidNotification otherwise."""

    @abstractmethod
    def query(self, payment) -> TradeStatus: ...

    @abstractmethod
    def refund(self, refund) -> RefundResult:
        """Ask for a refund; idempotent on refund.refund_no at the gateway."""

    @abstractmethod
    def query_refund(self, refund) -> RefundResult:
        """Where a refund the gateway accepted has got to (ok, pending, or failed)."""

    @abstractmethod
    def acknowledge(self, ok: bool, message: str = "") -> Acknowledgement:
        """The answer the gateway expects to a notification."""

    def trades_for_day(self, day: date) -> list[TradeStatus] | None:
        """The gateway's trades of a day, when it can list them (bill download); else None."""
        return None
