"""Faults injected for real: the PostgreSQL connection killed in the middle of a checkout, Redis
(cache and broker) down during checkout and a payment notification. Nothing half-done is kept,
nothing is lost, and the shopper gets a clear answer."""

from decimal import Decimal

import psycopg
import pytest
from django.db import connection

import orders.services.checkout
from catalog.actors import SYSTEM, actor_for
from catalog.models import StockRecord
from orders.models import Order
from payments import services as payment_services
from payments.models import Payment
from tests.orders.factories import shopper_with_address
from tests.orders.factories_web import sellable_sku
from tests.payments.factories import alipay_notification, pending_order

DEAD_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


def _order_body(address, sku, quantity=2):
    return {
        "address_id": str(address.public_id),
        "items": [{"sku_id": sku.pk, "quantity": quantity}],
        "payment_method": "alipay",
    }


def _terminate_this_backend() -> None:
    """Kill the server process behind Django's connection, from another connection: what a
    PostgreSQL restart or failover does to a request in flight."""
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.django_db(transaction=True)
def test_postgres_connection_dropped_mid_checkout_keeps_no_half_order(api_client, monkeypatch):
    # given: a shopper checking out 2 of 10 units
    user, address = shopper_with_address()
    sku = sellable_sku(price=Decimal("50.00"), stock=10)
    api_client.force_authenticate(user)
    real_allocate = orders.services.checkout.stock_allocate_planned

    def allocate_after_the_connection_dies(*args, **kwargs):
        _terminate_this_backend()  # the order row is written; the stock is next
        return real_allocate(*args, **kwargs)

    monkeypatch.setattr(
        orders.services.checkout, "stock_allocate_planned", allocate_after_the_connection_dies
    )
    # when
    response = api_client.post("/api/orders/", _order_body(address, sku), format="json")
    # then: a clear, retryable answer
    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"
    assert response["Retry-After"]
    # and nothing half-made: no order, no stock held (a new connection sees the truth)
    connection.close()
    assert Order.objects.filter(user=user).count() == 0
    assert StockRecord.objects.get(sku=sku).allocated == 0
    # and the shopper's retry, on a fresh connection, goes through
    monkeypatch.setattr(orders.services.checkout, "stock_allocate_planned", real_allocate)
    retry = api_client.post("/api/orders/", _order_body(address, sku), format="json")
    assert retry.status_code == 201, retry.content
    assert StockRecord.objects.get(sku=sku).allocated == 2


@pytest.mark.django_db
def test_checkout_with_redis_down_places_the_order(api_client, dead_broker, settings):
    # given: cache (rate-limit counters) and broker (pushes) both unreachable
    settings.CACHES = DEAD_REDIS
    user, address = shopper_with_address()
    sku = sellable_sku(price=Decimal("50.00"), stock=10)
    api_client.force_authenticate(user)
    # when
    response = api_client.post("/api/orders/", _order_body(address, sku), format="json")
    # then: the order and its stock hold are there; its pushes wait in the outbox for the sweep
    assert response.status_code == 201, response.content
    order = Order.objects.get(order_no=response.json()["order_no"])
    assert order.status == Order.Status.PENDING_PAYMENT
    assert StockRecord.objects.get(sku=sku).allocated == 2


@pytest.mark.django_db
def test_a_payment_notification_with_redis_down_is_applied_once(
    dead_broker, settings, django_capture_on_commit_callbacks, tmp_path_factory
):
    # given
    settings.CACHES = DEAD_REDIS
    settings.PAYMENT_SANDBOX_DIR = str(tmp_path_factory.getbasetemp() / "payments-sandbox")
    order = pending_order(price="80.00")
    payment = payment_services.payment_start(
        order_no=order.order_no, actor=actor_for(order.user), method="alipay"
    )
    body = alipay_notification(payment)
    # when: the gateway notifies, and (not hearing back in time) notifies again
    with django_capture_on_commit_callbacks(execute=True):
        first = payment_services.payment_handle_notification(
            gateway="alipay", body=body, headers={}, actor=SYSTEM
        )
    second = payment_services.payment_handle_notification(
        gateway="alipay", body=body, headers={}, actor=SYSTEM
    )
    # then: paid once, both answered as success
    assert first.ok and second.ok
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.SUCCEEDED
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID


@pytest.mark.django_db
def test_with_redis_down_a_merchant_edits_and_shoppers_search_the_catalogue(client, settings):
    # given: the cache (facets, catalogue version) unreachable
    settings.CACHES = DEAD_REDIS
    sku = sellable_sku(price=Decimal("50.00"), stock=10, title="保温杯 Thermos")

    # when: the product is edited (a save moves the catalogue version on) and searched
    sku.product.subtitle = "500ml"
    sku.product.save()
    response = client.get("/search/", {"q": "保温杯"})

    # then: the edit is saved and the page is computed without its cache
    assert response.status_code == 200
    assert "保温杯 Thermos" in response.content.decode()
