"""WeChat Pay API v3: Native pay, signed asynchronous notification, query and refund.

Formats as WeChat Pay documents them: every request carries `Authorization:
WECHATPAY2-SHA256-RSA2048 mchid=...,nonce_str=...,signature=...,timestamp=...,serial_no=...`
where the signature is RSA-SHA256 over "METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nBODY\\n"; responses and
notifications are signed by the platform key over "TIMESTAMP\\nNONCE\\nBODY\\n" (headers
Wechatpay-Timestamp, -Nonce, -Signature, -Serial); a notification's `resource` is AES-256-GCM
encrypted with the merchant's APIv3 key. Amounts are integer fen.
"""

import json
import secrets
import time
from collections.abc import Mapping
from decimal import Decimal

import httpx

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
from .crypto import aes_gcm_decrypt, aes_gcm_encrypt, rsa_sign, rsa_verify

LIVE_API_BASE = "https://api.mch.weixin.qq.com"
# Notifications older than this are refused: a captured one cannot be replayed days later.
MAX_CLOCK_SKEW_SECONDS = 300
FAILURE_STATES = {"CLOSED", "PAYERROR", "REVOKED"}


def to_fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def from_fen(fen: int) -> Decimal:
    return (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))


def signed_message(timestamp: str, nonce: str, body: str) -> str:
    return f"{timestamp}\n{nonce}\n{body}\n"


