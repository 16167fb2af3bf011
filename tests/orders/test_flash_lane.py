"""The flash-sale lane of POST /api/orders/ (orders.api.flash_lane, orders.services.flash):
the same rows and the same answer as the ordinary path, fewer statements, the gate's 409
without a transaction, every other case left to the view, and no oversell under real threads."""

import threading
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import OperationalError, connection
from django.db.models import Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from cart.models import Cart, CartItem
from catalog.actors import Actor, Role
from catalog.models import FlashSale, FlashSalePurchase, StockMove
from catalog.selectors import stock_ledger_mismatches
from catalog.services import flash_gate, flash_sales
from notifications.models import OutboxMessage
from orders import services
from orders.api import flash_lane
from orders.models import Order, OrderLine
from orders.services import flash as lane
from tests.orders.factories import shopper_with_address, stock_of, stocked_sku

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_flash_state():
    flash_sales.flash_sales_forget()
    flash_gate.gate_reset_process_state()
    lane.flash_lane_forget()
    yield
    flash_sales.flash_sales_forget()
    flash_gate.gate_reset_process_state()
    lane.flash_lane_forget()


def flash_sale_of(sku, *, price="9.90", limit=1) -> FlashSale:
    now = timezone.now()
    return FlashSale.objects.create(
        sku=sku,
        name="双十一",
        price=Decimal(price),
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=1),
        per_shopper_limit=limit,
    )


def shopper_with_token():
    user, address = shopper_with_address()
    return user, address, Token.objects.create(user=user).key


def attempt(client, sku, address, token, *, key=None, quantity=1, headers=None, **body):
    return client.post(
        "/api/orders/",
        {
            "address_id": str(address.public_id),
            "items": [{"sku_id": sku.pk, "quantity": quantity}],
            "payment_method": "alipay",
            **body,
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
        HTTP_IDEMPOTENCY_KEY=key or uuid.uuid4().hex,
        **(headers or {}),
    )


def _row(obj, *, without=()) -> dict:
    skip = {"id", "order", "order_id", "user", "user_id", "order_no", *without}
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname not in skip and f.name not in skip
    }


def _order_rows(order: Order) -> dict:
    """Everything an order wrote, without what differs between two shoppers by nature."""
    return {
        "order": _row(
            order,
            without={
                "created_at",
                "payment_due_at",
                "idempotency_key",
                "idempotency_fingerprint",
                "recipient",
                "phone",
                "address_detail",
            },
        ),
        "lines": [_row(line, without={"sub_order"}) for line in order.lines.order_by("id")],
        "bill": [_row(row) for row in order.price_lines.order_by("position")],
        "timeline": [
            _row(event, without={"created_at", "actor"}) for event in order.events.order_by("id")
        ],
        "ledger": [
            _row(move, without={"created_at", "actor"})
            for move in StockMove.objects.filter(order_no=order.order_no).order_by("id")
        ],
        "outbox": [
            (
                message.node,
                message.channel,
                message.rule_id,
                message.title.replace(order.order_no, "#"),
                message.body.replace(order.order_no, "#"),
                message.status,
            )
            for message in OutboxMessage.objects.filter(subject_type="order", subject_id=order.pk)
            .exclude(channel="webhook")
            .order_by("id")
        ],
        "limit": list(
            FlashSalePurchase.objects.filter(user_id=order.user_id).values_list(
                "flash_sale_id", "quantity"
            )
        ),
        "cart": CartItem.objects.filter(cart__user_id=order.user_id).count(),
    }


