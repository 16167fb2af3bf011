"""Cases that open by themselves: a parcel refused at the door (refunded when it is back, or
by the platform if it never comes back), a parcel lost by the carrier (refunded at once, the
shopper told), units out of stock at picking (the shopper told and refunded)."""

from decimal import Decimal

import pytest
from django.utils import timezone

from aftersales import services, tasks
from aftersales.models import AfterSalesCase, CaseType
from catalog.actors import actor_for
from logistics import services as logistics_services
from logistics.carriers import ParsedEvent
from logistics.models import Shipment, ShortageRecord, TrackingEvent
from orders.models import SubOrder
from payments.models import Refund
from tests.aftersales.factories import (
    case_refunds,
    fresh,
    merchant_staff,
    ops_user,
    paid_sub_order,
    ship,
)
from tests.orders.factories import capture_domain_events, stock_of

pytestmark = pytest.mark.django_db

Status = AfterSalesCase.Status


def _push(parcel: Shipment, status: str, key: str):
    """The carrier's push about the parcel, through logistics as a webhook would."""
    logistics_services.tracking_event_record(
        carrier_code=parcel.carrier.code,
        events=[
            ParsedEvent(
                tracking_no=parcel.tracking_no,
                status=status,
                carrier_status=status,
                description=status,
                location="",
                occurred_at=timezone.now(),
                dedupe_key=key,
            )
        ],
    )


def _parcel(sub_order) -> Shipment:
    return Shipment.objects.select_related("carrier").get(
        sub_order=sub_order, direction=Shipment.Direction.OUTBOUND
    )


@pytest.fixture
def shipped(django_capture_on_commit_callbacks):
    def make(**kwargs):
        return ship(paid_sub_order(capture=django_capture_on_commit_callbacks, **kwargs))

    return make


def test_a_refused_parcel_opens_a_case_refunded_when_the_parcel_is_back(
    shipped, django_capture_on_commit_callbacks
):
    sub_order = shipped(quantities=(2,))
    parcel = _parcel(sub_order)

    # when the recipient refuses it at the door
    _push(parcel, TrackingEvent.Status.REFUSED, "refused-1")

    # then a refusal case waits for the parcel
    case = AfterSalesCase.objects.get(sub_order=sub_order)
    assert (case.type, case.status) == (CaseType.REFUSAL, Status.APPROVED)
    assert case.receive_by is not None
    assert case_refunds(case) == []

    # when the merchant marks it back in the warehouse
    with django_capture_on_commit_callbacks(execute=True):
        logistics_services.shipment_return_received(
            shipment_id=parcel.pk, actor=merchant_staff(sub_order.merchant)
        )

    # then the shopper has the goods' price back (refused by the buyer: shipping kept)
    case = fresh(case)
    assert case.status == Status.REFUNDED
    assert case.refund_amount == Decimal("200.00")
    assert [r.status for r in case_refunds(case)] == [Refund.Status.SUCCEEDED]


def test_a_refused_parcel_that_never_comes_back_is_refunded_by_the_platform(
    shipped, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    import time_machine

    sub_order = shipped()
    _push(_parcel(sub_order), TrackingEvent.Status.REFUSED, "refused-2")
    case = AfterSalesCase.objects.get(sub_order=sub_order)

    later = time_machine.travel(timezone.now() + timedelta(days=10, minutes=1), tick=False)
    with later, django_capture_on_commit_callbacks(execute=True):
        tasks.sweep_case_deadline_once("receive_by")

    assert fresh(case).status == Status.REFUNDED


def test_a_lost_parcel_is_refunded_at_once_and_the_shopper_is_told(
    shipped, django_capture_on_commit_callbacks
):
    sub_order = shipped(quantities=(1,), shipping_fee="12.00")
    parcel = _parcel(sub_order)

    with capture_domain_events() as events, django_capture_on_commit_callbacks(execute=True):
        _push(parcel, TrackingEvent.Status.LOST, "lost-1")

    case = AfterSalesCase.objects.get(sub_order=sub_order)
    assert case.type == CaseType.LOST
    assert "case.approved" in events.nodes
    case = fresh(case)
    assert case.status == Status.REFUNDED
    assert case.refund_amount == Decimal("112.00")  # the carrier's fault: shipping back too
    sub_order = SubOrder.objects.get(pk=sub_order.pk)
    assert sub_order.status == SubOrder.Status.CLOSED
    parcel = Shipment.objects.get(pk=parcel.pk)
    assert parcel.lost_settled_at is not None


def test_ops_refund_a_parcel_the_carrier_never_reported(
    shipped, django_capture_on_commit_callbacks
):
    # given a parcel the carrier lost without telling anyone (ops found out on the phone)
    sub_order = shipped()
    parcel = _parcel(sub_order)
    Shipment.objects.filter(pk=parcel.pk).update(status=Shipment.Status.LOST)

    with django_capture_on_commit_callbacks(execute=True):
        case = services.parcel_lost(shipment_id=parcel.pk, actor=actor_for(ops_user()))

    assert fresh(case).status == Status.REFUNDED
    # a merchant cannot do it
    from shop.errors import NotFound

    with pytest.raises(NotFound):
        services.parcel_lost(
            shipment_id=parcel.pk, actor=actor_for(merchant_staff(sub_order.merchant))
        )


def test_out_of_stock_at_picking_is_a_case_refunded_automatically(
    django_capture_on_commit_callbacks,
):
    sub_order = paid_sub_order(quantities=(3,), capture=django_capture_on_commit_callbacks)
    line = sub_order.lines.get()
    allocated = stock_of(line.sku).allocated

    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_open_out_of_stock(
            line_id=line.pk,
            quantity=1,
            reason="Damaged in the warehouse",
            actor=actor_for(merchant_staff(sub_order.merchant)),
        )

    case = fresh(case)
    assert (case.type, case.status) == (CaseType.OUT_OF_STOCK, Status.REFUNDED)
    shortage = ShortageRecord.objects.get(order_line=line)
    assert shortage.quantity == 1 and shortage.refund_reference == case.case_no
    assert stock_of(line.sku).allocated == allocated - 1
    sub_order = SubOrder.objects.get(pk=sub_order.pk)
    assert sub_order.status == SubOrder.Status.AWAITING_SHIPMENT

    with django_capture_on_commit_callbacks(execute=True):
        services.case_open_out_of_stock(
            line_id=line.pk, quantity=2, reason="None left", actor=actor_for(ops_user())
        )
    sub_order = SubOrder.objects.get(pk=sub_order.pk)
    assert sub_order.status == SubOrder.Status.CLOSED
    line.refresh_from_db()
    assert line.refunded_amount == line.paid_amount
