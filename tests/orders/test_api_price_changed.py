"""POST /api/orders/ with `expected_payable`: placed only at the amount the shopper saw, else
409 `price_changed` with the new bill and nothing written; replays of a placed order still
return it."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from catalog.models import SKU, CartItem, StockRecord
from orders import services
from orders.models import Order
from orders.services import checkout
from shop.accounts.models import Coupon, HeldCoupon
from tests.orders.factories_web import put_in_cart, sellable_sku, shopper_with_address

pytestmark = pytest.mark.django_db


@pytest.fixture
def shopper():
    return shopper_with_address()


@pytest.fixture
def client(api_client, shopper):
    api_client.force_authenticate(shopper[0])
    return api_client


def body(address, sku, **extra):
    return {
        "address_id": str(address.public_id),
        "items": [{"sku_id": sku.pk, "quantity": 1}],
        "payment_method": "alipay",
        **extra,
    }


def preview_payable(client, address, sku, **extra) -> str:
    response = client.post("/api/orders/preview/", body(address, sku, **extra), format="json")
    assert response.status_code == 200, response.json()
    return response.json()["payable_amount"]


def held_coupon(user, code="SAVE10") -> HeldCoupon:
    now = timezone.now()
    coupon = Coupon.objects.create(
        code=code,
        name="10 off",
        kind=Coupon.Kind.FIXED,
        value=Decimal("10.00"),
        valid_from=now - timedelta(days=1),
        valid_until=now + timedelta(days=1),
    )
    return HeldCoupon.objects.create(user=user, coupon=coupon)


def test_a_changed_price_is_a_409_with_the_new_bill_and_writes_nothing(shopper, client):
    # given: the shopper saw the price with a coupon, then the price went up
    user, address = shopper
    sku = sellable_sku(price=Decimal("50.00"), stock=5)
    put_in_cart(user, sku)
    held = held_coupon(user)
    seen = preview_payable(client, address, sku, coupon_code="SAVE10")
    SKU.objects.filter(pk=sku.pk).update(price=Decimal("65.00"))

    # when
    response = client.post(
        "/api/orders/",
        body(address, sku, coupon_code="SAVE10", expected_payable=seen),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )

    # then
    assert response.status_code == 409, response.json()
    answer = response.json()
    assert answer["code"] == "price_changed"
    assert answer["expected_payable"] == seen
    assert Decimal(answer["payable_amount"]) == Decimal(seen) + Decimal("15.00")
    assert answer["payable_amount"] == preview_payable(client, address, sku, coupon_code="SAVE10")
    assert sum(Decimal(r["amount"]) for r in answer["breakdown"]) == Decimal(
        answer["payable_amount"]
    )
    assert {r["kind"] for r in answer["breakdown"]} >= {"goods", "coupon"}
    assert "¥" in answer["detail"] and "changed" in answer["detail"]
    assert not Order.objects.exists()
    assert StockRecord.objects.get(sku=sku).sellable == 5
    held.refresh_from_db()
    assert held.used_at is None and not held.used_on_order_no
    assert CartItem.objects.filter(cart__user=user, sku=sku).exists()


def test_the_new_amount_from_the_409_places_the_order(shopper, client):
    # given
    user, address = shopper
    sku = sellable_sku(price=Decimal("50.00"), stock=5)
    seen = preview_payable(client, address, sku)
    SKU.objects.filter(pk=sku.pk).update(price=Decimal("40.00"))
    refused = client.post(
        "/api/orders/",
        body(address, sku, expected_payable=seen),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-2",
    )
    assert refused.status_code == 409

    # when: confirmed with the same key and the new amount
    placed = client.post(
        "/api/orders/",
        body(address, sku, expected_payable=refused.json()["payable_amount"]),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-2",
    )

    # then
    assert placed.status_code == 201, placed.json()
    assert placed.json()["payable_amount"] == refused.json()["payable_amount"]
    assert StockRecord.objects.get(sku=sku).sellable == 4


def test_a_matching_expected_amount_answers_201(shopper, client):
    _, address = shopper
    sku = sellable_sku(price=Decimal("50.00"))
    seen = preview_payable(client, address, sku)

    response = client.post("/api/orders/", body(address, sku, expected_payable=seen), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["payable_amount"] == seen


def test_the_expected_amount_compares_as_money_not_as_text(shopper, client):
    _, address = shopper
    sku = sellable_sku(price=Decimal("50.00"))
    seen = Decimal(preview_payable(client, address, sku))

    response = client.post(
        "/api/orders/", body(address, sku, expected_payable=f"{seen:.1f}"), format="json"
    )

    assert response.status_code == 201, response.json()


def test_without_an_expected_amount_the_order_is_placed_at_the_current_price(shopper, client):
    _, address = shopper
    sku = sellable_sku(price=Decimal("50.00"))
    SKU.objects.filter(pk=sku.pk).update(price=Decimal("70.00"))

    response = client.post("/api/orders/", body(address, sku), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["goods_amount"] == "70.00"


def test_a_replayed_key_returns_its_order_although_the_price_moved_since(shopper, client):
    # given: an order placed at the price seen, then the price changes
    user, address = shopper
    sku = sellable_sku(price=Decimal("50.00"), stock=5)
    seen = preview_payable(client, address, sku)
    first = client.post(
        "/api/orders/",
        body(address, sku, expected_payable=seen),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-3",
    )
    SKU.objects.filter(pk=sku.pk).update(price=Decimal("55.00"))

    # when: the same request again (a retry after a lost answer)
    again = client.post(
        "/api/orders/",
        body(address, sku, expected_payable=seen),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-3",
    )

    # then
    assert first.status_code == 201
    assert again.status_code == 200, again.json()
    assert again.json()["order_no"] == first.json()["order_no"]
    assert again.json()["payable_amount"] == seen
    assert Order.objects.filter(user=user).count() == 1
    assert StockRecord.objects.get(sku=sku).sellable == 4


def test_a_price_that_changes_while_the_order_is_being_placed_is_caught(
    shopper, client, monkeypatch
):
    """The amount compared is the one the order is created with, not a quote taken a moment
    before: a price ending between such a quote and the order is still a 409."""
    # given: the price changes after the request has been read, just before the order is made
    user, address = shopper
    sku = sellable_sku(price=Decimal("50.00"), stock=5)
    seen = preview_payable(client, address, sku)
    order_create = checkout.order_create

    def price_ends_first(**kwargs):
        SKU.objects.filter(pk=sku.pk).update(price=Decimal("60.00"))
        return order_create(**kwargs)

    monkeypatch.setattr(checkout, "order_create", price_ends_first)

    # when
    response = client.post("/api/orders/", body(address, sku, expected_payable=seen), format="json")

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "price_changed"
    assert not Order.objects.exists()
    assert StockRecord.objects.get(sku=sku).sellable == 5


@pytest.mark.parametrize("bad", ["abc", "-1.00", "1.005", "1e400"])
def test_a_malformed_expected_amount_is_a_400(shopper, client, bad):
    _, address = shopper
    sku = sellable_sku()

    response = client.post("/api/orders/", body(address, sku, expected_payable=bad), format="json")

    assert response.status_code == 400
    assert "expected_payable" in response.json()["detail"]
    assert not Order.objects.exists()


def test_the_schema_documents_expected_payable_and_the_409(api_client):
    schema = api_client.get("/api/schema/?format=json").json()
    create = schema["paths"]["/api/orders/"]["post"]
    request_ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    request = schema["components"]["schemas"][request_ref.rsplit("/", 1)[-1]]
    assert "expected_payable" in request["properties"]
    assert "price_changed" in create["responses"]["409"]["description"]
    assert "PriceChanged" in schema["components"]["schemas"]


def _post_in_thread(user, payload, key, answers, barrier):
    client = APIClient()
    client.force_authenticate(user)
    try:
        barrier.wait()
        answers.append(
            client.post("/api/orders/", payload, format="json", HTTP_IDEMPOTENCY_KEY=key)
        )
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_two_racing_requests_with_one_key_and_the_expected_amount_make_one_order():
    # given
    user, address = shopper_with_address()
    sku = sellable_sku(price=Decimal("50.00"), stock=10)
    seen = str(
        services.order_preview(
            user=user, address_id=address.public_id, items=[(sku.pk, 1)]
        ).payable_amount
    )
    barrier = threading.Barrier(2)
    answers = []
    payload = body(address, sku, expected_payable=seen)

    # when
    threads = [
        threading.Thread(target=_post_in_thread, args=(user, payload, "race-pc", answers, barrier))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then
    assert len(answers) == 2
    assert {a.status_code for a in answers} <= {200, 201}, [a.json() for a in answers]
    assert {a.json()["order_no"] for a in answers} == {Order.objects.get(user=user).order_no}
    assert StockRecord.objects.get(sku=sku).sellable == 9


@pytest.mark.django_db(transaction=True)
def test_an_order_racing_a_price_change_is_never_placed_at_another_amount():
    # given: each round, a shopper places at the price seen while the price changes
    user, address = shopper_with_address()
    sku = sellable_sku(price=Decimal("50.00"), stock=100)
    for round_no in range(6):
        seen = services.order_preview(
            user=user, address_id=address.public_id, items=[(sku.pk, 1)]
        ).payable_amount
        barrier = threading.Barrier(2)
        answers = []

        def change_price(barrier=barrier, round_no=round_no):
            try:
                barrier.wait()
                SKU.objects.filter(pk=sku.pk).update(price=Decimal("50.00") + round_no + 1)
            finally:
                connection.close()

        payload = body(address, sku, expected_payable=str(seen))
        threads = [
            threading.Thread(
                target=_post_in_thread, args=(user, payload, f"r{round_no}", answers, barrier)
            ),
            threading.Thread(target=change_price),
        ]

        # when
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        # then: placed at the amount seen, or refused with nothing placed
        (answer,) = answers
        order = Order.objects.filter(user=user, idempotency_key=f"r{round_no}").first()
        if answer.status_code == 201:
            assert order is not None and order.payable_amount == seen
        else:
            assert answer.status_code == 409 and answer.json()["code"] == "price_changed"
            assert order is None
    placed = Order.objects.filter(user=user).count()
    assert StockRecord.objects.get(sku=sku).sellable == 100 - placed
