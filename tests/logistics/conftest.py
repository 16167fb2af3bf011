import weakref

import pytest

from catalog.actors import actor_for


@pytest.fixture(autouse=True)
def _sandbox_keys_in_tmp(settings, tmp_path_factory):
    """The payments sandbox keeps its keys outside the repository; tests share one set."""
    settings.PAYMENT_SANDBOX_DIR = str(tmp_path_factory.getbasetemp() / "payments-sandbox")


@pytest.fixture
def sandbox_paid_sub_order(django_capture_on_commit_callbacks):
    """A sub-order paid the way a shopper pays: payment started, Pay pressed on the sandbox
    cashier, the gateway's signed notification delivered."""
    from payments import services as payment_services
    from tests.catalog.factories import MerchantFactory, StockRecordFactory, WarehouseFactory
    from tests.logistics.factories import sku_of
    from tests.orders.factories import place_order
    from tests.payments.factories import pay_on_cashier

    def make(*, quantities=(3,), price="100.00", discount="0.00", shipping_fee="0.00"):
        from decimal import Decimal

        merchant = MerchantFactory()
        warehouse = WarehouseFactory(merchant=merchant)
        items = []
        for quantity in quantities:
            sku = sku_of(merchant=merchant, price=price)
            StockRecordFactory(sku=sku, warehouse=warehouse, on_hand=20)
            items.append((sku, quantity))
        order = place_order(
            items=items, discount=Decimal(discount), shipping_fee=Decimal(shipping_fee)
        )
        payment = payment_services.payment_start(
            order_no=order.order_no, actor=actor_for(order.user), method="alipay"
        )
        with django_capture_on_commit_callbacks(execute=True):
            pay_on_cashier(payment)
        return order.sub_orders.get()

    return make


@pytest.fixture(autouse=True)
def _default_carriers(db):
    """The carriers seeded by migration; a transactional test elsewhere may have flushed them."""
    from logistics.seed import ensure_default_carriers

    ensure_default_carriers()


def _resolved(receiver):
    return receiver() if isinstance(receiver, weakref.ReferenceType) else receiver


@pytest.fixture(autouse=True)
def _without_aftersales(monkeypatch):
    """Logistics' own outcomes: after-sales' receivers of the parcel events (when that app
    connects them) are left out, so these tests see what logistics does and nothing that
    after-sales decides on top (its own tests cover that)."""
    from shop.events import domain_event

    kept = [
        entry
        for entry in domain_event.receivers
        if not getattr(_resolved(entry[1]), "__module__", "").startswith("aftersales")
    ]
    monkeypatch.setattr(domain_event, "receivers", kept)
    domain_event.sender_receivers_cache.clear()
    yield
    domain_event.sender_receivers_cache.clear()
