"""Alipay (open platform, RSA2): page pay, asynchronous notification, query and refund.

Formats as Alipay documents them: request and notification parameters are signed as the
ASCII-sorted `key=value` pairs joined by `&` (empty values left out; `sign` left out of
requests, `sign` and `sign_type` out of notifications), RSA-SHA256, base64. Responses are JSON
`{"<method>_response": {...}, "sign": "..."}` signed over the raw text of the response node.
The transport is the live HTTPS gateway or the in-process sandbox, chosen by configuration.
"""

import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl, urlencode

import httpx
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
from .crypto import rsa_sign, rsa_verify

LIVE_GATEWAY_URL = "https://openapi.alipay.com/gateway.do"
SUCCESS_STATES = {"TRADE_SUCCESS", "TRADE_FINISHED"}
FAILURE_STATES = {"TRADE_CLOSED"}


def sign_content(params: Mapping[str, str], *, exclude: tuple[str, ...]) -> str:
    return "&".join(
        f"{key}={params[key]}"
        for key in sorted(params)
        if key not in exclude and params[key] not in ("", None)
    )


def sign_request(params: dict, private_pem: str) -> dict:
    signed = dict(params)
    signed["sign"] = rsa_sign(sign_content(signed, exclude=("sign",)), private_pem)
    return signed


def sign_notification(params: dict, private_pem: str) -> dict:
    """What Alipay does to a notification (used by the sandbox and by tests)."""
    signed = dict(params)
    signed["sign"] = rsa_sign(sign_content(signed, exclude=("sign", "sign_type")), private_pem)
    return signed


def verify_notification_params(params: Mapping[str, str], public_pem: str) -> bool:
    signature = params.get("sign", "")
    if not signature or params.get("sign_type", "RSA2") != "RSA2":
        return False
    return rsa_verify(sign_content(params, exclude=("sign", "sign_type")), signature, public_pem)


def _response_node_text(raw: str, node: str) -> str:
    """The exact text of the response node, as Alipay signed it."""
    key = f'"{node}"'
    start = raw.find(key)
    if start < 0:
        raise GatewayError(f"Alipay response without {node}")
    colon = raw.index(":", start + len(key))
    value_start = colon + 1
    while raw[value_start] in " \t\r\n":
        value_start += 1
    _, end = json.JSONDecoder().raw_decode(raw, value_start)
    return raw[value_start:end]


class AlipayHttpTransport:
    def __init__(self, *, gateway_url: str, private_pem: str, alipay_public_pem: str, timeout=10):
        self.gateway_url = gateway_url
        self.private_pem = private_pem
        self.alipay_public_pem = alipay_public_pem
        self.timeout = timeout

    def call(self, params: dict) -> dict:
        node = params["method"].replace(".", "_") + "_response"
        try:
            response = httpx.post(
                self.gateway_url,
                data=sign_request(params, self.private_pem),
                timeout=self.timeout,
            )
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise GatewayError(f"Alipay unreachable: {exc}") from exc
        raw = response.text
        payload = json.loads(raw)
        node_text = _response_node_text(raw, node)
        if not rsa_verify(node_text, payload.get("sign", ""), self.alipay_public_pem):
            raise GatewayError("Alipay response signature does not verify")
        return json.loads(node_text)


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
        transport=None,
        cashier_url=None,
    ):
        self.app_id = app_id
        self.app_private_key = app_private_key
        self.alipay_public_key = alipay_public_key
        self.notify_url = notify_url
        self.return_url = return_url
        self.gateway_url = gateway_url
        self.transport = transport or AlipayHttpTransport(
            gateway_url=gateway_url,
            private_pem=app_private_key,
            alipay_public_pem=alipay_public_key,
        )
        # The sandbox shows its own cashier page instead of Alipay's.
        self.cashier_url = cashier_url

    def _common(self, method: str, biz: dict) -> dict:
        return {
            "app_id": self.app_id,
            "method": method,
            "format": "JSON",
            "charset": "utf-8",
            "sign_type": "RSA2",
            "timestamp": timezone.localtime().strftime("%Y-%m-%d %H:%M:%S"),
            "version": "1.0",
            "biz_content": json.dumps(biz, ensure_ascii=False, separators=(",", ":")),
        }

    def create_payment(self, payment) -> PayRequest:
        params = self._common(
            "alipay.trade.page.pay",
            {
                "out_trade_no": payment.payment_no,
                "total_amount": f"{payment.amount:.2f}",
                "subject": f"Order {payment.order.order_no}",
                "product_code": "FAST_INSTANT_TRADE_PAY",
            },
        )
        params["notify_url"] = self.notify_url
        if self.return_url:
            params["return_url"] = self.return_url
        signed = sign_request(params, self.app_private_key)
        if self.cashier_url:
            return PayRequest(pay_url=self.cashier_url(payment), params=signed)
        return PayRequest(pay_url=f"{self.gateway_url}?{urlencode(signed)}", params=signed)

    def verify_notification(
        self, *, body: bytes, headers: Mapping[str, str]
    ) -> VerifiedNotification:
        try:
            params = dict(
                parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
            )
        except (UnicodeDecodeError, ValueError) as exc:
            raise InvalidNotification("not a form-encoded notification") from exc
        if not verify_notification_params(params, self.alipay_public_key):
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
            amount = Decimal(params["total_amount"])
            return VerifiedNotification(
                trade_no=params["trade_no"],
                payment_no=params["out_trade_no"],
                amount=amount,
                status=status,
                notify_id=params.get("notify_id", ""),
                paid_at_text=params.get("gmt_payment", ""),
            )
        except (KeyError, InvalidOperation) as exc:
            raise InvalidNotification("notification misses trade fields") from exc

    def query(self, payment) -> TradeStatus:
        node = self.transport.call(
            self._common("alipay.trade.query", {"out_trade_no": payment.payment_no})
        )
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
        node = self.transport.call(
            self._common(
                "alipay.trade.refund",
                {
                    "out_trade_no": refund.payment.payment_no,
                    "trade_no": refund.payment.gateway_trade_no or "",
                    "refund_amount": f"{refund.amount:.2f}",
                    "refund_reason": refund.reason[:256],
                    # Alipay treats the same out_request_no as the same refund: retries are safe.
                    "out_request_no": refund.refund_no,
                },
            )
        )
        if node.get("code") == "10000":
            return RefundResult(
                ok=True,
                gateway_refund_id=node.get("trade_no", "") + ":" + refund.refund_no,
                amount=refund.amount,
            )
        return RefundResult(ok=False, error=node.get("sub_msg") or node.get("msg") or "refused")

    def query_refund(self, refund) -> RefundResult:
        node = self.transport.call(
            self._common(
                "alipay.trade.fastpay.refund.query",
                {"out_trade_no": refund.payment.payment_no, "out_request_no": refund.refund_no},
            )
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
