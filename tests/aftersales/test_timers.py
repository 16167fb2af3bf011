"""Every case deadline does the default action for the side that did not act, swept by beat;
an open case holds the sub-order's own timers and gives back the time that was left."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from aftersales import services, tasks
from aftersales.models import AfterSalesCase, CaseType
from catalog.actors import SYSTEM, actor_for
from orders.models import SubOrder
from tests.aftersales.factories import (
    ask,
    fresh,
    merchant_staff,
    paid_sub_order,
    photo,
    receive,
    sandbox_tracking_no,
)

pytestmark = pytest.mark.django_db

Status = AfterSalesCase.Status


@pytest.fixture
def received(django_capture_on_commit_callbacks):
    def make(**kwargs):
        return receive(paid_sub_order(capture=django_capture_on_commit_callbacks, **kwargs))

    return make


def _later(**delta):
    return time_machine.travel(timezone.now() + timedelta(**delta), tick=False)


def test_a_request_the_merchant_leaves_unanswered_is_approved_after_48_hours(received):
    case = ask(received(), type=CaseType.RETURN_REFUND, reason="quality")

    with _later(hours=47):
        assert tasks.sweep_case_deadline_once("respond_by") == 0
    assert fresh(case).status == Status.REQUESTED

    with _later(hours=48, minutes=1):
        assert tasks.sweep_case_deadline_once("respond_by") == 1

    case = fresh(case)
    assert case.status == Status.AWAITING_RETURN
    assert [e.action for e in case.events.order_by("pk")][-2:] == ["approve", "await_return"]
    assert case.events.get(action="approve").role == "system"


def test_a_rejection_not_appealed_in_time_closes(received):
    case = ask(received(), type=CaseType.RETURN_REFUND, reason="quality")
    staff = merchant_staff(case.merchant)
    services.case_reject(
        case_no=case.case_no,
        actor=actor_for(staff),
        reason="No",
        evidence_ids=[photo(staff).public_id],
    )

    with _later(days=7, minutes=1):
        tasks.sweep_case_deadline_once("appeal_by")

    case = fresh(case)
    assert case.status == Status.CLOSED
    sub_order = SubOrder.objects.get(pk=case.sub_order_id)
    assert sub_order.aftersales_open is False


def test_a_return_not_shipped_in_time_closes(received):
    case = ask(received(), type=CaseType.RETURN_REFUND, reason="quality")
    services.case_approve(case_no=case.case_no, actor=actor_for(merchant_staff(case.merchant)))

    with _later(days=7, minutes=1):
        tasks.sweep_case_deadline_once("return_ship_by")

    assert fresh(case).status == Status.CLOSED


def test_a_signed_return_the_merchant_does_not_confirm_is_refunded_after_10_days(
    received, django_capture_on_commit_callbacks
):
    case = ask(received(), type=CaseType.RETURN_REFUND, reason="quality")
    services.case_approve(case_no=case.case_no, actor=actor_for(merchant_staff(case.merchant)))
    services.case_return_ship(
        case_no=case.case_no,
        actor=actor_for(case.user),
        carrier_code="sandbox",
        tracking_no=sandbox_tracking_no(),
    )
    signed_at = timezone.now() + timedelta(days=2)
    services.return_parcel_signed(
        shipment_id=fresh(case).return_shipment_id, at=signed_at, actor=SYSTEM
    )
    assert fresh(case).receive_by == signed_at + timedelta(days=10)

    with _later(days=11):
        assert tasks.sweep_case_deadline_once("receive_by") == 0
    with _later(days=12, minutes=1), django_capture_on_commit_callbacks(execute=True):
        assert tasks.sweep_case_deadline_once("receive_by") == 1

    case = fresh(case)
    assert case.status == Status.REFUNDED
    assert case.return_resellable is None  # nobody checked the goods


def test_an_evidence_request_expires(received):
    case = ask(received(), type=CaseType.RETURN_REFUND, reason="quality")
    from tests.aftersales.factories import ops_user

    services.case_request_evidence(
        case_no=case.case_no,
        actor=actor_for(ops_user()),
        party="shopper",
        note="A photo of the label",
    )

    with _later(hours=48, minutes=1):
        tasks.sweep_case_deadline_once("evidence_due_by")

    case = fresh(case)
    assert case.evidence_requested_from == "" and case.evidence_due_by is None
    assert case.events.filter(action="evidence_request_expired").count() == 1


def test_a_timer_and_the_merchant_racing_act_once(received):
    case = ask(received(), type=CaseType.RETURN_REFUND, reason="quality")
    staff = merchant_staff(case.merchant)

    with _later(hours=49):
        services.case_approve(case_no=case.case_no, actor=actor_for(staff))
        # the sweep picked the row before the merchant's answer committed
        services.case_timeout_respond(case_id=case.pk, actor=SYSTEM)

    case = fresh(case)
    assert case.status == Status.AWAITING_RETURN
    assert case.events.filter(action="approve").count() == 1


def test_an_open_case_holds_auto_complete_and_gives_back_the_time_left(received):
    # given a received sub-order whose trade would complete in 7 days
    sub_order = received()
    complete_at = sub_order.auto_complete_at
    case = ask(sub_order, type=CaseType.RETURN_REFUND, reason="quality")

    # when the case is open for 3 days and then withdrawn
    with _later(days=3):
        services.case_cancel(case_no=case.case_no, actor=actor_for(case.user))

    # then the trade completes 3 days later than it would have
    sub_order = SubOrder.objects.get(pk=sub_order.pk)
    assert sub_order.aftersales_open is False
    assert abs(sub_order.auto_complete_at - (complete_at + timedelta(days=3))) < timedelta(
        seconds=5
    )


def test_an_open_case_holds_auto_confirm(django_capture_on_commit_callbacks):
    from orders.tasks import sweep_auto_confirm_once
    from tests.aftersales.factories import ship

    sub_order = ship(paid_sub_order(capture=django_capture_on_commit_callbacks))
    ask(sub_order, type=CaseType.REFUND_ONLY, reason="not-delivered")

    with _later(days=11):
        sweep_auto_confirm_once()

    sub_order = SubOrder.objects.get(pk=sub_order.pk)
    assert sub_order.status == SubOrder.Status.SHIPPED
