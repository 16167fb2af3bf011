import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shop.events import DomainEvent, emit


@pytest.fixture
def make_event():
    def make(node="order.created", subject_id=1, subject_type="order", **kwargs):
        data = {"order_no": "O2026112500001", "path": "/orders/O2026112500001/"}
        data.update(kwargs.pop("data", {}))
        return DomainEvent(
            node=node, subject_type=subject_type, subject_id=subject_id, data=data, **kwargs
        )

    return make


@pytest.fixture
def commit_emit(django_capture_on_commit_callbacks):
    """Emit as a service does, then run what waits for the commit (the delivery task, eager)."""

    def run(event: DomainEvent) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            emit(event)

    return run


@pytest.fixture
def default_rules(db):
    """The seeded rules, re-seeded in case a transactional test elsewhere flushed them."""
    from notifications.seed import push_rules_sync

    push_rules_sync()


@pytest.fixture
def only_rules(db):
    """Start from no rules at all, so a test's own rules are the only ones."""
    from notifications.models import PushRule

    PushRule.objects.all().delete()


@pytest.fixture(autouse=True)
def _sandbox_keys_in_tmp(settings, tmp_path_factory):
    """The payments sandbox keeps its keys outside the repository; tests share one set."""
    settings.PAYMENT_SANDBOX_DIR = str(tmp_path_factory.getbasetemp() / "payments-sandbox")


class MerchantSystem(BaseHTTPRequestHandler):
    """A merchant's ERP on this machine: records what it receives, answers `answer`."""

    received: list = []
    answer = 200

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        MerchantSystem.received.append((dict(self.headers), body))
        self.send_response(MerchantSystem.answer)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def merchant_system(settings):
    """A local merchant system, reachable because the test allows plain http (DEBUG) and
    private hosts, which the webhook check refuses otherwise."""
    settings.DEBUG = True
    settings.NOTIFICATION_WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    MerchantSystem.received = []
    MerchantSystem.answer = 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), MerchantSystem)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield MerchantSystem, f"http://127.0.0.1:{server.server_port}/shop-events"
    server.shutdown()
    server.server_close()


@pytest.fixture
def sandbox_paid_sub_order(django_capture_on_commit_callbacks):
    """A sub-order paid the way a shopper pays: payment started, Pay pressed on the sandbox
    cashier, the gateway's signed notification delivered (pushes delivered too)."""
    from decimal import Decimal

    from payments import services as payment_services
    from tests.catalog.factories import MerchantFactory, StockRecordFactory, WarehouseFactory
    from tests.logistics.factories import sku_of
    from tests.orders.factories import place_order
    from tests.payments.factories import pay_on_cashier

    def make(*, quantities=(1,), price="100.00", user=None):
        merchant = MerchantFactory()
        warehouse = WarehouseFactory(merchant=merchant)
        items = []
        for quantity in quantities:
            sku = sku_of(merchant=merchant, price=price)
            StockRecordFactory(sku=sku, warehouse=warehouse, on_hand=20)
            items.append((sku, quantity))
        kwargs = {"user": user} if user is not None else {}
        order = place_order(items=items, discount=Decimal("0.00"), **kwargs)
        payment = payment_services.payment_start(
            order_no=order.order_no, user=order.user, method="alipay"
        )
        with django_capture_on_commit_callbacks(execute=True):
            pay_on_cashier(payment)
        return order.sub_orders.get()

    return make
