"""The sandbox courier plays its script after shipping (Celery, eager in tests, through the
real webhook handler), and the shopper's order page shows the parcels' tracking."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.actors import SYSTEM
from logistics import services
from logistics.models import Shipment, TrackingEvent
from orders.models import SubOrder
from tests.catalog.factories import MerchantFactory
from tests.logistics.factories import CarrierFactory, paid_sub_order, sandbox_push

pytestmark = pytest.mark.django_db


def ship_and_play(django_capture_on_commit_callbacks, tracking_no, **kwargs):
    sub_order = paid_sub_order(**kwargs)
    with django_capture_on_commit_callbacks(execute=True):
        services.sub_order_ship_next_parcel(
            sub_order_no=sub_order.sub_order_no,
            carrier_code="sandbox",
            tracking_no=tracking_no,
            actor=SYSTEM,
        )
    return SubOrder.objects.get(pk=sub_order.pk)


def test_the_sandbox_courier_pushes_its_events_until_signed_for(
    django_capture_on_commit_callbacks,
):
    sub_order = ship_and_play(django_capture_on_commit_callbacks, "SBX0000001000")

    shipment = Shipment.objects.get(sub_order=sub_order)
    assert list(shipment.events.values_list("status", flat=True)) == [
        "collected",
        "in_transit",
        "out_for_delivery",
        "signed",
    ]
    assert shipment.status == Shipment.Status.DELIVERED
    assert sub_order.status == SubOrder.Status.DELIVERED


def test_a_tracking_number_ending_in_r_plays_a_refusal(django_capture_on_commit_callbacks):
    sub_order = ship_and_play(django_capture_on_commit_callbacks, "SBX0000001001R")

    assert Shipment.objects.get(sub_order=sub_order).status == Shipment.Status.REFUSED
    assert sub_order.status == SubOrder.Status.CLOSED


def test_a_setting_plays_a_lost_parcel(django_capture_on_commit_callbacks, settings):
    settings.LOGISTICS_SANDBOX_OUTCOME = "lost"

    sub_order = ship_and_play(django_capture_on_commit_callbacks, "SBX0000001002")

    shipment = Shipment.objects.get(sub_order=sub_order)
    assert shipment.status == Shipment.Status.LOST
    assert shipment.events.last().status == "lost"
    assert sub_order.status == SubOrder.Status.SHIPPED  # the auto-confirm sweep still runs


def test_the_order_page_shows_each_parcels_tracking_newest_first(client):
    # given: shipped, two events pushed out of order
    sub_order = paid_sub_order()
    services.sub_order_ship_next_parcel(
        sub_order_no=sub_order.sub_order_no,
        carrier_code="sandbox",
        tracking_no="SBX0000001003",
        actor=SYSTEM,
    )
    now = timezone.now()
    for event_id, status, at in (("2", "in_transit", now), ("1", "collected", now - timedelta(1))):
        body, headers = sandbox_push(tracking_no="SBX0000001003", events=[(event_id, status, at)])
        services.tracking_push_receive(
            actor=SYSTEM, adapter_key="sandbox", body=body, headers=headers
        )
    client.force_login(sub_order.order.user)

    # when
    response = client.get(reverse("orders:detail", args=[sub_order.order.order_no]))

    # then
    html = response.content.decode()
    assert 'data-testid="tracking"' in html and "SBX0000001003" in html
    assert html.index("Sandbox: in_transit") < html.index("Sandbox: collected")
    assert "Sandbox Express" in html


def test_the_order_page_costs_the_same_queries_for_one_or_many_parcels_and_events(
    client, django_assert_max_num_queries
):
    # given: one parcel with one event
    def order_with(parcels, events):
        carrier = CarrierFactory(max_weight_grams=500, tracking_pattern=r"TC\d{8}")
        sub_order = paid_sub_order(merchant=MerchantFactory(), items=[({"weight": 500}, parcels)])
        for parcel in services.shipment_pack(
            sub_order_id=sub_order.pk, actor=SYSTEM, carrier_code=carrier.code
        ):
            number = f"TC{parcel.pk:08d}"
            services.shipment_ship(
                shipment_id=parcel.pk, carrier_code=carrier.code, tracking_no=number, actor=SYSTEM
            )
            for i in range(events):
                TrackingEvent.objects.create(
                    shipment=parcel,
                    dedupe_key=str(i),
                    status="in_transit",
                    description=f"scan {i}",
                    occurred_at=timezone.now(),
                )
        return sub_order.order

    small = order_with(1, 1)
    client.force_login(small.user)
    with django_assert_max_num_queries(30) as one:
        client.get(reverse("orders:detail", args=[small.order_no]))

    # when: four parcels with five events each
    large = order_with(4, 5)
    client.force_login(large.user)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("orders:detail", args=[large.order_no]))

    # then
    assert response.content.decode().count('data-testid="tracking-parcel"') == 4


def test_with_a_worker_the_sandbox_courier_posts_to_the_webhook_url(monkeypatch, settings):
    # given: a shipped sandbox parcel, and a real worker (not eager)
    from logistics import tasks

    sub_order = paid_sub_order()
    shipment = services.sub_order_ship_next_parcel(
        sub_order_no=sub_order.sub_order_no,
        carrier_code="sandbox",
        tracking_no="SBX0000001090",
        actor=SYSTEM,
    )
    settings.SANDBOX_CALLBACK_URL = "http://127.0.0.1:8000/"
    monkeypatch.setattr(tasks, "_eager", lambda: False)
    posted = []

    class Answer:
        def raise_for_status(self):
            return None

    monkeypatch.setattr("httpx.post", lambda url, **kwargs: posted.append(url) or Answer())
    monkeypatch.setattr(tasks.sandbox_push_next, "apply_async", lambda *a, **k: None)

    # when: the script's first step
    tasks.sandbox_push_next.run(shipment.pk, 0)

    # then: to the carrier webhook's route
    assert posted == [
        "http://127.0.0.1:8000" + reverse("api-logistics-webhook", kwargs={"carrier": "sandbox"})
    ]
    assert posted[0].endswith("/api/logistics/webhook/sandbox/")
