"""Carriers retry and redeliver: the same push arriving twice at the same moment is stored once
and moves the sub-order once."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from catalog.actors import SYSTEM
from logistics import services
from logistics.models import TrackingEvent
from orders.models import OrderEvent, SubOrder
from tests.logistics.factories import paid_sub_order, sandbox_push

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_same_signed_for_push_twice_at_once_delivers_once():
    # given
    sub_order = paid_sub_order()
    services.sub_order_ship_next_parcel(
        sub_order_no=sub_order.sub_order_no,
        carrier_code="sandbox",
        tracking_no="SBX0000002000",
        actor=SYSTEM,
    )
    body, headers = sandbox_push(
        tracking_no="SBX0000002000", events=[("signed-1", "signed", timezone.now())]
    )
    start = threading.Barrier(2)
    answers, errors = [], []

    def push():
        try:
            start.wait()
            answers.append(
                services.tracking_push_receive(
                    actor=SYSTEM, adapter_key="sandbox", body=body, headers=headers
                )
            )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=push) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then
    assert errors == []
    assert [a.status for a in answers] == [200, 200]
    assert TrackingEvent.objects.filter(dedupe_key="signed-1").count() == 1
    assert SubOrder.objects.get(pk=sub_order.pk).status == SubOrder.Status.DELIVERED
    assert OrderEvent.objects.filter(sub_order=sub_order, transition="deliver").count() == 1


def test_two_settlements_of_the_same_lost_parcel_at_once_close_it_once():
    # given: a parcel reported lost, its units refunded by after-sales
    from decimal import Decimal

    from logistics.carriers import ParsedEvent
    from orders import services as order_services
    from payments.models import Refund

    sub_order = paid_sub_order(items=[({}, 2)])
    shipment = services.sub_order_ship_next_parcel(
        sub_order_no=sub_order.sub_order_no,
        carrier_code="sandbox",
        tracking_no="SBX0000002001L",
        actor=SYSTEM,
    )
    services.tracking_event_record(
        actor=SYSTEM,
        carrier_code="sandbox",
        events=[
            ParsedEvent(
                tracking_no=shipment.tracking_no,
                dedupe_key="lost-1",
                status="lost",
                carrier_status="lost",
                description="lost",
                location="",
                occurred_at=timezone.now(),
            )
        ],
    )
    line = sub_order.lines.get()
    order_services.order_line_record_refund(line_id=line.pk, amount=line.paid_amount, quantity=2)
    start = threading.Barrier(2)
    errors = []

    def settle():
        try:
            start.wait()
            services.shipment_lost_settled(shipment_id=shipment.pk, actor=SYSTEM)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=settle) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then: the sub-order closed once, no money moved by logistics
    assert errors == []
    assert not Refund.objects.exists()
    assert line.paid_amount > Decimal("0")
    assert SubOrder.objects.get(pk=sub_order.pk).status == SubOrder.Status.CLOSED
    assert OrderEvent.objects.filter(sub_order=sub_order, transition="lost_refunded").count() == 1