def test_the_lane_writes_what_the_ordinary_path_writes_and_answers_the_same():
    # given: two shoppers alike, each with the sale's SKU in their cart
    sku = stocked_sku(on_hand=10)
    flash_sale_of(sku, limit=2)
    lane_user, lane_address, token = shopper_with_token()
    plain_user, plain_address = shopper_with_address()
    for user in (lane_user, plain_user):
        CartItem.objects.create(cart=Cart.objects.create(user=user), sku=sku, quantity=1)
    client = Client()
    # the lane's reads of the sale are warm, as they are after the sale's first shopper
    _first, first_address, first_token = shopper_with_token()
    assert attempt(client, sku, first_address, first_token, quantity=2).status_code == 201

    # when: one through the lane, the other through order_create
    with CaptureQueriesContext(connection) as queries:
        created = attempt(client, sku, lane_address, token, quantity=2, buyer_note="请周末送货")
    plain = services.order_create(
        actor=Actor(role=Role.SHOPPER, user=plain_user),
        address_id=plain_address.public_id,
        items=[(sku.pk, 2)],
        payment_method="alipay",
        buyer_note="请周末送货",
        idempotency_key="plain",
    )

    # then: the lane answered (the ordinary path runs 22 statements), with the same rows
    assert created.status_code == 201, created.content
    assert len(queries.captured_queries) <= 14, [q["sql"][:80] for q in queries]
    laned = Order.objects.get(order_no=created.json()["order_no"])
    assert _order_rows(laned) == _order_rows(Order.objects.get(pk=plain.pk))
    assert _order_rows(laned)["cart"] == 0
    assert laned.idempotency_fingerprint and laned.buyer_note == "请周末送货"
    assert stock_of(sku).allocated == 6
    assert stock_ledger_mismatches() == []

    # and the answer is the order as its detail reads it
    detail = client.get(
        f"/api/orders/{laned.order_no}/", HTTP_AUTHORIZATION=f"Token {token}"
    ).json()
    assert created.json() == detail


def test_once_the_stock_is_gone_the_lane_answers_409_without_a_transaction():
    # given: one unit, sold
    sku = stocked_sku(on_hand=1)
    flash_sale_of(sku)
    client = Client()
    _user, address, token = shopper_with_token()
    assert attempt(client, sku, address, token).status_code == 201
    _late, late_address, late_token = shopper_with_token()

    # when
    with CaptureQueriesContext(connection) as queries:
        refused = attempt(
            client, sku, late_address, late_token, headers={"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
        )
        refused_en = attempt(client, sku, late_address, late_token)

    # then: one read of the shopper each, nothing written, nothing opened
    assert (refused.status_code, refused_en.status_code) == (409, 409)
    assert refused.json() == {
        "detail": "已售罄。",
        "code": "out_of_stock",
        "sku_id": sku.pk,
        "available": 0,
    }
    assert refused_en.json()["detail"] == "Sold out."
    assert refused["Content-Length"] == str(len(refused.content))
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) == 2 and all(s.lstrip().startswith("SELECT") for s in statements)
    assert Order.objects.count() == 1


def test_a_replayed_key_gets_its_order_even_after_the_stock_is_gone():
    sku = stocked_sku(on_hand=1)
    flash_sale_of(sku)
    client = Client()
    _user, address, token = shopper_with_token()
    first = attempt(client, sku, address, token, key="again")

    replay = attempt(client, sku, address, token, key="again")

    assert (first.status_code, replay.status_code) == (201, 200)
    assert replay.json()["order_no"] == first.json()["order_no"]
    assert Order.objects.count() == 1
    assert flash_gate.gate_read(sku_id=sku.pk) == 0


@pytest.mark.parametrize(
    "case",
    ["over the limit", "not my address", "coupon", "cash on delivery", "bad token", "bad quantity"],
)
def test_what_the_lane_does_not_answer_the_view_answers_as_before(case):
    # given
    sku = stocked_sku(on_hand=10)
    flash_sale_of(sku, limit=1)
    client = Client()
    user, address, token = shopper_with_token()
    _other, other_address = shopper_with_address()
    body, kwargs = {}, {}
    if case == "over the limit":
        assert attempt(client, sku, address, token).status_code == 201
    elif case == "not my address":
        address = other_address
    elif case == "coupon":
        body["coupon_code"] = "NOPE"
    elif case == "cash on delivery":
        body["payment_method"] = "cod"
    elif case == "bad token":
        token = "not-a-token"
    elif case == "bad quantity":
        kwargs["quantity"] = 1000

    # when
    answer = attempt(client, sku, address, token, **kwargs, **body)

    # then: the view's own answer, and the gate holds what the database holds
    expected = {
        "over the limit": (409, "flash_sale_limit"),
        "not my address": (404, "not_found"),
        "coupon": (400, "invalid_coupon"),
        "cash on delivery": (201, None),
        "bad token": (401, "authentication_failed"),
        "bad quantity": (400, "invalid"),
    }[case]
    assert answer.status_code == expected[0], answer.content
    if expected[1]:
        assert answer.json()["code"] == expected[1]
    else:
        assert answer.json()["status"] == "paid"  # a COD order is confirmed at once
    record = stock_of(sku)
    assert flash_gate.gate_read(sku_id=sku.pk) in (None, record.on_hand - record.allocated)


