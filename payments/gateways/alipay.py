"""Alipay (open platform, RSA2) on python-alipay-sdk: page pay, asynchronous notification, query
and refund.

The library signs every request (RSA-SHA256 over the ASCII-sorted `key=value` pairs), verifies
notifications and verifies each response over the raw text of its `<method>_response` node.
This module only chooses the calls and reads their answers. The one hop it replaces is the HTTP
GET to the gateway (`fetch`), so that the sandbox can answer in-process and tests never touch the
network; the signing and verifying around it stay the library's.
"""

import binascii
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl

import httpx
from alipay import AliPay
from alipay.exceptions import AliPayException, AliPayValidationError
from django.utils import timezone

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

LIVE_GATEWAY_URL = "https://openapi.alipay.com/gateway.do"
DEV_GATEWAY_URL = "https://openapi-sandbox.dl.alipaydev.com/gateway.do"
SUCCESS_STATES = {"TRADE_SUCCESS", "TRADE_FINISHED"}
FAILURE_STATES = {"TRADE_CLOSED"}


def http_fetch(url: str, timeout: float = 10) -> str:
    """GET the signed request URL from Alipay's gateway; the raw response text."""
    try:
        response = httpx.get(url, timeout=timeout)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise GatewayError(f"Alipay unreachable: {exc}") from exc
    return response.text


class AlipayClient(AliPay):
    """python-alipay-sdk's client, with the HTTP hop given by the caller (live or sandbox)."""

    def __init__(self, *, gateway_url: str, fetch: Callable[[str], str], **kwargs):
        super().__init__(**kwargs)
        self._gateway = gateway_url
        self._fetch = fetch

    def verified_sync_response(self, data, response_type):
        raw = self._fetch(self._gateway + "?" + self.sign_data(data))
        return self._verify_and_return_sync_response(raw, response_type)


