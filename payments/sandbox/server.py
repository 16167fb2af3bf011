"""The sandbox "server": what Alipay and WeChat Pay do on their side, in-process.

It checks the shop's request signatures with the shop's public key, keeps a ledger of trades
(SandboxTrade) and refunds (SandboxRefund) that query and reconciliation read, and when the
shopper presses Pay or Fail on the cashier, writes a notification signed with its own key in the
gateway's exact format and has a Celery task deliver it until the shop acknowledges it.
"""

import json
import secrets
from decimal import Decimal
from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from payments.gateways import alipay as alipay_format
from payments.gateways import wechat as wechat_format
from payments.gateways.crypto import rsa_verify
from payments.models import SandboxNotification, SandboxRefund, SandboxTrade

from .keys import SANDBOX_ALIPAY_APP_ID, SANDBOX_WECHAT_APPID, SANDBOX_WECHAT_MCHID, sandbox_keys


def _new_trade_no(gateway: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d")
    if gateway == "wechat":
        return f"4200{secrets.randbelow(10**6):06d}{stamp}{secrets.randbelow(10**10):010d}"
    return f"{stamp}2200{secrets.randbelow(10**16):016d}"


def _refunded_total(trade_no: str) -> Decimal:
    return SandboxRefund.objects.filter(trade_no=trade_no).aggregate(s=Sum("amount"))[
        "s"
    ] or Decimal("0.00")


def _ledger_refund(*, gateway: str, trade_no: str, out_refund_no: str, amount: Decimal):
    """Record a refund once per out_refund_no; returns (refund or None, error)."""
    existing = SandboxRefund.objects.filter(out_refund_no=out_refund_no).first()
    if existing:
        return existing, ""
    trade = SandboxTrade.objects.filter(trade_no=trade_no, gateway=gateway).first()
    if trade is None or trade.status != SandboxTrade.Status.SUCCESS:
        return None, "trade not paid"
    if _refunded_total(trade_no) + amount > trade.amount:
        return None, "refund amount exceeds what is left of the trade"
    try:
        with transaction.atomic():
            refund = SandboxRefund.objects.create(
                gateway=gateway,
                refund_id=f"50{secrets.randbelow(10**18):018d}",
                out_refund_no=out_refund_no,
                trade_no=trade_no,
                amount=amount,
            )
    except IntegrityError:
        refund = SandboxRefund.objects.get(out_refund_no=out_refund_no)
    return refund, ""


class SandboxAlipayTransport:
    """Answers the Alipay open-platform methods the shop calls."""

    def call(self, params: dict) -> dict:
        from payments.gateways.alipay import sign_content, sign_request

        keys = sandbox_keys()
        signed = sign_request(params, keys.merchant_private)
        if not rsa_verify(
            sign_content(signed, exclude=("sign",)), signed["sign"], keys.merchant_public
        ):
            return {
                "code": "40002",
                "msg": "Invalid Arguments",
                "sub_code": "isv.invalid-signature",
            }
        biz = json.loads(params.get("biz_content") or "{}")
        method = params["method"]
        trade = SandboxTrade.objects.filter(
            gateway="alipay", payment_no=biz.get("out_trade_no", "")
        ).first()
        if method == "alipay.trade.query":
            if trade is None:
                return {
                    "code": "40004",
                    "msg": "Business Failed",
                    "sub_code": "ACQ.TRADE_NOT_EXIST",
                }
            state = (
                "TRADE_SUCCESS" if trade.status == SandboxTrade.Status.SUCCESS else "TRADE_CLOSED"
            )
            return {
                "code": "10000",
                "msg": "Success",
                "trade_no": trade.trade_no,
                "out_trade_no": trade.payment_no,
                "trade_status": state,
                "total_amount": f"{trade.amount:.2f}",
            }
        if method == "alipay.trade.refund":
            if trade is None:
                return {
                    "code": "40004",
                    "msg": "Business Failed",
                    "sub_code": "ACQ.TRADE_NOT_EXIST",
                }
            refund, error = _ledger_refund(
                gateway="alipay",
                trade_no=trade.trade_no,
                out_refund_no=biz["out_request_no"],
                amount=Decimal(biz["refund_amount"]),
            )
            if refund is None:
                return {"code": "40004", "msg": "Business Failed", "sub_msg": error}
            return {
                "code": "10000",
                "msg": "Success",
                "trade_no": trade.trade_no,
                "out_trade_no": trade.payment_no,
                "refund_fee": f"{_refunded_total(trade.trade_no):.2f}",
                "fund_change": "Y",
            }
        if method == "alipay.trade.fastpay.refund.query":
            refund = SandboxRefund.objects.filter(out_refund_no=biz.get("out_request_no")).first()
            if refund is None:
                return {"code": "10000", "msg": "Success"}
            return {
                "code": "10000",
                "msg": "Success",
                "trade_no": refund.trade_no,
                "out_request_no": refund.out_refund_no,
                "refund_amount": f"{refund.amount:.2f}",
                "refund_status": "REFUND_SUCCESS",
            }
        return {"code": "40004", "msg": "Business Failed", "sub_msg": f"unknown method {method}"}


class SandboxWeChatTransport:
    """Answers the WeChat Pay v3 endpoints the shop calls."""

    def request(self, method: str, path: str, payload: dict | None = None) -> tuple[int, dict]:
        if method == "GET" and path.startswith("/v3/pay/transactions/out-trade-no/"):
            payment_no = path.split("/")[-1].split("?")[0]
            trade = SandboxTrade.objects.filter(gateway="wechat", payment_no=payment_no).first()
            if trade is None:
                return 404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"}
            return 200, {
                "mchid": SANDBOX_WECHAT_MCHID,
                "out_trade_no": trade.payment_no,
                "transaction_id": trade.trade_no,
                "trade_state": "SUCCESS"
                if trade.status == SandboxTrade.Status.SUCCESS
                else "PAYERROR",
                "amount": {"total": wechat_format.to_fen(trade.amount), "currency": "CNY"},
            }
        if method == "POST" and path == "/v3/refund/domestic/refunds":
            trade = SandboxTrade.objects.filter(
                gateway="wechat", payment_no=payload["out_trade_no"]
            ).first()
            if trade is None:
                return 404, {"code": "RESOURCE_NOT_EXISTS", "message": "订单不存在"}
            refund, error = _ledger_refund(
                gateway="wechat",
                trade_no=trade.trade_no,
                out_refund_no=payload["out_refund_no"],
                amount=wechat_format.from_fen(payload["amount"]["refund"]),
            )
            if refund is None:
                return 400, {"code": "INVALID_REQUEST", "message": error}
            return 200, {
                "refund_id": refund.refund_id,
                "out_refund_no": refund.out_refund_no,
                "transaction_id": trade.trade_no,
                "status": "SUCCESS",
                "amount": {"refund": wechat_format.to_fen(refund.amount)},
            }
        if method == "GET" and path.startswith("/v3/refund/domestic/refunds/"):
            refund = SandboxRefund.objects.filter(out_refund_no=path.split("/")[-1]).first()
            if refund is None:
                return 404, {"code": "RESOURCE_NOT_EXISTS", "message": "退款单不存在"}
            return 200, {
                "refund_id": refund.refund_id,
                "status": "SUCCESS",
                "amount": {"refund": wechat_format.to_fen(refund.amount)},
            }
        return 404, {"code": "NOT_FOUND", "message": "unknown endpoint"}


def build_signed_notification(trade: SandboxTrade) -> tuple[str, dict, str]:
    """The body, headers and content type the gateway would POST for this trade."""
    keys = sandbox_keys()
    paid = trade.status == SandboxTrade.Status.SUCCESS
    when = timezone.localtime(trade.created_at)
    notify_id = secrets.token_hex(16)
    if trade.gateway == "wechat":
        transaction_body = {
            "mchid": SANDBOX_WECHAT_MCHID,
            "appid": SANDBOX_WECHAT_APPID,
            "out_trade_no": trade.payment_no,
            "transaction_id": trade.trade_no,
            "trade_type": "NATIVE",
            "trade_state": "SUCCESS" if paid else "PAYERROR",
            "trade_state_desc": "支付成功" if paid else "支付失败",
            "success_time": when.isoformat(timespec="seconds"),
            "payer": {"openid": "sandbox-openid"},
            "amount": {
                "total": wechat_format.to_fen(trade.amount),
                "payer_total": wechat_format.to_fen(trade.amount),
                "currency": "CNY",
                "payer_currency": "CNY",
            },
        }
        body, headers = wechat_format.build_notification(
            transaction=transaction_body,
            event_type="TRANSACTION.SUCCESS" if paid else "TRANSACTION.PAYERROR",
            notify_id=notify_id,
            platform_private_key=keys.platform_private,
            platform_serial_no=keys.platform_serial_no,
            apiv3_key=keys.apiv3_key,
        )
        return body, headers, "application/json"
    params = {
        "notify_time": timezone.localtime().strftime("%Y-%m-%d %H:%M:%S"),
        "notify_type": "trade_status_sync",
        "notify_id": notify_id,
        "app_id": SANDBOX_ALIPAY_APP_ID,
        "charset": "utf-8",
        "version": "1.0",
        "sign_type": "RSA2",
        "trade_no": trade.trade_no,
        "out_trade_no": trade.payment_no,
        "trade_status": "TRADE_SUCCESS" if paid else "TRADE_CLOSED",
        "total_amount": f"{trade.amount:.2f}",
        "receipt_amount": f"{trade.amount:.2f}" if paid else "0.00",
        "gmt_create": when.strftime("%Y-%m-%d %H:%M:%S"),
    }
    if paid:
        params["gmt_payment"] = when.strftime("%Y-%m-%d %H:%M:%S")
    signed = alipay_format.sign_notification(params, keys.platform_private)
    return urlencode(signed), {}, "application/x-www-form-urlencoded"


@transaction.atomic
def sandbox_settle(*, gateway: str, payment_no: str, amount: Decimal, paid: bool) -> SandboxTrade:
    """The shopper pressed Pay (paid=True) or Fail on the cashier: record the trade once per
    payment_no, as a real gateway does, and queue its signed notification."""
    trade = SandboxTrade.objects.filter(payment_no=payment_no, gateway=gateway).first()
    if trade is not None:
        return trade
    try:
        with transaction.atomic():
            trade = SandboxTrade.objects.create(
                gateway=gateway,
                trade_no=_new_trade_no(gateway),
                payment_no=payment_no,
                amount=amount,
                status=SandboxTrade.Status.SUCCESS if paid else SandboxTrade.Status.FAILED,
            )
    except IntegrityError:
        return SandboxTrade.objects.get(payment_no=payment_no, gateway=gateway)
    body, headers, content_type = build_signed_notification(trade)
    notification = SandboxNotification.objects.create(
        trade=trade, body=body, headers=headers, content_type=content_type
    )
    from payments.tasks import deliver_sandbox_notification

    transaction.on_commit(lambda: deliver_sandbox_notification.delay(notification.pk))
    return trade


def sandbox_trades_for_day(gateway: str, day) -> list:
    from payments.gateways.base import TradeStatus

    return [
        TradeStatus(
            payment_no=t.payment_no,
            trade_no=t.trade_no,
            amount=t.amount,
            status="success" if t.status == SandboxTrade.Status.SUCCESS else "failed",
        )
        for t in SandboxTrade.objects.filter(gateway=gateway, created_at__date=day)
    ]
