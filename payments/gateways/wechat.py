"""WeChat Pay API v3 on wechatpayv3: Native pay, signed asynchronous notification, query and
refund.

The library signs every request (`Authorization: WECHATPAY2-SHA256-RSA2048 ...`), verifies
responses and notifications over "TIMESTAMP\\nNONCE\\nBODY\\n" with the platform public key and
decrypts a notification's AES-256-GCM `resource` with the APIv3 key. It is built in the
"WeChat Pay public key" mode (public_key + public_key_id), so it never downloads platform
certificates: constructing it touches no network. This module adds what the library leaves to
its caller: the platform key id must be ours (an unknown one would make the library go and
fetch certificates), a notification older than five minutes is refused (replay), and the
transaction must be for our merchant. Amounts are integer fen.
"""

import json
import time
from collections.abc import Mapping
from decimal import Decimal

from django.utils import timezone
from wechatpayv3 import WeChatPay, WeChatPayType
from wechatpayv3.core import Core

from .base import (
    FAILURE,
    SUCCESS,
    Acknowledgement,
    Gateway,
    GatewayError,
    InvalidNotification,
    PayRequest,
    RefundResult,
    TradeStatus,
    VerifiedNotification,
)
from .crypto import pem_private_key, pem_public_key

# Notifications older than this are refused: a captured one cannot be replayed days later.
MAX_CLOCK_SKEW_SECONDS = 300
FAILURE_STATES = {"CLOSED", "PAYERROR", "REVOKED"}
REFUND_END_STATES = {
    "ABNORMAL": "the shopper's account cannot take it; refund it by hand from the merchant console",
    "CLOSED": "closed by WeChat Pay without refunding",
}
SIGNATURE_HEADERS = (
    "Wechatpay-Timestamp",
    "Wechatpay-Nonce",
    "Wechatpay-Signature",
    "Wechatpay-Serial",
    "Wechatpay-Signature-Type",
)


def to_fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def from_fen(fen: int) -> Decimal:
    return (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))