def build_notification(
    *,
    transaction: dict,
    event_type: str,
    notify_id: str,
    platform_private_key: str,
    platform_serial_no: str,
    apiv3_key: str,
    timestamp: int | None = None,
) -> tuple[str, dict]:
    """What WeChat Pay sends (used by the sandbox and by tests): the body and its headers."""
    nonce = secrets.token_hex(16)
    resource_nonce = secrets.token_hex(6)
    associated_data = "transaction"
    body = json.dumps(
        {
            "id": notify_id,
            "create_time": transaction.get("success_time", ""),
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": "支付成功" if event_type == "TRANSACTION.SUCCESS" else "支付失败",
            "resource": {
                "original_type": "transaction",
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": aes_gcm_encrypt(
                    apiv3_key,
                    resource_nonce,
                    associated_data,
                    json.dumps(transaction, ensure_ascii=False),
                ),
                "associated_data": associated_data,
                "nonce": resource_nonce,
            },
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    headers = {
        "Wechatpay-Timestamp": stamp,
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Serial": platform_serial_no,
        "Wechatpay-Signature": rsa_sign(signed_message(stamp, nonce, body), platform_private_key),
        "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
    }
    return body, headers


class WeChatHttpTransport:
    def __init__(self, *, gateway, timeout=10):
        self.gateway = gateway
        self.timeout = timeout

    def request(self, method: str, path: str, payload: dict | None = None) -> tuple[int, dict]:
        gw = self.gateway
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")) if payload else ""
        stamp, nonce = str(int(time.time())), secrets.token_hex(16)
        signature = rsa_sign(
            f"{method}\n{path}\n{stamp}\n{nonce}\n{body}\n", gw.merchant_private_key
        )
        authorization = (
            f'WECHATPAY2-SHA256-RSA2048 mchid="{gw.mchid}",nonce_str="{nonce}",'
            f'signature="{signature}",timestamp="{stamp}",serial_no="{gw.merchant_serial_no}"'
        )
        try:
            response = httpx.request(
                method,
                gw.api_base + path,
                content=body.encode() if body else None,
                headers={
                    "Authorization": authorization,
                    "Accept": "application/json",
                    "Content-Type": "application/json",
                },
                timeout=self.timeout,
            )
        except httpx.HTTPError as exc:
            raise GatewayError(f"WeChat Pay unreachable: {exc}") from exc
        if response.status_code >= 500:
            raise GatewayError(f"WeChat Pay answered {response.status_code}")
        if response.text and not gw.verify_signed_text(response.text, response.headers):
            raise GatewayError("WeChat Pay response signature does not verify")
        return response.status_code, (response.json() if response.text else {})


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
        api_base: str = LIVE_API_BASE,
        transport=None,
        cashier_url=None,
    ):
        self.mchid = mchid
        self.appid = appid
        self.merchant_private_key = merchant_private_key
        self.merchant_serial_no = merchant_serial_no
        self.platform_public_key = platform_public_key
        self.platform_serial_no = platform_serial_no
        self.apiv3_key = apiv3_key
        self.notify_url = notify_url
        self.api_base = api_base
        self.transport = transport or WeChatHttpTransport(gateway=self)
        self.cashier_url = cashier_url

    def verify_signed_text(self, body: str, headers: Mapping[str, str]) -> bool:
        lower = {k.lower(): v for k, v in headers.items()}
        stamp = lower.get("wechatpay-timestamp", "")
        nonce = lower.get("wechatpay-nonce", "")
        signature = lower.get("wechatpay-signature", "")
        serial = lower.get("wechatpay-serial", "")
        if not (stamp and nonce and signature) or serial != self.platform_serial_no:
            return False
        return rsa_verify(signed_message(stamp, nonce, body), signature, self.platform_public_key)

    def create_payment(self, payment) -> PayRequest:
        payload = {
            "appid": self.appid,
            "mchid": self.mchid,
            "description": f"Order {payment.order.order_no}",
            "out_trade_no": payment.payment_no,
            "notify_url": self.notify_url,
            "amount": {"total": to_fen(payment.amount), "currency": "CNY"},
        }
        if self.cashier_url:
            return PayRequest(pay_url=self.cashier_url(payment), params=payload)
        status, data = self.transport.request("POST", "/v3/pay/transactions/native", payload)
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
        if not self.verify_signed_text(text, headers):
            raise InvalidNotification("signature does not verify", code="bad_signature")
        lower = {k.lower(): v for k, v in headers.items()}
        try:
            stamp = int(lower["wechatpay-timestamp"])
        except ValueError as exc:
            raise InvalidNotification("bad timestamp") from exc
        if abs(time.time() - stamp) > MAX_CLOCK_SKEW_SECONDS:
            raise InvalidNotification("notification timestamp too far from now")
        try:
            envelope = json.loads(text)
            resource = envelope["resource"]
            plain = aes_gcm_decrypt(
                self.apiv3_key,
                resource["nonce"],
                resource.get("associated_data", ""),
                resource["ciphertext"],
            )
            transaction = json.loads(plain)
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
        status, data = self.transport.request(
            "GET", f"/v3/pay/transactions/out-trade-no/{payment.payment_no}?mchid={self.mchid}"
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
        status, data = self.transport.request(
            "POST",
            "/v3/refund/domestic/refunds",
            {
                "out_trade_no": refund.payment.payment_no,
                # The same out_refund_no is the same refund at WeChat Pay: retries are safe.
                "out_refund_no": refund.refund_no,
                "reason": refund.reason[:80],
                "amount": {
                    "refund": to_fen(refund.amount),
                    "total": to_fen(refund.payment.amount),
                    "currency": "CNY",
                },
            },
        )
        if status == 200 and data.get("status") in {"SUCCESS", "PROCESSING"}:
            return RefundResult(
                ok=True, gateway_refund_id=data.get("refund_id", ""), amount=refund.amount
            )
        return RefundResult(ok=False, error=data.get("message", "refund refused"))

    def query_refund(self, refund) -> RefundResult:
        status, data = self.transport.request(
            "GET", f"/v3/refund/domestic/refunds/{refund.refund_no}"
        )
        if status == 200 and data.get("status") == "SUCCESS":
            return RefundResult(
                ok=True,
                gateway_refund_id=data.get("refund_id", ""),
                amount=from_fen(data["amount"]["refund"]),
            )
        return RefundResult(ok=False, error=data.get("message", "not found"))

    def acknowledge(self, ok: bool, message: str = "") -> Acknowledgement:
        if ok:
            return Acknowledgement(200, "application/json", '{"code":"SUCCESS","message":"成功"}')
        body = json.dumps({"code": "FAIL", "message": message or "失败"}, ensure_ascii=False)
        return Acknowledgement(400, "application/json", body)
