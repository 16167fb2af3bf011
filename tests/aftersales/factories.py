"""After-sales built for tests: sub-orders paid the way a shopper pays (a real sandbox payment,
so refunds go through the gateway), shipped in real parcels, received; and cases asked for
through the services."""

import contextlib
import itertools
from decimal import Decimal

from django.db import transaction

from aftersales import services
from aftersales.models import AfterSalesCase, CaseReason, ReturnAddress
from aftersales.seed import ensure_reasons
from catalog.actors import actor_for
from logistics import services as logistics_services
from orders import services as order_services
from orders.models import SubOrder
from payments import services as payment_services
from payments.models import Refund
from tests.catalog.factories import MerchantFactory, StockRecordFactory, WarehouseFactory
from tests.logistics.factories import merchant_staff, ops_user, sku_of
from tests.orders.factories import place_order
from tests.payments.factories import pay_on_cashier

__all__ = ["ensure_reasons", "merchant_staff", "ops_user"]

_tracking = itertools.count(1)


def sandbox_tracking_no() -> str:
    return f"SBX{next(_tracking) + 7_000_000_000:010d}"


def paid_sub_order(
    *,
    quantities=(2,),
    price="100.00",
    shipping_fee="10.00",
    discount="0.00",
    user=None,
    merchant=None,
    on_hand: int = 20,
    capture=None,
) -> SubOrder:
    """A sub-order of one merchant, paid on the sandbox cashier (its notification delivered).
    `capture` is the test's django_capture_on_commit_callbacks fixture (None in a
    transactional test)."""
    merchant = merchant or MerchantFactory()
    warehouse = WarehouseFactory(merchant=merchant, region="上海")
    ReturnAddress.objects.get_or_create(
        merchant=merchant,
        warehouse=None,
        defaults={
            "recipient": "售后部",
            "phone": "02155550000",
            "address": "上海市浦东新区退货路 1 号",
        },
    )
    items = []
    for quantity in quantities:
        sku = sku_of(merchant=merchant, price=price)
        StockRecordFactory(sku=sku, warehouse=warehouse, on_hand=on_hand)
        items.append((sku, quantity))
    kwargs = {"items": items, "discount": Decimal(discount), "shipping_fee": Decimal(shipping_fee)}
    if user is not None:
        kwargs["user"] = user
    order = place_order(**kwargs)
    payment = payment_services.payment_start(
        order_no=order.order_no, user=order.user, method="alipay"
    )
    # In a transactional test the notification is delivered by the real commit.
    with capture(execute=True) if capture else contextlib.nullcontext():
        pay_on_cashier(payment)
    return SubOrder.objects.select_related("order").get(order=order)


def ship(sub_order: SubOrder) -> SubOrder:
    """Pack and hand the sub-order to the sandbox courier in one parcel."""
    logistics_services.sub_order_ship_next_parcel(
        sub_order_no=sub_order.sub_order_no,
        carrier_code="sandbox",
        tracking_no=sandbox_tracking_no(),
        actor=None,
    )
    return SubOrder.objects.select_related("order").get(pk=sub_order.pk)


def receive(sub_order: SubOrder) -> SubOrder:
    if sub_order.status == SubOrder.Status.AWAITING_SHIPMENT:
        sub_order = ship(sub_order)
    order_services.sub_order_confirm_receipt(
        sub_order_no=sub_order.sub_order_no, actor=actor_for(sub_order.order.user)
    )
    return SubOrder.objects.select_related("order").get(pk=sub_order.pk)


def ask(
    sub_order: SubOrder,
    *,
    type="return_refund",
    reason="quality",
    quantities: dict | None = None,
    actor=None,
    evidence_ids=None,
    **fields,
) -> AfterSalesCase:
    """The shopper asks for after-sales on the sub-order (all units of every line unless
    `quantities` maps sku_id -> quantity)."""
    lines = sub_order.lines.order_by("pk")
    wanted = quantities or {line.sku_id: line.quantity for line in lines}
    chosen = CaseReason.objects.filter(code=reason).first()
    if chosen is not None and evidence_ids is None and chosen.evidence_required:
        evidence_ids = [photo(sub_order.order.user).public_id]
    return services.case_create(
        actor=actor_for(actor or sub_order.order.user),
        sub_order_no=sub_order.sub_order_no,
        type=type,
        reason=reason,
        lines=[{"sku_id": sku_id, "quantity": q} for sku_id, q in wanted.items()],
        evidence_ids=evidence_ids,
        **fields,
    )


def photo(user, *, name="photo.png", size=(8, 8)):
    """A real PNG uploaded as evidence by `user`."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    upload = SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
    return services.evidence_upload(actor=actor_for(user), upload=upload)


def png_bytes(size=(8, 8)) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def case_refunds(case: AfterSalesCase) -> list[Refund]:
    return list(Refund.objects.filter(idempotency_key__startswith=f"{case.case_no}-"))


def fresh(case: AfterSalesCase) -> AfterSalesCase:
    return AfterSalesCase.objects.select_related("sub_order", "order", "reason").get(pk=case.pk)


def committed(callable_, on_commit):
    """Call and run what it schedules after commit (refund execution through the gateway)."""
    with on_commit(execute=True), transaction.atomic():
        return callable_()
