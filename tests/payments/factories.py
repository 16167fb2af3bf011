"""Payments built for tests: pending orders to pay, payments, and gateway notifications signed
exactly as Alipay and WeChat Pay sign them (with the sandbox's keys, or a stranger's)."""

import secrets
from decimal import Decimal
from urllib.parse import urlencode

import factory
from django.utils import timezone

from orders.models import Order
from payments.gateways.crypto import new_private_key_pem
from payments.gateways.wechat import to_fen
from payments.models import Payment
from sandbox import formats
from sandbox.keys import (
    SANDBOX_ALIPAY_APP_ID,
    SANDBOX_WECHAT_APPID,
    SANDBOX_WECHAT_MCHID,
    sandbox_keys,
)
from sandbox.server import sandbox_settle
from shop.ids import new_business_number
from tests.orders.factories import OrderFactory, place_order, stocked_sku


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    payment_no = factory.LazyFunction(lambda: new_business_number("P"))
    order = factory.SubFactory(OrderFactory)
    method = "alipay"
    amount = factory.LazyAttribute(lambda p: p.order.payable_amount)


def fresh(obj):
    """The row as stored now (FSM-protected models cannot refresh_from_db)."""
    return type(obj).objects.get(pk=obj.pk)


def pending_order(*, user=None, price="100.00", quantity=1, due_at=None) -> Order:
    """An order awaiting payment of price x quantity, one line, stock reserved."""
    sku = stocked_sku(price=price)
    return place_order(user=user, items=[(sku, quantity)], due_at=due_at)


def new_trade_no() -> str:
    return f"{timezone.localdate():%Y%m%d}2200{secrets.randbelow(10**16):016d}"


def alipay_notification(
    payment: Payment,
    *,
    amount: Decimal | str | None = None,
    trade_status: str = "TRADE_SUCCESS",
    trade_no: str | None = None,
    private_key: str | None = None,
    payment_no: str | None = None,
) -> bytes:
    """A form-encoded Alipay asynchronous notification, signed RSA2 like Alipay signs it."""
    params = {
        "notify_time": timezone.localtime().strftime("%Y-%m-%d %H:%M:%S"),
        "notify_type": "trade_status_sync",
        "notify_id": secrets.token_hex(16),
        "app_id": SANDBOX_ALIPAY_APP_ID,
        "charset": "utf-8",
        "version": "1.0",
        "sign_type": "RSA2",
        "trade_no": trade_no or new_trade_no(),
        "out_trade_no": payment_no or payment.payment_no,
        "trade_status": trade_status,
        "total_amount": str(amount if amount is not None else f"{payment.amount:.2f}"),
    }
    signed = formats.alipay_sign_notification(
        params, private_key or sandbox_keys().platform_private
    )
    return urlencode(signed).encode()


def wechat_notification(
    payment: Payment,
    *,
    amount: Decimal | None = None,
    trade_state: str = "SUCCESS",
    transaction_id: str | None = None,
    private_key: str | None = None,
    timestamp: int | None = None,
) -> tuple[bytes, dict]:
    """A WeChat Pay v3 notification: encrypted resource, platform signature headers."""
    keys = sandbox_keys()
    total = amount if amount is not None else payment.amount
    body, headers = formats.wechat_build_notification(
        transaction={
            "mchid": SANDBOX_WECHAT_MCHID,
            "appid": SANDBOX_WECHAT_APPID,
            "out_trade_no": payment.payment_no,
            "transaction_id": transaction_id or f"4200{secrets.randbelow(10**24):024d}",
            "trade_type": "NATIVE",
            "trade_state": trade_state,
            "success_time": timezone.localtime().isoformat(timespec="seconds"),
            "amount": {"total": to_fen(Decimal(total)), "currency": "CNY"},
        },
        event_type="TRANSACTION.SUCCESS" if trade_state == "SUCCESS" else "TRANSACTION.PAYERROR",
        notify_id=secrets.token_hex(8),
        platform_private_key=private_key or keys.platform_private,
        platform_serial_no=keys.platform_serial_no,
        apiv3_key=keys.apiv3_key,
        timestamp=timestamp,
    )
    return body.encode(), {**headers, "Content-Type": "application/json"}


def pay_on_cashier(payment: Payment, *, paid: bool = True):
    """What pressing Pay (or Fail) on the sandbox cashier does: the sandbox records the trade
    and queues its signed notification (delivered when the transaction commits)."""
    return sandbox_settle(
        gateway=payment.method, payment_no=payment.payment_no, amount=payment.amount, paid=paid
    )


_stranger_key: list[str] = []


def stranger_private_key() -> str:
    """A well-formed RSA key that is not the gateway's."""
    if not _stranger_key:
        _stranger_key.append(new_private_key_pem())
    return _stranger_key[0]
