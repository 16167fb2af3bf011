"""Carriers retry and redeliver: the same push arriving twice at the same moment is stored once
and moves the sub-order once."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

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
        actor=None,
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
                services.tracking_push_receive(adapter_key="sandbox", body=body, headers=headers)
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


def test_two_operators_settling_the_same_lost_parcel_at_once_refund_it_once(
    sandbox_paid_sub_order,
):
    # given: a paid parcel reported lost
    from decimal import Decimal

    from logistics.carriers import ParsedEvent
    from payments.models import Refund
    from tests.logistics.factories import ops_user

    sub_order = sandbox_paid_sub_order(quantities=(2,))
    shipment = services.sub_order_ship_next_parcel(
        sub_order_no=sub_order.sub_order_no,
        carrier_code="sandbox",
        tracking_no="SBX0000002001L",
        actor=None,
    )
    services.tracking_event_record(
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
    operators = [ops_user(), ops_user()]
    start = threading.Barrier(2)
    errors = []

    def settle(operator):
        try:
            start.wait()
            services.shipment_settle_lost(shipment_id=shipment.pk, actor=operator)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=settle, args=(op,)) for op in operators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then: one refund of what was paid, the sub-order closed once
    assert errors == []
    assert list(Refund.objects.values_list("amount", flat=True)) == [Decimal("200.00")]
    assert SubOrder.objects.get(pk=sub_order.pk).status == SubOrder.Status.CLOSED
    assert OrderEvent.objects.filter(sub_order=sub_order, transition="lost_refunded").count() == 1
