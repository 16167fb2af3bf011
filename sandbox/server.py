"""The sandbox "server": what Alipay and WeChat Pay do on their side, in-process.

It checks the shop's request signatures with the shop's public key, keeps a ledger of trades
(SandboxTrade) and refunds (SandboxRefund) that query and reconciliation read, and when the
shopper presses Pay or Fail on the cashier, writes a notification signed with its own key in the
gateway's exact format and has a Celery task deliver it until the shop acknowledges it.
"""

import json
import secrets
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from wechatpayv3.core import Core
from wechatpayv3.type import RequestType
from wechatpayv3.utils import build_authorization

from payments.gateways.base import GatewayError, TradeStatus
from payments.gateways.wechat import from_fen, to_fen
from shop.celery import send_after_commit

from . import formats
from .keys import SANDBOX_ALIPAY_APP_ID, SANDBOX_WECHAT_APPID, SANDBOX_WECHAT_MCHID, sandbox_keys
from .models import SandboxNotification, SandboxRefund, SandboxTrade
from .tasks import deliver_sandbox_notification


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


def sandbox_alipay_fetch(url: str) -> str:
    """Alipay's gateway answering the shop's signed GET: check the request signature with the
    shop's public key, answer from the ledger, sign the response node with the sandbox's key."""
    keys = sandbox_keys()
    params = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    method = params.get("method", "")
    if params.get("app_id") != SANDBOX_ALIPAY_APP_ID or not formats.alipay_request_verifies(
        params, keys.merchant_public
    ):
        node = {"code": "40002", "msg": "Invalid Arguments", "sub_code": "isv.invalid-signature"}
    else:
        node = _alipay_answer(params)
    return formats.alipay_signed_response(method, node, keys.platform_private)


def _alipay_answer(params: dict) -> dict:
    """Answers the Alipay open-platform methods the shop calls."""
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
        state = "TRADE_SUCCESS" if trade.status == SandboxTrade.Status.SUCCESS else "TRADE_CLOSED"
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
                "amount": {"total": to_fen(trade.amount), "currency": "CNY"},
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
                amount=from_fen(payload["amount"]["refund"]),
            )
            if refund is None:
                return 400, {"code": "INVALID_REQUEST", "message": error}
            return 200, {
                "refund_id": refund.refund_id,
                "out_refund_no": refund.out_refund_no,
                "transaction_id": trade.trade_no,
                "status": "SUCCESS",
                "amount": {"refund": to_fen(refund.amount)},
            }
        if method == "GET" and path.startswith("/v3/refund/domestic/refunds/"):
            refund = SandboxRefund.objects.filter(out_refund_no=path.split("/")[-1]).first()
            if refund is None:
                return 404, {"code": "RESOURCE_NOT_EXISTS", "message": "退款单不存在"}
            return 200, {
                "refund_id": refund.refund_id,
                "status": "SUCCESS",
                "amount": {"refund": to_fen(refund.amount)},
            }
        return 404, {"code": "NOT_FOUND", "message": "unknown endpoint"}


class SandboxWeChatCore(Core):
    """wechatpayv3's Core with its HTTP hop answered by the sandbox in-process: the library
    signs the request (Authorization header), the sandbox checks that signature with the shop's
    public key as WeChat Pay does, answers from the ledger and signs the answer with its platform
    key, and the library verifies that signature before the adapter reads the answer."""

    def request(
        self,
        path,
        method=RequestType.GET,
        data=None,
        skip_verify=False,
        sign_data=None,
        files=None,
        cipher_data=False,
        headers=None,
    ):
        keys = sandbox_keys()
        authorization = build_authorization(
            path, method.value, self._mchid, self._cert_serial_no, self._private_key, data=data
        )
        body = json.dumps(data) if data else ""
        if formats.wechat_authorization_verifies(
            authorization,
            method=method.value,
            path=path,
            body=body,
            public_pem=keys.merchant_public,
        ):
            status, payload = SandboxWeChatTransport().request(method.value, path, data)
        else:
            status, payload = 401, {"code": "SIGN_ERROR", "message": "签名错误"}
        text = json.dumps(payload, ensure_ascii=False)
        answer_headers = formats.wechat_signed_headers(
            text, private_pem=keys.platform_private, serial_no=keys.platform_serial_no
        )
        verify = 200 <= status < 300 and not skip_verify
        if verify and not self._verify_signature(answer_headers, text):
            raise GatewayError("WeChat Pay (sandbox) answer signature does not verify")
        return status, text


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
                "total": to_fen(trade.amount),
                "payer_total": to_fen(trade.amount),
                "currency": "CNY",
                "payer_currency": "CNY",
            },
        }
        body, headers = formats.wechat_build_notification(
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
    signed = formats.alipay_sign_notification(params, keys.platform_private)
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
    body, _, content_type = build_signed_notification(trade)
    # Signed again at each delivery (sandbox.delivery): the first one is due now.
    notification = SandboxNotification.objects.create(
        trade=trade, body=body, content_type=content_type, next_attempt_at=timezone.now()
    )
    send_after_commit(
        deliver_sandbox_notification, notification.pk, swept_by="sweep_sandbox_notifications"
    )
    return trade


def sandbox_trades_for_day(gateway: str, day) -> list[TradeStatus]:
    return [
        TradeStatus(
            payment_no=t.payment_no,
            trade_no=t.trade_no,
            amount=t.amount,
            status="success" if t.status == SandboxTrade.Status.SUCCESS else "failed",
        )
        for t in SandboxTrade.objects.filter(gateway=gateway, created_at__date=day)
    ]
