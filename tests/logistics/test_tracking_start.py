"""Tracking starts after shipping even when the broker was down at that moment: the merchant's
ship call succeeds, and the beat sweep starts the parcel's tracking once Celery is back."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from catalog.actors import SYSTEM
from logistics import selectors, services, tasks
from logistics.models import Shipment
from logistics.seed import ensure_default_carriers
from orders.models import SubOrder
from tests.catalog.factories import MerchantFactory
from tests.logistics.factories import merchant_staff, paid_sub_order


def ship_by_api(api_client, *, merchant, sub_order, tracking_no):
    token, _ = Token.objects.get_or_create(user=merchant_staff(merchant))
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    packed = api_client.post(
        "/api/merchant/shipments/pack/",
        {"sub_order_no": sub_order.sub_order_no, "carrier": "sandbox"},
    )
    assert packed.status_code == 200, packed.json()
    (parcel,) = packed.json()
    return api_client.post(
        "/api/merchant/shipments/ship/",
        {"shipment_no": parcel["shipment_no"], "carrier": "sandbox", "tracking_no": tracking_no},
    )


@pytest.mark.django_db(transaction=True)
def test_shipping_while_the_broker_is_down_succeeds_and_the_sweep_starts_tracking_later(
    api_client, dead_broker
):
    # given: a paid sub-order, and Celery pointed at a broker nobody listens on
    ensure_default_carriers()  # a transactional test starts from a flushed database
    merchant = MerchantFactory()
    dead_broker.conf.task_always_eager = True  # the order is paid the usual way first
    sub_order = paid_sub_order(merchant=merchant)
    dead_broker.conf.task_always_eager = False

    # when: the merchant ships through the API
    response = ship_by_api(
        api_client, merchant=merchant, sub_order=sub_order, tracking_no="SBX0000007001"
    )

    # then: the shipment stands (no error page after the commit), its tracking has not started
    assert response.status_code == 200, response.content
    shipment = Shipment.objects.get(tracking_no="SBX0000007001")
    assert shipment.status == Shipment.Status.SHIPPED and shipment.tracking_started_at is None
    assert SubOrder.objects.get(pk=sub_order.pk).status == SubOrder.Status.SHIPPED

    # when: the broker is back and the sweep runs past the grace period
    dead_broker.conf.task_always_eager = True
    assert tasks.sweep_untracked_shipments.apply().get() == 0  # still within the grace period
    Shipment.objects.filter(pk=shipment.pk).update(
        shipped_at=timezone.now() - selectors.TRACKING_START_GRACE - timedelta(seconds=1)
    )
    assert tasks.sweep_untracked_shipments.apply().get() == 1

    # then: the sandbox courier played its script and the parcel was signed for
    shipment = Shipment.objects.get(pk=shipment.pk)
    assert shipment.tracking_started_at is not None
    assert shipment.status == Shipment.Status.DELIVERED
    assert shipment.events.count() == 4
    # and the next sweep has nothing left to start
    assert tasks.sweep_untracked_shipments.apply().get() == 0


@pytest.mark.django_db
def test_the_sweep_only_takes_shipped_parcels_it_can_track(settings):
    # given: parcels shipped two hours ago whose tracking never started
    ensure_default_carriers()
    settings.KUAIDI100_KEY = ""
    now = timezone.now()
    shipped = {}
    for tracking_no, carrier_code in [
        ("SBX0000007101", "sandbox"),  # sandbox: due
        ("SBX0000007102", "sandbox"),  # shipped two days ago: given up
        ("SF1460000007103", "SF"),  # Kuaidi100 without a key: cannot be subscribed
    ]:
        sub_order = paid_sub_order()
        services.sub_order_ship_next_parcel(
            sub_order_no=sub_order.sub_order_no,
            carrier_code=carrier_code,
            tracking_no=tracking_no,
            actor=SYSTEM,
        )  # on_commit never runs here: tracking is not started
        shipped[tracking_no] = Shipment.objects.get(tracking_no=tracking_no)
    Shipment.objects.update(shipped_at=now - timedelta(hours=2))
    Shipment.objects.filter(tracking_no="SBX0000007102").update(shipped_at=now - timedelta(days=2))

    # then
    due = selectors.shipment_ids_awaiting_tracking(now=now)
    assert due == [shipped["SBX0000007101"].pk]

    # when: Kuaidi100 gets its key, its parcel becomes due too
    settings.KUAIDI100_KEY = "account-key"
    settings.KUAIDI100_SALT = "our-salt"
    due = selectors.shipment_ids_awaiting_tracking(now=now)
    assert set(due) == {shipped["SBX0000007101"].pk, shipped["SF1460000007103"].pk}

    # when: tracking starts, the parcel leaves the sweep for good
    services.shipment_record_tracking_started(shipment_id=shipped["SBX0000007101"].pk)
    assert selectors.shipment_ids_awaiting_tracking(now=now) == [shipped["SF1460000007103"].pk]


@pytest.mark.django_db
def test_a_swept_start_that_kuaidi100_refuses_is_tried_once_and_left_for_the_next_sweep(
    settings, monkeypatch
):
    # given: a Kuaidi100 parcel whose start was lost two hours ago, and Kuaidi100 refusing
    ensure_default_carriers()
    settings.KUAIDI100_KEY = "account-key"
    settings.KUAIDI100_SALT = "our-salt"
    calls = []

    class Refusal:
        def raise_for_status(self):
            return None

        def json(self):
            return {"result": False, "returnCode": "500", "message": "服务器错误"}

    monkeypatch.setattr("httpx.post", lambda url, **kwargs: calls.append(url) or Refusal())
    sub_order = paid_sub_order()
    services.sub_order_ship_next_parcel(
        sub_order_no=sub_order.sub_order_no,
        carrier_code="SF",
        tracking_no="SF1460000007201",
        actor=SYSTEM,
    )
    Shipment.objects.update(shipped_at=timezone.now() - timedelta(hours=2))
    # when
    assert tasks.sweep_untracked_shipments.apply().get() == 1
    # then: one call, no retry chain of its own; the parcel stays due for the next sweep
    assert len(calls) == 1
    assert Shipment.objects.get().tracking_started_at is None
    assert selectors.shipment_ids_awaiting_tracking(now=timezone.now()) == [
        Shipment.objects.get().pk
    ]
