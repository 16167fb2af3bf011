"""The flash-sale lane of `POST /api/orders/`: during a sale, the attempts for its SKU are
answered here, before sessions, CSRF, DRF and the serializers, with the same URL, input, output
and errors as OrderListCreateView (which stays the one documented in the OpenAPI schema).

Why: in a sale thousands of shoppers send the same request within seconds and the web tier's
CPU is the limit; the full stack spends about 7 ms of Python per attempt around the order
itself (docs/benchmarks.md). The lane handles only requests it can answer exactly as the view
would: a JSON body with `address_id`, one item of a SKU in a running flash sale, an online
payment method and optionally `buyer_note` (nothing else), `Authorization: Token ...`, within
the shopper's order_create rate. Its answers are the 201 of a new order (the same body as the
view's, tests/orders/test_flash_lane.py compares them) and the 409 `out_of_stock` of the
admission gate. Every other request, and every attempt the lane's service declines (a replayed
key, an unknown address, the limit reached, Redis down ...), goes on to the view unchanged.

It sits after the security, hostile-input and load-shedding middleware, so their checks and
headers apply to its answers too.
"""

import json

from django.db import connection
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework import serializers

from catalog.services.flash_sales import running_flash_sale
from orders.selectors import order_display_status, order_display_status_label
from orders.services import flash as lane
from shop.db import is_postgres
from shop.errors import DomainError
from shop.throttling import PageThrottle

ALLOWED_FIELDS = frozenset({"address_id", "items", "payment_method", "buyer_note"})
MAX_IDEMPOTENCY_KEY_LENGTH = 64
MAX_BUYER_NOTE_LENGTH = 255

_money = serializers.DecimalField(max_digits=12, decimal_places=2)
_datetime = serializers.DateTimeField()


class _ThrottledAs:
    """What PageThrottle reads of a request: the account it counts against (the request itself
    is left as the view will find it, should the lane pass it on)."""

    class _Shopper:
        is_authenticated = True

        def __init__(self, pk: int):
            self.pk = pk

    def __init__(self, request, user_id: int):
        self.META = request.META
        self.user = self._Shopper(user_id)


def database_has_the_lane() -> bool:
    """The lane's statements are PostgreSQL's (data-modifying CTEs, casts): on the embedded
    SQLite fallback of `make run` every attempt takes the view."""
    return is_postgres(connection)


class FlashSaleLaneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.path = None

    def __call__(self, request):
        if request.method != "POST":
            return self.get_response(request)
        if self.path is None:
            self.path = reverse("api-orders")
        if request.path_info != self.path or not database_has_the_lane():
            return self.get_response(request)
        return self._answer(request) or self.get_response(request)

    def _answer(self, request) -> HttpResponse | None:
        attempt = _parse(request)
        if attempt is None:
            return None
        token, address_id, sku_id, quantity, payment_method, buyer_note, key = attempt
        now = timezone.now()
        sale = running_flash_sale(sku_id=sku_id, at=now)
        if sale is None:
            return None
        facts = lane.shopper_facts_load(
            token_key=token, address_public_id=address_id, idempotency_key=key
        )
        if facts is None:
            return None
        if not lane.flash_lane_applies(
            facts=facts, sale=sale, quantity=quantity, payment_method=payment_method, now=now
        ):
            return None
        # The view's own throttle counter, counted here only for attempts the lane answers
        # (so none is counted twice): over the rate the view answers 429 itself.
        if PageThrottle("order_create").wait_for(_ThrottledAs(request, facts.user_id)) is not None:
            return None
        with translation.override(translation.get_language_from_request(request)):
            try:
                outcome = lane.flash_lane_attempt(
                    facts=facts,
                    sale=sale,
                    quantity=quantity,
                    payment_method=payment_method,
                    idempotency_key=key,
                    buyer_note=buyer_note,
                    now=now,
                )
            except DomainError:
                return None  # the view raises it again and answers it as always
            if outcome is None:
                return None
            if isinstance(outcome, lane.SoldOut):
                return _json(outcome.body(), status=409)
            return _json(order_created_body(outcome), status=201)


