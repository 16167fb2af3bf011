"""Refund only (仅退款): before shipment (approved at once, stock back, refund through the
gateway, sub-order closed with the last units), a paid order cancelled before it ships, and a
refund while the parcel is on its way (the merchant intercepts it or has it sent back)."""

from decimal import Decimal

import pytest

from aftersales import services
from aftersales.models import AfterSalesCase, CaseType
from catalog.actors import SYSTEM, actor_for
from orders.models import SubOrder
from payments.models import Refund
from shop.errors import Conflict, InvalidInput, NotFound, TransitionNotAllowed
from tests.aftersales.factories import (
    ask,
    case_refunds,
    fresh,
    merchant_staff,
    paid_sub_order,
    receive,
    ship,
)
from tests.orders.factories import stock_of

pytestmark = pytest.mark.django_db

Status = AfterSalesCase.Status


def test_refund_before_shipment_is_approved_at_once_and_paid_back_through_the_gateway(
    django_capture_on_commit_callbacks,
):
    # given a paid sub-order of 2 x ¥100 plus ¥10 shipping, not shipped
    sub_order = paid_sub_order(
        quantities=(2,), shipping_fee="10.00", capture=django_capture_on_commit_callbacks
    )
    line = sub_order.lines.get()
    allocated_before = stock_of(line.sku).allocated

    # when the shopper asks for a refund of everything
    with django_capture_on_commit_callbacks(execute=True):
        case = ask(sub_order, type=CaseType.REFUND_ONLY, reason="dont-want")

    # then it was approved at once, refunded in full with the shipping, and confirmed
    case = fresh(case)
    assert case.status == Status.REFUNDED
    assert case.refund_amount == Decimal("210.00")
    assert case.shipping_refund == Decimal("10.00")
    [refund] = case_refunds(case)
    assert refund.status == Refund.Status.SUCCEEDED and refund.amount == Decimal("210.00")
    # the stock is sellable again and the sub-order is closed, its hold released
    assert stock_of(line.sku).allocated == allocated_before - 2
    sub_order = SubOrder.objects.get(pk=sub_order.pk)
    assert sub_order.status == SubOrder.Status.CLOSED
    assert sub_order.aftersales_open is False
    assert [e.action for e in case.events.order_by("pk")] == [
        "request",
        "approve",
        "start_refund",
        "refunded",
    ]


def test_a_partial_refund_before_shipment_keeps_the_shipping_and_the_sub_order(
    django_capture_on_commit_callbacks,
):
    # given 3 units, the shopper wants 1 refunded
    sub_order = paid_sub_order(quantities=(3,), capture=django_capture_on_commit_callbacks)
    line = sub_order.lines.get()

    with django_capture_on_commit_callbacks(execute=True):
        case = ask(
            sub_order,
            type=CaseType.REFUND_ONLY,
            reason="dont-want",
            quantities={line.sku_id: 1},
        )

    # then one unit's goods share comes back, no shipping; the other two still ship
    case = fresh(case)
    assert case.status == Status.REFUNDED
    assert case.refund_amount == Decimal("100.00")
    assert case.shipping_refund == Decimal("0.00")
    line.refresh_from_db()
    assert (line.refunded_quantity, line.refunded_amount) == (1, Decimal("100.00"))
    sub_order = SubOrder.objects.get(pk=sub_order.pk)
    assert sub_order.status == SubOrder.Status.AWAITING_SHIPMENT


def test_a_lower_amount_than_the_maximum_is_refunded_as_asked_and_never_more(
    django_capture_on_commit_callbacks,
):
    sub_order = paid_sub_order(quantities=(1,), capture=django_capture_on_commit_callbacks)

    with pytest.raises(InvalidInput) as too_much:
        ask(sub_order, type=CaseType.REFUND_ONLY, reason="dont-want", refund_amount="110.01")
    assert too_much.value.code == "amount_too_high"
    assert not AfterSalesCase.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        case = ask(sub_order, type=CaseType.REFUND_ONLY, reason="dont-want", refund_amount="50")
    assert fresh(case).refund_amount == Decimal("50.00")
    assert sum(r.amount for r in case_refunds(case)) == Decimal("50.00")


def test_cancelling_a_paid_order_before_it_ships_refunds_every_sub_order(
    django_capture_on_commit_callbacks,
):
    sub_order = paid_sub_order(quantities=(1, 2), capture=django_capture_on_commit_callbacks)
    order = sub_order.order

    with django_capture_on_commit_callbacks(execute=True):
        cases = services.order_cancel_paid(order_no=order.order_no, actor=actor_for(order.user))

    [case] = cases
    case = fresh(case)
    assert case.type == CaseType.REFUND_ONLY
    assert case.status == Status.REFUNDED
    assert case.refund_amount == order.payable_amount
    sub_order = SubOrder.objects.get(pk=sub_order.pk)
    assert sub_order.status == SubOrder.Status.CLOSED
    # a second cancel has nothing left to cancel
    with pytest.raises(TransitionNotAllowed):
        services.order_cancel_paid(order_no=order.order_no, actor=actor_for(order.user))