@pytest.mark.django_db(transaction=True)
def test_threads_racing_through_the_lane_sell_exactly_the_stock():
    # given: 12 units, 30 shoppers, 6 threads with their own connections
    units, shoppers = 12, 30
    sku = stocked_sku(on_hand=units)
    flash_sale_of(sku)
    people = [shopper_with_token() for _ in range(shoppers)]
    answers: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(6)

    def shop(share):
        client = Client()
        barrier.wait()
        try:
            for _user, address, token in share:
                status = attempt(client, sku, address, token).status_code
                with lock:
                    answers.append(status)
        finally:
            connection.close()

    threads = [threading.Thread(target=shop, args=(people[i::6],)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # then
    assert sorted(answers) == [201] * units + [409] * (shoppers - units)
    assert Order.objects.count() == units
    assert OrderLine.objects.aggregate(total=Sum("quantity"))["total"] == units
    record = stock_of(sku)
    assert (record.allocated, record.on_hand) == (units, units)
    assert stock_ledger_mismatches() == []
    assert flash_gate.gate_read(sku_id=sku.pk) == 0


@pytest.mark.django_db(transaction=True)
def test_one_shopper_in_four_tabs_gets_the_sales_limit_and_no_more():
    # given: a limit of one, plenty of stock, one shopper sending four attempts at once
    sku = stocked_sku(on_hand=10)
    flash_sale_of(sku, limit=1)
    _user, address, token = shopper_with_token()
    answers: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(4)

    def tab():
        client = Client()
        barrier.wait()
        try:
            status = attempt(client, sku, address, token).status_code
            with lock:
                answers.append(status)
        finally:
            connection.close()

    threads = [threading.Thread(target=tab) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then: one order; the others are told the limit (the lane left them to the view)
    assert sorted(answers) == [201, 409, 409, 409]
    assert Order.objects.count() == 1
    assert FlashSalePurchase.objects.get().quantity == 1
    assert stock_of(sku).allocated == 1
    assert flash_gate.gate_read(sku_id=sku.pk) == 9


def test_a_new_sale_price_reaches_the_lane_as_soon_as_the_running_sales_are_read_again():
    # given: the lane has priced the sale once
    sku = stocked_sku(on_hand=10)
    sale = flash_sale_of(sku, price="9.90", limit=1)
    client = Client()
    _first, first_address, first_token = shopper_with_token()
    first = attempt(client, sku, first_address, first_token)
    assert first.json()["lines"][0]["unit_price"] == "9.90"

    # when: the price is changed where no signal reaches this process (another web process's
    # admin), and the running sales are read again after their cache time
    FlashSale.objects.filter(pk=sale.pk).update(price=Decimal("8.80"))
    _second, second_address, second_token = shopper_with_token()
    with time_machine.travel(timezone.now() + timedelta(seconds=6)):
        answer = attempt(client, sku, second_address, second_token)

    # then
    assert answer.status_code == 201, answer.content
    assert answer.json()["lines"][0]["unit_price"] == "8.80"


def test_where_the_database_has_no_lane_every_attempt_takes_the_view(monkeypatch):
    # given: the lane's SQL is PostgreSQL's, and `make run` may fall back to SQLite
    sku = stocked_sku(on_hand=10)
    flash_sale_of(sku)
    _user, address, token = shopper_with_token()
    monkeypatch.setattr(flash_lane, "database_has_the_lane", lambda: False)

    # when
    with CaptureQueriesContext(connection) as queries:
        answer = attempt(Client(), sku, address, token)

    # then: the view placed it (its own statements), not the lane
    assert answer.status_code == 201, answer.content
    assert not any("WITH new_order" in q["sql"] for q in queries)
    assert len(queries.captured_queries) > 14


def test_a_lock_timeout_in_the_lane_leaves_the_attempt_to_the_view(monkeypatch):
    # given: the hot stock row's lock is not granted in time inside the lane's transaction
    sku = stocked_sku(on_hand=10)
    flash_sale_of(sku)
    _user, address, token = shopper_with_token()

    def lock_not_granted(**_kwargs):
        raise OperationalError("canceling statement due to lock timeout")

    monkeypatch.setattr(lane, "_take_stock", lock_not_granted)

    # when
    answer = attempt(Client(), sku, address, token)

    # then: no 500; the view placed the order, once, and the gate holds what the database holds
    assert answer.status_code == 201, answer.content
    assert Order.objects.count() == 1
    assert stock_of(sku).allocated == 1
    assert flash_gate.gate_read(sku_id=sku.pk) == 9