def _parse(request):
    """The lane's request, or None for anything it does not handle."""
    if request.content_type != "application/json":
        return None
    kind, _space, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if kind != "Token" or not token or " " in token:
        return None
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        return None
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(body, dict) or not body.keys() <= ALLOWED_FIELDS:
        return None
    items = body.get("items")
    if not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], dict):
        return None
    item = items[0]
    sku_id, quantity = item.get("sku_id"), item.get("quantity")
    if item.keys() != {"sku_id", "quantity"} or not all(
        type(value) is int and value > 0 for value in (sku_id, quantity)
    ):
        return None
    address_id, payment_method = body.get("address_id"), body.get("payment_method")
    buyer_note = body.get("buyer_note", "")
    if not all(isinstance(value, str) for value in (address_id, payment_method, buyer_note)):
        return None
    if len(buyer_note.strip()) > MAX_BUYER_NOTE_LENGTH:
        return None
    return token, address_id, sku_id, quantity, payment_method, buyer_note.strip(), key


def _json(body: dict, *, status: int) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type="application/json",
    )
    # What CommonMiddleware, further in, would add: a client reads the body to its length.
    response["Content-Length"] = str(len(response.content))
    response["Vary"] = "Accept, Accept-Language"
    response["Content-Language"] = translation.get_language()
    return response


def order_created_body(written: lane.WrittenOrder) -> dict:
    """OrderDetailSerializer's output for an order just written by the lane (awaiting payment,
    no sub-orders yet), built from its rows without the serializer's field machinery."""
    money, moment = _money.to_representation, _datetime.to_representation
    order = written.order
    return {
        "order_no": order.order_no,
        "status": order.status,
        "display_status": order_display_status(order),
        "display_status_label": str(order_display_status_label(order)),
        "payment_method": order.payment_method,
        "buyer_note": order.buyer_note,
        "address": {
            "recipient": order.recipient,
            "phone": order.phone,
            "province": order.province,
            "city": order.city,
            "district": order.district,
            "detail": order.address_detail,
        },
        "goods_amount": money(order.goods_amount),
        "promotion_discount": money(order.promotion_discount),
        "member_discount": money(order.member_discount),
        "shipping_fee": money(order.shipping_fee),
        "payable_amount": money(order.payable_amount),
        "lines": [
            {
                "sku_id": line.sku_id,
                "sub_order_no": None,
                "product_title": line.product_title,
                "sku_code": line.sku_code,
                "sku_attributes": line.sku_attributes,
                "image_url": line.image_url,
                "unit_price": money(line.unit_price),
                "quantity": line.quantity,
                "goods_amount": money(line.goods_amount),
                "promotion_discount": money(line.promotion_discount),
                "member_discount": money(line.member_discount),
                "shipping_share": money(line.shipping_share),
                "paid_amount": money(line.paid_amount),
                "refunded_amount": money(line.refunded_amount),
                "refunded_quantity": line.refunded_quantity,
            }
            for line in written.lines
        ],
        "breakdown": [
            {
                "kind": row.kind,
                "label": row.label,
                "amount": money(row.amount),
                "merchant_id": row.merchant_id,
            }
            for row in written.price_lines
        ],
        "sub_orders": [],
        "timeline": [
            {
                "created_at": moment(event.created_at),
                "transition": event.transition,
                "from_state": event.from_state,
                "to_state": event.to_state,
                "actor_kind": event.actor_kind,
                "note": event.note,
                "sub_order_no": None,
            }
            for event in written.events
        ],
        "created_at": moment(order.created_at),
        "payment_due_at": moment(order.payment_due_at),
        "paid_at": None,
        "closed_at": None,
        "close_reason": order.close_reason,
    }