def test_another_shopper_cannot_cancel_or_ask_on_an_order_that_is_not_theirs(
    django_capture_on_commit_callbacks,
):
    sub_order = paid_sub_order(capture=django_capture_on_commit_callbacks)
    stranger = paid_sub_order(capture=django_capture_on_commit_callbacks).order.user

    with pytest.raises(NotFound):
        services.order_cancel_paid(order_no=sub_order.order.order_no, actor=actor_for(stranger))
    with pytest.raises(NotFound):
        ask(sub_order, type=CaseType.REFUND_ONLY, reason="dont-want", actor=stranger)
    assert not AfterSalesCase.objects.exists()


def test_in_transit_the_merchant_intercepts_and_the_refund_follows_the_parcel_back(
    django_capture_on_commit_callbacks,
):
    # given a shipped sub-order and a refund request while it is on its way
    sub_order = ship(paid_sub_order(capture=django_capture_on_commit_callbacks))
    case = ask(sub_order, type=CaseType.REFUND_ONLY, reason="dont-want")
    assert fresh(case).status == Status.REQUESTED
    staff = merchant_staff(sub_order.merchant)

    # when the merchant approves: the parcel is called back
    services.case_approve(case_no=case.case_no, actor=actor_for(staff))
    case = fresh(case)
    assert case.status == Status.INTERCEPTING
    assert case.shipment.intercept_requested_at is not None

    # and the carrier brings it back to the merchant
    with django_capture_on_commit_callbacks(execute=True):
        services.parcel_returned(shipment_id=case.shipment_id, actor=SYSTEM)

    # then the shopper is refunded
    case = fresh(case)
    assert case.status == Status.REFUNDED
    assert sum(r.amount for r in case_refunds(case)) == case.refund_amount


def test_in_transit_the_merchant_may_ask_the_shopper_to_send_it_back_instead(
    django_capture_on_commit_callbacks,
):
    sub_order = ship(paid_sub_order(capture=django_capture_on_commit_callbacks))
    case = ask(sub_order, type=CaseType.REFUND_ONLY, reason="dont-want")

    services.case_approve(
        case_no=case.case_no, actor=actor_for(merchant_staff(sub_order.merchant)), intercept=False
    )

    case = fresh(case)
    assert case.status == Status.AWAITING_RETURN
    assert case.return_ship_by is not None


def test_an_intercept_that_fails_asks_the_shopper_to_return_it(
    django_capture_on_commit_callbacks,
):
    sub_order = ship(paid_sub_order(capture=django_capture_on_commit_callbacks))
    case = ask(sub_order, type=CaseType.REFUND_ONLY, reason="dont-want")
    services.case_approve(case_no=case.case_no, actor=actor_for(merchant_staff(sub_order.merchant)))

    services.parcel_intercept_failed(shipment_id=fresh(case).shipment_id, actor=SYSTEM)

    assert fresh(case).status == Status.AWAITING_RETURN


def test_refund_only_after_receipt_for_missing_items_needs_no_return(
    django_capture_on_commit_callbacks,
):
    sub_order = receive(paid_sub_order(quantities=(2,), capture=django_capture_on_commit_callbacks))
    line = sub_order.lines.get()
    case = ask(
        sub_order, type=CaseType.REFUND_ONLY, reason="missing-items", quantities={line.sku_id: 1}
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.case_approve(
            case_no=case.case_no, actor=actor_for(merchant_staff(sub_order.merchant))
        )

    case = fresh(case)
    assert case.status == Status.REFUNDED
    # the merchant was responsible: the unit's share of the shipping comes back too
    assert case.refund_amount == Decimal("105.00")


def test_two_requests_on_the_same_units_never_both_open(django_capture_on_commit_callbacks):
    sub_order = receive(paid_sub_order(quantities=(2,), capture=django_capture_on_commit_callbacks))
    line = sub_order.lines.get()
    first = ask(sub_order, type=CaseType.RETURN_REFUND, reason="quality")

    with pytest.raises(Conflict) as second:
        ask(sub_order, type=CaseType.EXCHANGE, reason="quality", quantities={line.sku_id: 1})

    assert second.value.code == "units_in_open_case"
    assert second.value.extra["open_case_no"] == first.case_no
    assert AfterSalesCase.objects.count() == 1
