"""Logistics API: the shopper's tracking (own only) and the merchant's ERP/WMS endpoints
(token auth, scoped to the staff's merchant)."""

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from catalog.actors import SYSTEM
from logistics import services
from orders.models import SubOrder
from tests.accounts.factories import UserFactory
from tests.catalog.factories import MerchantFactory
from tests.logistics.factories import merchant_staff, paid_sub_order, sandbox_push

pytestmark = pytest.mark.django_db


def token_client(api_client, user):
    token, _ = Token.objects.get_or_create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api_client


def shipped_with_events():
    sub_order = paid_sub_order()
    services.sub_order_ship_next_parcel(
        sub_order_no=sub_order.sub_order_no,
        carrier_code="sandbox",
        tracking_no="SBX0000000900",
        actor=SYSTEM,
    )
    body, headers = sandbox_push(
        tracking_no="SBX0000000900",
        events=[("a", "collected", timezone.now()), ("b", "in_transit", timezone.now())],
    )
    services.tracking_push_receive(actor=SYSTEM, adapter_key="sandbox", body=body, headers=headers)
    return sub_order


def test_the_shopper_follows_their_parcel(api_client, django_assert_max_num_queries):
    sub_order = shipped_with_events()
    client = token_client(api_client, sub_order.order.user)

    with django_assert_max_num_queries(6):
        response = client.get(f"/api/sub-orders/{sub_order.sub_order_no}/tracking/")

    assert response.status_code == 200
    body = response.json()
    assert body["sub_order_no"] == sub_order.sub_order_no and body["status"] == "shipped"
    (parcel,) = body["shipments"]
    assert parcel["carrier"] == {"code": "sandbox", "name": "Sandbox Express"}
    assert parcel["tracking_no"] == "SBX0000000900"
    assert [e["status"] for e in parcel["events"]] == ["in_transit", "collected"]


def test_another_shoppers_tracking_is_not_found(api_client):
    sub_order = shipped_with_events()
    client = token_client(api_client, UserFactory())

    response = client.get(f"/api/sub-orders/{sub_order.sub_order_no}/tracking/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_tracking_needs_a_signed_in_shopper(api_client):
    sub_order = shipped_with_events()

    response = api_client.get(f"/api/sub-orders/{sub_order.sub_order_no}/tracking/")

    assert response.status_code == 401


def test_the_merchant_lists_packs_and_ships_its_sub_orders_by_token(api_client):
    # given
    mine, theirs = MerchantFactory(), MerchantFactory()
    own = paid_sub_order(merchant=mine, items=[({"weight": 500}, 2)])
    foreign = paid_sub_order(merchant=theirs)
    client = token_client(api_client, merchant_staff(mine))

    # when: the awaiting list
    listing = client.get("/api/merchant/shipments/").json()

    # then: only mine
    numbers = [row["sub_order_no"] for row in listing["results"]]
    assert numbers == [own.sub_order_no]
    assert listing["results"][0]["lines"][0]["quantity"] == 2

    # when: pack and ship
    packed = client.post(
        "/api/merchant/shipments/pack/", {"sub_order_no": own.sub_order_no, "carrier": "SF"}
    )
    assert packed.status_code == 200
    (parcel,) = packed.json()
    bad = client.post(
        "/api/merchant/shipments/ship/",
        {"shipment_no": parcel["shipment_no"], "carrier": "SF", "tracking_no": "123"},
    )
    good = client.post(
        "/api/merchant/shipments/ship/",
        {"shipment_no": parcel["shipment_no"], "carrier": "SF", "tracking_no": "SF1460000000901"},
    )

    # then
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_tracking_no"
    assert good.status_code == 200 and good.json()["status"] == "shipped"
    assert SubOrder.objects.get(pk=own.pk).status == SubOrder.Status.SHIPPED
    assert client.get("/api/merchant/shipments/").json()["results"] == []

    # and another merchant's sub-order is not found
    response = client.post(
        "/api/merchant/shipments/ship/",
        {"sub_order_no": foreign.sub_order_no, "carrier": "SF", "tracking_no": "SF1460000000902"},
    )
    assert response.status_code == 404
    assert SubOrder.objects.get(pk=foreign.pk).status == SubOrder.Status.AWAITING_SHIPMENT


def test_shipping_a_shipped_sub_order_again_is_a_conflict(api_client):
    mine = MerchantFactory()
    own = paid_sub_order(merchant=mine)
    client = token_client(api_client, merchant_staff(mine))
    first = {"sub_order_no": own.sub_order_no, "carrier": "SF", "tracking_no": "SF1460000000903"}
    assert client.post("/api/merchant/shipments/ship/", first).status_code == 200

    again = client.post(
        "/api/merchant/shipments/ship/", {**first, "tracking_no": "SF1460000000904"}
    )

    assert again.status_code == 409


def test_merchant_endpoints_are_forbidden_to_shoppers(api_client):
    client = token_client(api_client, UserFactory())

    assert client.get("/api/merchant/shipments/").status_code == 403
    response = client.post("/api/merchant/shipments/pack/", {"sub_order_no": "x"})
    assert response.status_code == 403
    assert response.json()["code"]


def test_another_merchants_parcel_is_not_found_like_one_that_does_not_exist(api_client):
    # given: a parcel packed for another merchant's sub-order
    foreign = paid_sub_order(merchant=MerchantFactory())
    (parcel,) = services.shipment_pack(sub_order_id=foreign.pk, actor=SYSTEM, carrier_code="SF")
    client = token_client(api_client, merchant_staff(MerchantFactory()))

    # when: shipping it, and a parcel number nobody has
    def ship(shipment_no):
        return client.post(
            "/api/merchant/shipments/ship/",
            {"shipment_no": shipment_no, "carrier": "SF", "tracking_no": "SF1460000000903"},
        )

    theirs, missing = ship(parcel.shipment_no), ship("S000000000000000")

    # then: the same answer, nothing reveals that the number exists, nothing shipped
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    assert SubOrder.objects.get(pk=foreign.pk).status == SubOrder.Status.AWAITING_SHIPMENT
