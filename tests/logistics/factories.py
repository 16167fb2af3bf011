"""Logistics built for tests: paid sub-orders to fulfil, carriers with small limits, merchant
staff, and carrier pushes signed the way the sandbox and Kuaidi100 sign them."""

import json
from datetime import datetime
from decimal import Decimal
from urllib.parse import urlencode

import factory
from django.utils import timezone

from catalog.actors import SYSTEM, actor_for
from catalog.models import SKU
from logistics import services as logistics_services
from logistics.carriers import ParsedEvent, kuaidi100, sandbox
from logistics.models import Carrier, Shipment
from orders.models import PaymentMethod, SubOrder
from shop.roles import PLATFORM_OPS, ensure_role_groups, grant_merchant_staff_role
from tests.catalog.factories import (
    MerchantFactory,
    MerchantStaffFactory,
    ProductFactory,
    SKUFactory,
    StockRecordFactory,
    WarehouseFactory,
)
from tests.orders.factories import paid_order, place_order


class CarrierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Carrier
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Test Courier {n}")
    code = factory.Sequence(lambda n: f"TC{n}")
    tracking_pattern = r"TC\d{8}"
    tracking_example = "TC12345678"
    max_weight_grams = 10_000
    max_volume_cm3 = 50_000
    adapter = Carrier.Adapter.SANDBOX


def sku_of(*, merchant, weight=500, volume=1000, price="100.00", barcode="") -> SKU:
    return SKUFactory(
        product=ProductFactory(merchant=merchant),
        price=Decimal(price),
        weight_grams=weight,
        volume_cm3=volume,
        barcode=barcode,
    )


def paid_sub_order(
    *,
    items: list[tuple[dict, int]] | None = None,
    merchant=None,
    user=None,
    payment_method=PaymentMethod.ALIPAY,
    on_hand: int = 50,
) -> SubOrder:
    """A paid order of one merchant from one warehouse; items are ({sku fields}, quantity)."""
    merchant = merchant or MerchantFactory()
    warehouse = WarehouseFactory(merchant=merchant, region="上海")
    skus = []
    for fields, quantity in items or [({}, 1)]:
        sku = sku_of(merchant=merchant, **fields)
        StockRecordFactory(sku=sku, warehouse=warehouse, on_hand=on_hand, location="A-01-02")
        skus.append((sku, quantity))
    kwargs = {"items": skus, "payment_method": payment_method}
    if user is not None:
        kwargs["user"] = user
    if payment_method == PaymentMethod.COD:
        from orders.services import order_cod_confirm

        order = place_order(**kwargs)
        order = order_cod_confirm(order_no=order.order_no, actor=actor_for(order.user))
    else:
        order = paid_order(**kwargs)
    return order.sub_orders.get()


def merchant_staff(merchant, **user_fields):
    # The role groups exist since migrate (post_migrate); granting creates them if not.
    staff = MerchantStaffFactory(merchant=merchant, user__is_staff=True, **user_fields)
    grant_merchant_staff_role(user=staff.user)
    return staff.user


def ensure_role_groups_once():
    from django.contrib.auth.models import Group

    if not Group.objects.filter(name=PLATFORM_OPS).exists():
        ensure_role_groups()


def ops_user(**fields):
    from django.contrib.auth.models import Group

    from tests.accounts.factories import UserFactory

    ensure_role_groups_once()
    user = UserFactory(is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=PLATFORM_OPS))
    return user


def sandbox_push(
    *,
    tracking_no: str,
    events: list[tuple[str, str, datetime]],
    secret: bytes | None = None,
) -> tuple[bytes, dict]:
    """A sandbox push of (event id, status, when) events, signed (or signed with `secret`)."""
    body = json.dumps(
        {
            "tracking_no": tracking_no,
            "events": [
                {
                    "id": event_id,
                    "status": status,
                    "description": f"Sandbox: {status}",
                    "location": "上海",
                    "time": timezone.localtime(at).isoformat(),
                }
                for event_id, status, at in events
            ],
        }
    ).encode()
    return body, {sandbox.SIGNATURE_HEADER: sandbox.sign(body, secret)}


def kuaidi100_push(
    *, company: str, tracking_no: str, state: str, data: list[dict], salt: str
) -> bytes:
    """A Kuaidi100 subscription push as its documentation shows: form fields param (JSON)
    and sign = upper(md5(param + salt)); data newest first."""
    param = json.dumps(
        {
            "status": "polling",
            "billstatus": "got",
            "message": "",
            "autoCheck": "0",
            "comOld": "",
            "comNew": "",
            "lastResult": {
                "message": "ok",
                "state": state,
                "status": "200",
                "condition": "F00",
                "ischeck": "1" if state == "3" else "0",
                "com": company,
                "nu": tracking_no,
                "data": data,
            },
        },
        ensure_ascii=False,
    )
    return urlencode({"param": param, "sign": kuaidi100.sign_param(param, salt)}).encode()


# Parcels shipped and pushed in one line each (tests of what tracking does to a sub-order).


def push(carrier_code, tracking_no, status, key=None, occurred_at=None):
    """One courier event for a parcel, as the courier's push delivers it (`occurred_at`: when
    the courier says it happened; now by default)."""
    logistics_services.tracking_event_record(
        actor=SYSTEM,
        carrier_code=carrier_code,
        events=[
            ParsedEvent(
                tracking_no=tracking_no,
                dedupe_key=key or f"{tracking_no}-{status}",
                status=status,
                carrier_status=status,
                description=status,
                location="",
                occurred_at=occurred_at or timezone.now(),
            )
        ],
    )


def ship_in_parcels(sub_order, carrier):
    """Pack with `carrier` and ship every parcel; returns the parcels (tracking TC0000000n)."""
    parcels = logistics_services.shipment_pack(
        sub_order_id=sub_order.pk, actor=SYSTEM, carrier_code=carrier.code
    )
    for n, parcel in enumerate(parcels, start=1):
        logistics_services.shipment_ship(
            shipment_id=parcel.pk,
            carrier_code=carrier.code,
            tracking_no=f"TC{n:08d}",
            actor=SYSTEM,
        )
    return [Shipment.objects.get(pk=p.pk) for p in parcels]


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)