class WeChatPayGateway(Gateway):
    name = "wechat"

    def __init__(
        self,
        *,
        mchid: str,
        appid: str,
        merchant_private_key: str,
        merchant_serial_no: str,
        platform_public_key: str,
        platform_serial_no: str,
        apiv3_key: str,
        notify_url: str,
        timeout: float = 10,
        core_class: type[Core] | None = None,
        cashier_url=None,
    ):
        self.mchid = mchid
        self.appid = appid
        self.merchant_serial_no = merchant_serial_no
        # The "WeChat Pay public key" (微信支付公钥) and its id (PUB_KEY_ID_...), which WeChat Pay
        # sends as Wechatpay-Serial; a platform certificate is accepted and its key used.
        self.platform_serial_no = platform_serial_no
        self.notify_url = notify_url
        core_kwargs = {
            "mchid": mchid,
            "cert_serial_no": merchant_serial_no,
            "private_key": pem_private_key(merchant_private_key),
            "apiv3_key": apiv3_key,
            "timeout": timeout,
            "public_key": pem_public_key(platform_public_key),
            "public_key_id": platform_serial_no,
        }
        # notify_url is given per payment (not here) so that refunds do not ask WeChat Pay to
        # send refund notifications to the payment notification endpoint.
        self.client = WeChatPay(wechatpay_type=WeChatPayType.NATIVE, appid=appid, **core_kwargs)
        if core_class is not None:
            # The sandbox: the library's own Core (signing, verifying) with the HTTP hop
            # answered in-process.
            self.client._core = core_class(**core_kwargs)
        self.cashier_url = cashier_url

    def _call(self, what: str, call) -> tuple[int, dict]:
        try:
            status, message = call()
        except Exception as exc:  # wechatpayv3 raises bare Exception (and requests' errors)
            raise GatewayError(f"WeChat Pay {what} failed: {exc}") from exc
        if status >= 500:
            raise GatewayError(f"WeChat Pay answered {status} to {what}")
        try:
            data = json.loads(message) if message else {}
        except (TypeError, ValueError) as exc:
            raise GatewayError(f"WeChat Pay answered {what} with something unreadable") from exc
        return status, data if isinstance(data, dict) else {}

    def create_payment(self, payment) -> PayRequest:
        amount = {"total": to_fen(payment.amount), "currency": "CNY"}
        description = f"Order {payment.order.order_no}"
        # WeChat Pay closes the trade at the order's payment deadline (RFC 3339, +08:00), so
        # the QR code cannot be paid once the order has expired on our side.
        time_expire = timezone.localtime(payment.order.payment_due_at).isoformat(timespec="seconds")
        if self.cashier_url:
            params = {
                "appid": self.appid,
                "mchid": self.mchid,
                "description": description,
                "out_trade_no": payment.payment_no,
                "notify_url": self.notify_url,
                "amount": amount,
                "time_expire": time_expire,
            }
            return PayRequest(pay_url=self.cashier_url(payment), params=params)
        status, data = self._call(
            "native order",
            lambda: self.client.pay(
                description=description,
                out_trade_no=payment.payment_no,
                amount=amount,
                time_expire=time_expire,
                notify_url=self.notify_url,
                pay_type=WeChatPayType.NATIVE,
            ),
        )
        if status != 200 or "code_url" not in data:
            raise GatewayError(data.get("message", "WeChat Pay refused the order"))
        return PayRequest(pay_url=data["code_url"], params={"code_url": data["code_url"]})

    def verify_notification(
        self, *, body: bytes, headers: Mapping[str, str]
    ) -> VerifiedNotification:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidNotification("body is not UTF-8") from exc
        lower = {key.lower(): value for key, value in headers.items()}
        signed = {name: lower.get(name.lower(), "") for name in SIGNATURE_HEADERS}
        if not signed["Wechatpay-Signature"] or signed["Wechatpay-Serial"] != (
            self.platform_serial_no
        ):
            # Checked before the library: for a key id it does not know, it would download
            # platform certificates from WeChat Pay.
            raise InvalidNotification("signature does not verify", code="bad_signature")
        try:
            envelope = self.client.callback(headers=signed, body=text)
        except Exception as exc:  # bare Exception for an unknown signature type or algorithm
            raise InvalidNotification(
                f"signature does not verify: {exc}", code="bad_signature"
            ) from exc
        if not envelope:
            raise InvalidNotification(
                "signature does not verify (or the resource does not decrypt with the APIv3 key)",
                code="bad_signature",
            )
        try:
            stamp = int(signed["Wechatpay-Timestamp"])
        except ValueError as exc:
            raise InvalidNotification("bad timestamp") from exc
        if abs(time.time() - stamp) > MAX_CLOCK_SKEW_SECONDS:
            raise InvalidNotification("notification timestamp too far from now")
        try:
            transaction = envelope["resource"]
            state = transaction["trade_state"]
            if state == "SUCCESS":
                status = SUCCESS
            elif state in FAILURE_STATES:
                status = FAILURE
            else:
                raise InvalidNotification(f"trade_state {state!r} is not handled")
            if transaction.get("mchid") != self.mchid:
                raise InvalidNotification("notification for another merchant")
            return VerifiedNotification(
                trade_no=transaction["transaction_id"],
                payment_no=transaction["out_trade_no"],
                amount=from_fen(transaction["amount"]["total"]),
                status=status,
                notify_id=str(envelope.get("id", "")),
                paid_at_text=transaction.get("success_time", ""),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidNotification("malformed notification") from exc

    def query(self, payment) -> TradeStatus:
        status, data = self._call(
            "query", lambda: self.client.query(out_trade_no=payment.payment_no)
        )
        if status == 404:
            return TradeStatus(payment.payment_no, "", None, "not_found")
        if status != 200:
            raise GatewayError(data.get("message", "query failed"))
        state = data.get("trade_state", "")
        return TradeStatus(
            payment_no=data.get("out_trade_no", payment.payment_no),
            trade_no=data.get("transaction_id", ""),
            amount=from_fen(data["amount"]["total"]) if data.get("amount") else None,
            status="success"
            if state == "SUCCESS"
            else "failed"
            if state in FAILURE_STATES
            else "pending",
        )

    def refund(self, refund) -> RefundResult:
        status, data = self._call(
            "refund",
            lambda: self.client.refund(
                # The same out_refund_no is the same refund at WeChat Pay: retries are safe.
                out_refund_no=refund.refund_no,
                out_trade_no=refund.payment.payment_no,
                reason=refund.reason[:80] or None,
                amount={
                    "refund": to_fen(refund.amount),
                    "total": to_fen(refund.payment.amount),
                    "currency": "CNY",
                },
            ),
        )
        if status == 200 and data.get("status"):
            return self._refund_state(refund, data)
        return RefundResult(ok=False, error=data.get("message", "refund refused"))

    def query_refund(self, refund) -> RefundResult:
        status, data = self._call(
            "refund query", lambda: self.client.query_refund(out_refund_no=refund.refund_no)
        )
        if status == 200 and data.get("status"):
            return self._refund_state(refund, data)
        return RefundResult(ok=False, error=data.get("message", "not found"))

    @staticmethod
    def _refund_state(refund, data: dict) -> RefundResult:
        """WeChat Pay's refund status: only SUCCESS means the money went back. PROCESSING is
        queried again until it settles; ABNORMAL (the shopper's card or account cannot take it)
        and CLOSED end it, for operations to handle."""
        state = data["status"]
        refund_id = data.get("refund_id", "")
        amount = data.get("amount") or {}
        refunded = from_fen(amount["refund"]) if "refund" in amount else None
        if state == "SUCCESS":
            return RefundResult(ok=True, gateway_refund_id=refund_id, amount=refunded)
        if state == "PROCESSING":
            return RefundResult(
                ok=False,
                pending=True,
                gateway_refund_id=refund_id,
                error="WeChat Pay is still processing the refund",
            )
        return RefundResult(
            ok=False,
            final=True,
            gateway_refund_id=refund_id,
            error=f"WeChat Pay refund {state}: {REFUND_END_STATES.get(state, 'not refunded')}",
        )

    def acknowledge(self, ok: bool, message: str = "") -> Acknowledgement:
        if ok:
            return Acknowledgement(200, "application/json", '{"code":"SUCCESS","message":"成功"}')
        body = json.dumps({"code": "FAIL", "message": message or "失败"}, ensure_ascii=False)
        return Acknowledgement(400, "application/json", body)
