"""After real shipping the clock confirms receipt and completes the trade (orders' sweeps),
except while an after-sales case is open."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from catalog.actors import Role, actor_for
from logistics import services
from orders import services as order_services
from orders.models import OrderEvent, SubOrder
from orders.tasks import sweep_auto_complete_once, sweep_auto_confirm_once
from tests.logistics.factories import paid_sub_order

pytestmark = pytest.mark.django_db


def ship(sub_order, tracking_no):
    services.sub_order_ship_next_parcel(
        sub_order_no=sub_order.sub_order_no,
        carrier_code="sandbox",
        tracking_no=tracking_no,
        actor=None,
    )
    return SubOrder.objects.get(pk=sub_order.pk)


def status_of(sub_order):
    return SubOrder.objects.get(pk=sub_order.pk).status


def test_the_clock_confirms_receipt_then_completes_the_trade():
    # given: shipped through logistics now
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sub_order = ship(paid_sub_order(), "SBX0000000400")
    assert sub_order.status == SubOrder.Status.SHIPPED

    # when: one day short of the auto-confirm deadline nothing happens
    with time_machine.travel(start + timedelta(days=settings.AUTO_CONFIRM_DAYS - 1)):
        sweep_auto_confirm_once()
    assert status_of(sub_order) == SubOrder.Status.SHIPPED

    # when: the deadline passes
    confirmed_at = start + timedelta(days=settings.AUTO_CONFIRM_DAYS, minutes=1)
    with time_machine.travel(confirmed_at, tick=False):
        assert sweep_auto_confirm_once() == 1
    assert status_of(sub_order) == SubOrder.Status.RECEIVED
    event = OrderEvent.objects.get(sub_order=sub_order, transition="confirm")
    assert event.actor_kind == Role.SYSTEM

    # when: the after-sales window passes
    with time_machine.travel(
        confirmed_at + timedelta(days=settings.AFTERSALES_WINDOW_DAYS, minutes=1)
    ):
        assert sweep_auto_complete_once() == 1

    # then
    assert status_of(sub_order) == SubOrder.Status.COMPLETED
    assert OrderEvent.objects.filter(sub_order=sub_order, transition="complete").count() == 1


def test_an_open_after_sales_case_keeps_the_trade_from_completing():
    # given: received, then a case opened
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sub_order = ship(paid_sub_order(), "SBX0000000401")
        order_services.sub_order_confirm_receipt(
            sub_order_no=sub_order.sub_order_no, actor=actor_for(sub_order.order.user)
        )
        order_services.sub_order_set_aftersales_open(sub_order_id=sub_order.pk, is_open=True)

    # when: the window passes
    later = start + timedelta(days=settings.AFTERSALES_WINDOW_DAYS, hours=1)
    with time_machine.travel(later):
        sweep_auto_complete_once()

    # then: still received; once the case settles the next sweep completes it
    assert status_of(sub_order) == SubOrder.Status.RECEIVED
    order_services.sub_order_set_aftersales_open(sub_order_id=sub_order.pk, is_open=False)
    with time_machine.travel(later + timedelta(minutes=1)):
        sweep_auto_complete_once()
    assert status_of(sub_order) == SubOrder.Status.COMPLETED


def test_a_delivered_parcel_is_confirmed_by_the_shopper_on_the_order_page(client):
    # given: shipped and signed for
    from tests.logistics.factories import sandbox_push

    sub_order = ship(paid_sub_order(), "SBX0000000402")
    body, headers = sandbox_push(
        tracking_no="SBX0000000402", events=[("s", "signed", timezone.now())]
    )
    services.tracking_push_receive(adapter_key="sandbox", body=body, headers=headers)
    client.force_login(sub_order.order.user)

    # when
    response = client.post(f"/orders/sub-orders/{sub_order.sub_order_no}/confirm-receipt/")

    # then
    assert response.status_code == 302
    assert status_of(sub_order) == SubOrder.Status.RECEIVED
