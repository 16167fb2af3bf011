"""Demo after-sales: return addresses for every merchant, and a few orders of the demo shopper
with cases in different states, made through the same services a shopper and a merchant use
(paid on the sandbox gateway, so the refunds are real sandbox refunds). Idempotent: nothing is
added once the demo shopper has a case."""

import logging

from django.contrib.auth import get_user_model

from catalog.actors import Actor, actor_for, staff_merchant
from catalog.models import SKU, Merchant
from logistics import services as logistics_services
from logistics.seed import ensure_default_carriers
from orders import services as order_services
from payments import services as payment_services
from payments.sandbox.server import sandbox_settle
from payments.tasks import deliver_sandbox_notification
from shop.celery import app as celery_app

from . import services
from .models import AfterSalesCase, ReturnAddress
from .seed import ensure_reasons

logger = logging.getLogger(__name__)

RETURN_ADDRESS = {"recipient": "售后组", "phone": "4008200820"}


def ensure_return_addresses() -> int:
    made = 0
    for merchant in Merchant.objects.all():
        warehouse = merchant.warehouses.order_by("pk").first()
        _, created = ReturnAddress.objects.get_or_create(
            merchant=merchant,
            warehouse=None,
            defaults={
                **RETURN_ADDRESS,
                "address": (warehouse.address if warehouse and warehouse.address else "")
                or f"{merchant.name} 退货仓, 上海市嘉定区安亭镇墨玉南路 888 号",
            },
        )
        made += created
    return made


def _sandbox_no(n: int) -> str:
    return f"SBX{9_000_000_000 + n:010d}"


def _paid_order(*, shopper, sku: SKU, quantity: int):
    address = shopper.addresses.order_by("-is_default", "pk").first()
    order = order_services.order_place(
        actor=actor_for(shopper),
        address_id=address.public_id,
        items=[(sku.pk, quantity)],
        payment_method="alipay",
    )
    payment = payment_services.payment_start(order_no=order.order_no, user=shopper, method="alipay")
    trade = sandbox_settle(
        gateway="alipay", payment_no=payment.payment_no, amount=payment.amount, paid=True
    )
    # Delivered here and now rather than after commit: the demo may be seeded inside a
    # transaction (tests), where nothing after commit runs.
    deliver_sandbox_notification.apply(args=[trade.notifications.latest("pk").pk])
    return order.sub_orders.get()


def _shipped(sub_order, n: int):
    logistics_services.sub_order_ship_next_parcel(
        sub_order_no=sub_order.sub_order_no,
        carrier_code="sandbox",
        tracking_no=_sandbox_no(n),
        actor=None,
    )
    return sub_order


def _received(sub_order, n: int):
    _shipped(sub_order, n)
    order_services.sub_order_confirm_receipt(
        sub_order_no=sub_order.sub_order_no, actor=actor_for(sub_order.order.user)
    )
    return sub_order


def _ask(sub_order, *, type, reason, description, quantity=None):
    line = sub_order.lines.order_by("pk").first()
    return services.case_create(
        actor=actor_for(sub_order.order.user),
        sub_order_no=sub_order.sub_order_no,
        type=type,
        reason=reason,
        description=description,
        lines=[{"sku_id": line.sku_id, "quantity": quantity or line.quantity}],
    )


def seed_demo_cases() -> int:
    """A refunded cancellation, a request waiting for the merchant, an approved exchange
    waiting for the shopper's parcel, a rejected request under appeal, and a finished
    return. Returns how many cases it added."""
    ensure_return_addresses()
    ensure_default_carriers()  # the demo parcels go with the sandbox courier
    ensure_reasons()
    User = get_user_model()
    shopper = User.objects.filter(username="shopper").first()
    merchant_user = User.objects.filter(username="merchant").first()
    merchant = staff_merchant(merchant_user) if merchant_user else None
    if shopper is None or merchant is None or not shopper.addresses.exists():
        return 0
    if AfterSalesCase.objects.filter(user=shopper).exists():
        return 0
    skus = list(
        SKU.objects.filter(
            product__merchant=merchant,
            is_active=True,
            product__is_active=True,
            stock_records__on_hand__gte=20,
        ).order_by("pk")[:5]
    )
    if len(skus) < 5:
        return 0
    eager = celery_app.conf.task_always_eager
    # Payments, refunds and pushes run in-process, as if the worker took them at once.
    celery_app.conf.task_always_eager = True
    try:
        return _seed(shopper=actor_for(shopper), merchant=actor_for(merchant_user), skus=skus)
    finally:
        celery_app.conf.task_always_eager = eager


def _seed(*, shopper: Actor, merchant: Actor, skus) -> int:
    # 1. Cancelled before shipping: refunded at once.
    services.order_cancel_paid(
        order_no=_paid_order(shopper=shopper.user, sku=skus[0], quantity=1).order.order_no,
        actor=shopper,
        reason="拍错了规格 / Ordered the wrong variant",
    )
    # 2. A return request waiting for the merchant's answer.
    _ask(
        _received(_paid_order(shopper=shopper.user, sku=skus[1], quantity=1), 1),
        type="return_refund",
        reason="no-reason-7d",
        description="不喜欢这个颜色 / Not the colour I expected",
    )
    # 3. An exchange approved: the shopper is to send the item back.
    exchange = _ask(
        _received(_paid_order(shopper=shopper.user, sku=skus[2], quantity=1), 2),
        type="exchange",
        reason="wrong-size",
        description="想换大一号 / One size larger, please",
    )
    services.case_approve(case_no=exchange.case_no, actor=merchant)
    # 4. Rejected after an offer the shopper declined, then appealed to the platform.
    disputed = _ask(
        _received(_paid_order(shopper=shopper.user, sku=skus[3], quantity=2), 3),
        type="return_refund",
        reason="other",
        description="收到后发现有划痕 / Scratched when it arrived",
        quantity=1,
    )
    offer = services.case_offer_make(
        case_no=disputed.case_no,
        actor=merchant,
        type="refund_only",
        refund_amount="10.00",
        note="补偿 10 元, 无需退货 / ¥10 back, keep the item",
    )
    services.case_offer_decline(case_no=disputed.case_no, offer_id=offer.pk, actor=shopper)
    services.case_reject(
        case_no=disputed.case_no,
        actor=merchant,
        reason="出库检验无划痕 / No scratch at dispatch",
    )
    services.case_appeal(
        case_no=disputed.case_no,
        actor=shopper,
        reason="划痕很明显, 请平台介入 / The scratch is obvious, please step in",
    )
    # 5. A return sent back, received and refunded.
    done = _ask(
        _received(_paid_order(shopper=shopper.user, sku=skus[4], quantity=1), 4),
        type="return_refund",
        reason="no-reason-7d",
        description="不需要了 / No longer needed",
    )
    services.case_approve(case_no=done.case_no, actor=merchant)
    services.case_return_ship(
        case_no=done.case_no, actor=shopper, carrier_code="sandbox", tracking_no=_sandbox_no(5)
    )
    services.case_receive_return(case_no=done.case_no, actor=merchant, resellable=True)
    return AfterSalesCase.objects.filter(user=shopper.user).count()