class AlipayGateway(Gateway):
    name = "alipay"

    def __init__(
        self,
        *,
        app_id: str,
        app_private_key: str,
        alipay_public_key: str,
        notify_url: str,
        return_url: str = "",
        gateway_url: str = LIVE_GATEWAY_URL,
        fetch: Callable[[str], str] | None = None,
        cashier_url=None,
    ):
        self.app_id = app_id
        self.app_private_key = app_private_key
        self.alipay_public_key = alipay_public_key
        self.notify_url = notify_url
        self.return_url = return_url
        self.gateway_url = gateway_url
        self.client = AlipayClient(
            appid=app_id,
            app_notify_url=notify_url,
            # Alipay's console hands out bare base64 keys: PEM-wrapped here for the library.
            app_private_key_string=pem_private_key(app_private_key),
            alipay_public_key_string=pem_public_key(alipay_public_key),
            sign_type="RSA2",
            gateway_url=gateway_url,
            fetch=fetch or http_fetch,
        )
        # The sandbox shows its own cashier page instead of Alipay's.
        self.cashier_url = cashier_url

    @staticmethod
    def _timestamp() -> str:
        # Alipay checks the request time in the shop's (Beijing) time zone, not the host's.
        return timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")

    def _call(self, method: str, biz: dict) -> dict:
        """A signed server API call; the verified response node (business failures included)."""
        try:
            return self.client.server_api(method, biz, timestamp=self._timestamp())
        except AliPayValidationError as exc:
            raise GatewayError("Alipay response signature does not verify") from exc
        except AliPayException as exc:
            # An unsigned answer: an error_response (bad app id, bad request signature...).
            raise GatewayError(f"Alipay refused {method}: {exc}"[:500]) from exc
        except (ValueError, KeyError) as exc:
            raise GatewayError(f"Alipay answered {method} with something unreadable") from exc

    def create_payment(self, payment) -> PayRequest:
        query = self.client.client_api(
            "alipay.trade.page.pay",
            {
                "out_trade_no": payment.payment_no,
                "total_amount": f"{payment.amount:.2f}",
                "subject": f"Order {payment.order.order_no}",
                "product_code": "FAST_INSTANT_TRADE_PAY",
                # Alipay closes the trade at the order's payment deadline, so a shopper cannot
                # pay an order that has already expired on our side.
                "time_expire": timezone.localtime(payment.order.payment_due_at).strftime(
                    "%Y-%m-%d %H:%M:%S"
                ),
            },
            notify_url=self.notify_url,
            return_url=self.return_url,
            timestamp=self._timestamp(),
        )
        params = dict(parse_qsl(query, keep_blank_values=True))
        if self.cashier_url:
            return PayRequest(pay_url=self.cashier_url(payment), params=params)
        return PayRequest(pay_url=f"{self.gateway_url}?{query}", params=params)

    def verify_notification(
        self, *, body: bytes, headers: Mapping[str, str]
    ) -> VerifiedNotification:
        try:
            params = dict(
                parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
            )
        except (UnicodeDecodeError, ValueError) as exc:
            raise InvalidNotification("not a form-encoded notification") from exc
        if not self._signature_verifies(params):
            raise InvalidNotification("signature does not verify", code="bad_signature")
        if params.get("app_id") != self.app_id:
            raise InvalidNotification("notification for another app_id")
        state = params.get("trade_status", "")
        if state in SUCCESS_STATES:
            status = SUCCESS
        elif state in FAILURE_STATES:
            status = FAILURE
        else:
            raise InvalidNotification(f"trade_status {state!r} is not handled")
        try:
            return VerifiedNotification(
                trade_no=params["trade_no"],
                payment_no=params["out_trade_no"],
                amount=Decimal(params["total_amount"]),
                status=status,
                notify_id=params.get("notify_id", ""),
                paid_at_text=params.get("gmt_payment", ""),
            )
        except (KeyError, InvalidOperation) as exc:
            raise InvalidNotification("notification misses trade fields") from exc

    def _signature_verifies(self, params: Mapping[str, str]) -> bool:
        """Alipay signs every parameter but `sign` and `sign_type`, empty values left out."""
        signature = params.get("sign", "")
        if not signature or params.get("sign_type", "RSA2") != "RSA2":
            return False
        data = {key: value for key, value in params.items() if key != "sign" and value != ""}
        try:
            return self.client.verify(data, signature)
        except (AliPayException, ValueError, TypeError, binascii.Error):
            return False

    def query(self, payment) -> TradeStatus:
        node = self._call("alipay.trade.query", {"out_trade_no": payment.payment_no})
        if node.get("code") != "10000":
            if node.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
                return TradeStatus(payment.payment_no, "", None, "not_found")
            raise GatewayError(node.get("sub_msg") or node.get("msg") or "query failed")
        state = node.get("trade_status", "")
        status = (
            "success"
            if state in SUCCESS_STATES
            else "failed"
            if state in FAILURE_STATES
            else "pending"
        )
        return TradeStatus(
            payment_no=node.get("out_trade_no", payment.payment_no),
            trade_no=node.get("trade_no", ""),
            amount=Decimal(node["total_amount"]) if node.get("total_amount") else None,
            status=status,
        )

    def refund(self, refund) -> RefundResult:
        biz = {
            "out_trade_no": refund.payment.payment_no,
            "refund_amount": f"{refund.amount:.2f}",
            "refund_reason": refund.reason[:256],
            # Alipay treats the same out_request_no as the same refund: retries are safe.
            "out_request_no": refund.refund_no,
        }
        if refund.payment.gateway_trade_no:
            biz["trade_no"] = refund.payment.gateway_trade_no
        node = self._call("alipay.trade.refund", biz)
        if node.get("code") == "10000":
            return RefundResult(
                ok=True,
                gateway_refund_id=node.get("trade_no", "") + ":" + refund.refund_no,
                amount=refund.amount,
            )
        return RefundResult(ok=False, error=node.get("sub_msg") or node.get("msg") or "refused")

    def query_refund(self, refund) -> RefundResult:
        node = self._call(
            "alipay.trade.fastpay.refund.query",
            {"out_trade_no": refund.payment.payment_no, "out_request_no": refund.refund_no},
        )
        if node.get("code") == "10000" and node.get("refund_amount"):
            return RefundResult(
                ok=True,
                gateway_refund_id=node.get("trade_no", "") + ":" + refund.refund_no,
                amount=Decimal(node["refund_amount"]),
            )
        return RefundResult(ok=False, error=node.get("sub_msg") or node.get("msg") or "not found")

    def acknowledge(self, ok: bool, message: str = "") -> Acknowledgement:
        # Alipay stops redelivering once it reads the plain text "success".
        if ok:
            return Acknowledgement(200, "text/plain", "success")
        return Acknowledgement(400, "text/plain", "failure")
