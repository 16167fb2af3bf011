"""The shopper's orders API: preview, place (idempotent), list, detail, cancel, confirm receipt;
validation errors, other shoppers' orders and the OpenAPI schema."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from catalog.actors import actor_for
from catalog.models import StockRecord
from orders import services
from orders.models import Order, PaymentMethod
from tests.accounts.factories import AddressFactory, UserFactory
from tests.orders.factories_web import (
    cod_order,
    place_order,
    put_in_cart,
    sellable_sku,
    shipped_order,
    shopper_with_address,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def shopper():
    return shopper_with_address()


@pytest.fixture
def client_of(api_client):
    def login(user):
        api_client.force_authenticate(user)
        return api_client

    return login


def order_body(address, sku, quantity=1, **extra):
    return {
        "address_id": str(address.public_id),
        "items": [{"sku_id": sku.pk, "quantity": quantity}],
        "payment_method": "alipay",
        **extra,
    }


# Preview


def test_preview_prices_the_items_with_money_as_two_decimal_strings(shopper, client_of):
    # given
    user, address = shopper
    sku = sellable_sku(price=Decimal("99.90"))

    # when
    response = client_of(user).post(
        "/api/orders/preview/",
        {"address_id": str(address.public_id), "items": [{"sku_id": sku.pk, "quantity": 2}]},
        format="json",
    )

    # then
    assert response.status_code == 200, response.json()
    quote = response.json()
    assert quote["goods_amount"] == "199.80"
    assert quote["lines"][0]["unit_price"] == "99.90"
    assert quote["lines"][0]["quantity"] == 2
    assert quote["merchants"][0]["merchant_name"] == sku.product.merchant.name
    rows_total = sum(Decimal(row["amount"]) for row in quote["breakdown"])
    assert rows_total == Decimal(quote["payable_amount"])
    assert not Order.objects.exists()


def test_preview_without_items_prices_the_cart(shopper, client_of):
    # given
    user, address = shopper
    sku = sellable_sku(price=Decimal("10.00"))
    put_in_cart(user, sku, quantity=3)

    # when
    response = client_of(user).post("/api/orders/preview/", {"address_id": str(address.public_id)})

    # then
    assert response.status_code == 200
    assert [(line["sku_id"], line["quantity"]) for line in response.json()["lines"]] == [
        (sku.pk, 3)
    ]
    assert response.json()["goods_amount"] == "30.00"


def test_preview_of_an_empty_cart_is_a_400(shopper, client_of):
    user, address = shopper

    response = client_of(user).post("/api/orders/preview/", {"address_id": str(address.public_id)})

    assert response.status_code == 400
    assert response.json()["code"] == "empty_order"


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"sku_id": 1}, "quantity"),
        ({"quantity": 1}, "sku_id"),
        ({"sku_id": 1, "quantity": 1.5}, "quantity"),
        ({"sku_id": 1, "quantity": "two"}, "quantity"),
        ({"sku_id": 1, "quantity": 0}, "quantity"),
        ({"sku_id": 1, "quantity": True}, "quantity"),
        ({"sku_id": 1, "quantity": 100000}, "quantity"),
    ],
)
def test_preview_refuses_malformed_items_with_a_clear_message(shopper, client_of, item, field):
    user, address = shopper

    response = client_of(user).post(
        "/api/orders/preview/",
        {"address_id": str(address.public_id), "items": [item]},
        format="json",
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["detail"]


def test_preview_refuses_an_empty_item_list_and_an_unknown_sku(shopper, client_of):
    user, address = shopper
    client = client_of(user)

    empty = client.post(
        "/api/orders/preview/", {"address_id": str(address.public_id), "items": []}, format="json"
    )
    unknown = client.post(
        "/api/orders/preview/",
        {"address_id": str(address.public_id), "items": [{"sku_id": 999999, "quantity": 1}]},
        format="json",
    )

    assert empty.status_code == 400
    assert "items" in empty.json()["detail"]
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "unknown_sku"


def test_preview_with_an_invalid_coupon_says_so(shopper, client_of):
    user, address = shopper
    sku = sellable_sku()

    response = client_of(user).post(
        "/api/orders/preview/",
        {
            "address_id": str(address.public_id),
            "items": [{"sku_id": sku.pk, "quantity": 1}],
            "coupon_code": "NOPE",
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_coupon"


def test_preview_to_another_shoppers_address_is_a_404(shopper, client_of):
    user, _ = shopper
    someone_elses = AddressFactory(user=UserFactory())
    sku = sellable_sku()

    response = client_of(user).post(
        "/api/orders/preview/",
        {"address_id": str(someone_elses.public_id), "items": [{"sku_id": sku.pk, "quantity": 1}]},
        format="json",
    )

    assert response.status_code == 404


def test_anonymous_callers_are_refused(api_client):
    assert api_client.post("/api/orders/preview/", {}, format="json").status_code == 401
    assert api_client.get("/api/orders/").status_code == 401
    assert api_client.post("/api/orders/", {}, format="json").status_code == 401


# Placing an order


def test_placing_an_order_reserves_stock_and_answers_201(shopper, client_of):
    # given
    user, address = shopper
    sku = sellable_sku(price=Decimal("50.00"), stock=5)

    # when
    response = client_of(user).post(
        "/api/orders/",
        order_body(address, sku, quantity=2, buyer_note="Leave at the door"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="checkout-1",
    )

    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending_payment"
    assert body["display_status"] == "pending_payment"
    assert body["display_status_label"] == "Awaiting payment"
    assert body["buyer_note"] == "Leave at the door"
    assert body["address"]["recipient"] == address.recipient
    assert body["lines"][0]["quantity"] == 2
    assert body["goods_amount"] == "100.00"
    assert sum(Decimal(r["amount"]) for r in body["breakdown"]) == Decimal(body["payable_amount"])
    assert body["timeline"][0]["transition"] == "create"
    assert StockRecord.objects.get(sku=sku).sellable == 3


def test_the_same_idempotency_key_returns_the_same_order(shopper, client_of):
    # given
    user, address = shopper
    sku = sellable_sku(stock=5)
    client = client_of(user)
    first = client.post(
        "/api/orders/", order_body(address, sku), format="json", HTTP_IDEMPOTENCY_KEY="k-42"
    )

    # when
    again = client.post(
        "/api/orders/", order_body(address, sku), format="json", HTTP_IDEMPOTENCY_KEY="k-42"
    )

    # then
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["order_no"] == first.json()["order_no"]
    assert Order.objects.filter(user=user).count() == 1
    assert StockRecord.objects.get(sku=sku).sellable == 4


def test_cash_on_delivery_is_confirmed_in_the_same_request(shopper, client_of):
    # given
    user, address = shopper
    sku = sellable_sku(price=Decimal("50.00"), stock=5)

    # when
    response = client_of(user).post(
        "/api/orders/",
        order_body(address, sku, quantity=2, payment_method="cod"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="cod-1",
    )

    # then: no /pay/ call needed; the order is split and waits for the warehouse
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "paid"
    assert body["payment_method"] == "cod"
    assert [s["status"] for s in body["sub_orders"]] == ["awaiting_shipment"]
    assert [e["transition"] for e in body["timeline"]][:2] == ["create", "cod_confirmed"]
    order = Order.objects.get(order_no=body["order_no"])
    assert order.status == Order.Status.PAID
    assert StockRecord.objects.get(sku=sku).sellable == 3


def test_cash_on_delivery_does_not_expire_after_the_payment_timeout(shopper, client_of):
    # given
    user, address = shopper
    sku = sellable_sku(stock=5)
    body = (
        client_of(user)
        .post("/api/orders/", order_body(address, sku, payment_method="cod"), format="json")
        .json()
    )

    # when: the payment deadline passes and the sweep runs
    from orders.tasks import sweep_unpaid_orders_once

    Order.objects.filter(order_no=body["order_no"]).update(
        payment_due_at=timezone.now() - timedelta(minutes=1)
    )
    sweep_unpaid_orders_once()

    # then
    assert Order.objects.get(order_no=body["order_no"]).status == Order.Status.PAID
    assert StockRecord.objects.get(sku=sku).sellable == 4


def test_a_replayed_cash_on_delivery_order_is_confirmed_once(shopper, client_of):
    # given
    user, address = shopper
    sku = sellable_sku(stock=5)
    client = client_of(user)
    first = client.post(
        "/api/orders/",
        order_body(address, sku, payment_method="cod"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="cod-2",
    )

    # when
    again = client.post(
        "/api/orders/",
        order_body(address, sku, payment_method="cod"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="cod-2",
    )

    # then
    assert first.status_code == 201
    assert again.status_code == 200, again.json()
    assert again.json()["order_no"] == first.json()["order_no"]
    assert again.json()["status"] == "paid"
    order = Order.objects.get(user=user)
    assert order.events.filter(transition="cod_confirmed").count() == 1
    assert order.sub_orders.count() == 1
    assert StockRecord.objects.get(sku=sku).sellable == 4


def test_a_replay_confirms_a_cash_on_delivery_order_its_first_request_left_pending(
    shopper, client_of
):
    # given: the first request created the order and died before confirming it
    user, address = shopper
    sku = sellable_sku(stock=5)
    pending = place_order(
        user=user, address=address, sku=sku, payment_method=PaymentMethod.COD, key="cod-3"
    )
    assert pending.status == Order.Status.PENDING_PAYMENT

    # when
    again = client_of(user).post(
        "/api/orders/",
        order_body(address, sku, payment_method="cod"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="cod-3",
    )

    # then
    assert again.status_code == 200, again.json()
    assert again.json()["order_no"] == pending.order_no
    assert again.json()["status"] == "paid"
    assert Order.objects.get(pk=pending.pk).events.filter(transition="cod_confirmed").count() == 1


def test_a_replay_of_a_cash_on_delivery_order_cancelled_since_answers_it_as_it_is(
    shopper, client_of
):
    # given: created pending (before this API confirmed COD) and cancelled since
    user, address = shopper
    sku = sellable_sku(stock=5)
    pending = place_order(
        user=user, address=address, sku=sku, payment_method=PaymentMethod.COD, key="cod-4"
    )
    services.order_cancel(order_no=pending.order_no, actor=actor_for(user))

    # when
    again = client_of(user).post(
        "/api/orders/",
        order_body(address, sku, payment_method="cod"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="cod-4",
    )

    # then: no error, no confirmation
    assert again.status_code == 200, again.json()
    assert again.json()["status"] == "cancelled"
    assert not Order.objects.get(pk=pending.pk).events.filter(transition="cod_confirmed").exists()


def test_an_overlong_idempotency_key_is_a_400(shopper, client_of):
    user, address = shopper

    response = client_of(user).post(
        "/api/orders/",
        order_body(address, sellable_sku()),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k" * 65,
    )

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]


def test_out_of_stock_is_a_409_and_writes_nothing(shopper, client_of):
    user, address = shopper
    sku = sellable_sku(stock=1)

    response = client_of(user).post("/api/orders/", order_body(address, sku, 2), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "out_of_stock"
    assert not Order.objects.exists()
    assert StockRecord.objects.get(sku=sku).sellable == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"payment_method": "bitcoin"}, "payment_method"),
        ({"payment_method": None}, "payment_method"),
        ({"address_id": None}, "address_id"),
        ({"buyer_note": "x" * 256}, "buyer_note"),
    ],
)
def test_placing_refuses_bad_fields(shopper, client_of, change, field):
    user, address = shopper
    body = order_body(address, sellable_sku())
    for key, value in change.items():
        if value is None:
            body.pop(key)
        else:
            body[key] = value

    response = client_of(user).post("/api/orders/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["detail"]
    assert not Order.objects.exists()


# Reading orders


def test_the_list_shows_only_my_orders_newest_first(shopper, client_of):
    # given
    user, address = shopper
    mine = [place_order(user=user, address=address) for _ in range(3)]
    other, other_address = shopper_with_address()
    place_order(user=other, address=other_address)

    # when
    response = client_of(user).get("/api/orders/")

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [o["order_no"] for o in body["results"]] == [o.order_no for o in reversed(mine)]
    assert body["results"][0]["item_count"] == 1
    assert body["results"][0]["payable_amount"] == str(mine[-1].payable_amount)


def test_the_list_filters_by_tab(shopper, client_of):
    user, address = shopper
    pending = place_order(user=user, address=address)
    awaiting_shipment = cod_order(user=user, address=address)
    client = client_of(user)

    unpaid = client.get("/api/orders/", {"status": "awaiting_payment"}).json()
    to_ship = client.get("/api/orders/", {"status": "awaiting_shipment"}).json()
    bad = client.get("/api/orders/", {"status": "lost"})

    assert [o["order_no"] for o in unpaid["results"]] == [pending.order_no]
    assert [o["order_no"] for o in to_ship["results"]] == [awaiting_shipment.order_no]
    assert bad.status_code == 400


def test_the_closed_and_completed_tabs(shopper, client_of):
    user, address = shopper
    cancelled = place_order(user=user, address=address)
    services.order_cancel(order_no=cancelled.order_no, actor=actor_for(user))
    received = shipped_order(user=user, address=address)
    services.order_confirm_receipt(order_no=received.order_no, actor=actor_for(user))
    place_order(user=user, address=address)
    client = client_of(user)

    closed = client.get("/api/orders/", {"status": "closed"}).json()
    completed = client.get("/api/orders/", {"status": "completed"}).json()

    assert [o["order_no"] for o in closed["results"]] == [cancelled.order_no]
    assert [o["order_no"] for o in completed["results"]] == [received.order_no]
    assert completed["results"][0]["display_status_label"] == "Received"


def test_a_tab_of_several_statuses_costs_the_queries_of_the_whole_list(
    shopper, client_of, django_assert_max_num_queries
):
    # given: the "closed" tab gathers cancelled, payment_failed and closed orders
    user, address = shopper
    client = client_of(user)
    for _ in range(3):
        cancelled = place_order(user=user, address=address)
        services.order_cancel(order_no=cancelled.order_no, actor=actor_for(user))
    with django_assert_max_num_queries(8) as whole_list:
        assert client.get("/api/orders/").status_code == 200

    # when / then
    with django_assert_max_num_queries(len(whole_list.captured_queries)):
        response = client.get("/api/orders/", {"status": "closed"})
    assert response.json()["count"] == 3


def test_the_list_costs_the_same_queries_for_2_or_10_orders(
    shopper, client_of, django_assert_max_num_queries
):
    user, address = shopper
    client = client_of(user)
    for _ in range(2):
        cod_order(user=user, address=address)
    with django_assert_max_num_queries(8) as few:
        assert client.get("/api/orders/").status_code == 200
    for _ in range(8):
        cod_order(user=user, address=address)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/api/orders/")

    assert response.json()["count"] == 10


def test_detail_shows_sub_orders_breakdown_and_timeline(shopper, client_of):
    # given
    user, address = shopper
    order = cod_order(user=user, address=address, quantity=2)

    # when
    response = client_of(user).get(f"/api/orders/{order.order_no}/")

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["display_status"] == "awaiting_shipment"
    assert body["payment_method"] == PaymentMethod.COD
    [sub_order] = body["sub_orders"]
    assert sub_order["status"] == "awaiting_shipment"
    assert sub_order["can_confirm_receipt"] is False
    assert body["lines"][0]["sub_order_no"] == sub_order["sub_order_no"]
    assert [e["transition"] for e in body["timeline"]] == ["create", "cod_confirmed", "create"]
    assert body["timeline"][2]["sub_order_no"] == sub_order["sub_order_no"]
    assert body["breakdown"][0]["kind"] == "goods"


def test_detail_of_another_shoppers_order_is_a_404(shopper, client_of):
    user, _ = shopper
    other, other_address = shopper_with_address()
    theirs = place_order(user=other, address=other_address)

    response = client_of(user).get(f"/api/orders/{theirs.order_no}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_detail_costs_the_same_queries_for_1_or_3_merchants(
    shopper, client_of, django_assert_max_num_queries
):
    user, address = shopper
    client = client_of(user)
    small = shipped_order(user=user, address=address)
    large = shipped_order(user=user, address=address, skus=[sellable_sku() for _ in range(3)])
    with django_assert_max_num_queries(10) as one_merchant:
        client.get(f"/api/orders/{small.order_no}/")

    with django_assert_max_num_queries(len(one_merchant.captured_queries)):
        response = client.get(f"/api/orders/{large.order_no}/")

    assert len(response.json()["sub_orders"]) == 3
    assert all(s["can_confirm_receipt"] for s in response.json()["sub_orders"])


# Actions


def test_cancel_a_pending_order_returns_its_stock(shopper, client_of):
    user, address = shopper
    sku = sellable_sku(stock=3)
    order = place_order(user=user, address=address, sku=sku, quantity=2)

    response = client_of(user).post(f"/api/orders/{order.order_no}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["display_status_label"] == "Cancelled"
    assert StockRecord.objects.get(sku=sku).sellable == 3


def test_cancel_of_a_paid_order_is_a_409(shopper, client_of):
    user, address = shopper
    order = cod_order(user=user, address=address)

    response = client_of(user).post(f"/api/orders/{order.order_no}/cancel/")

    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"


def test_cancel_of_another_shoppers_order_is_a_404(shopper, client_of):
    user, _ = shopper
    other, other_address = shopper_with_address()
    theirs = place_order(user=other, address=other_address)

    response = client_of(user).post(f"/api/orders/{theirs.order_no}/cancel/")

    assert response.status_code == 404
    assert Order.objects.get(pk=theirs.pk).status == "pending_payment"


def test_confirm_receipt_of_a_shipped_order(shopper, client_of):
    user, address = shopper
    order = shipped_order(user=user, address=address)

    response = client_of(user).post(f"/api/orders/{order.order_no}/confirm-receipt/")

    assert response.status_code == 200
    assert response.json()["sub_orders"][0]["status"] == "received"
    assert response.json()["display_status"] == "received"


def test_confirm_receipt_before_shipping_is_a_409(shopper, client_of):
    user, address = shopper
    order = cod_order(user=user, address=address)

    response = client_of(user).post(f"/api/orders/{order.order_no}/confirm-receipt/")

    assert response.status_code == 409


def test_confirm_receipt_of_one_sub_order(shopper, client_of):
    user, address = shopper
    order = shipped_order(user=user, address=address)
    sub_order = order.sub_orders.get()

    response = client_of(user).post(f"/api/sub-orders/{sub_order.sub_order_no}/confirm-receipt/")
    stranger = client_of(UserFactory()).post(
        f"/api/sub-orders/{sub_order.sub_order_no}/confirm-receipt/"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "received"
    assert stranger.status_code == 404


def test_token_auth_works_for_the_orders_api(shopper, api_client):
    from rest_framework.authtoken.models import Token

    user, address = shopper
    order = place_order(user=user, address=address)
    token = Token.objects.create(user=user)

    response = api_client.get(
        f"/api/orders/{order.order_no}/", HTTP_AUTHORIZATION=f"Token {token.key}"
    )

    assert response.status_code == 200


# Schema


def test_the_openapi_schema_describes_the_orders_api_and_is_valid():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    validate_schema(schema)
    paths = schema["paths"]
    assert "requestBody" in paths["/api/orders/preview/"]["post"]
    create = paths["/api/orders/"]["post"]
    assert {"200", "201", "400", "409"} <= set(create["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    assert (
        "Cash on delivery (`cod`): the order is confirmed in the same request"
        in (create["description"])
    )
    assert "/api/orders/{order_no}/cancel/" in paths
    assert "/api/sub-orders/{sub_order_no}/confirm-receipt/" in paths


def test_the_schema_endpoint_answers(api_client):
    assert api_client.get("/api/schema/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_two_racing_requests_with_one_key_make_one_order():
    # given
    user, address = shopper_with_address()
    sku = sellable_sku(stock=10)
    barrier = threading.Barrier(2)
    answers = []

    def submit():
        client = APIClient()
        client.force_authenticate(user)
        try:
            barrier.wait()
            answers.append(
                client.post(
                    "/api/orders/",
                    order_body(address, sku),
                    format="json",
                    HTTP_IDEMPOTENCY_KEY="race-1",
                )
            )
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then
    assert len(answers) == 2
    assert {a.status_code for a in answers} <= {200, 201}
    assert {a.json()["order_no"] for a in answers} == {Order.objects.get(user=user).order_no}
    assert StockRecord.objects.get(sku=sku).sellable == 9


def test_only_the_shopper_can_confirm_receipt_not_the_merchant_or_operations(shopper, client_of):
    # given: a shipped order, its merchant's staff and an operations user
    from tests.catalog.factories import MerchantStaffFactory
    from tests.logistics.factories import ops_user

    user, address = shopper
    order = shipped_order(user=user, address=address)
    sub_order = order.sub_orders.get()
    merchant_staff = MerchantStaffFactory(merchant=sub_order.merchant).user
    for staff in (merchant_staff, ops_user()):
        # when: staff try to confirm the parcel or the whole order as received
        by_parcel = client_of(staff).post(
            f"/api/sub-orders/{sub_order.sub_order_no}/confirm-receipt/"
        )
        by_order = client_of(staff).post(f"/api/orders/{order.order_no}/confirm-receipt/")
        # then: not found, and the after-sales clock has not started
        assert by_parcel.status_code == 404 and by_order.status_code == 404
        sub_order.refresh_from_db(fields=["received_at"])
        assert sub_order.received_at is None
    assert order.sub_orders.get().status == "shipped"


@pytest.mark.django_db(transaction=True)
def test_two_racing_cash_on_delivery_requests_with_one_key_confirm_once():
    # given
    user, address = shopper_with_address()
    sku = sellable_sku(stock=10)
    barrier = threading.Barrier(2)
    answers = []

    def submit():
        client = APIClient()
        client.force_authenticate(user)
        try:
            barrier.wait()
            answers.append(
                client.post(
                    "/api/orders/",
                    order_body(address, sku, payment_method="cod"),
                    format="json",
                    HTTP_IDEMPOTENCY_KEY="race-cod",
                )
            )
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then: both answered with the one confirmed order, confirmed and split once
    assert len(answers) == 2
    assert {a.status_code for a in answers} <= {200, 201}
    assert {a.json()["status"] for a in answers} == {"paid"}
    order = Order.objects.get(user=user)
    assert order.events.filter(transition="cod_confirmed").count() == 1
    assert order.sub_orders.count() == 1
    assert StockRecord.objects.get(sku=sku).sellable == 9
