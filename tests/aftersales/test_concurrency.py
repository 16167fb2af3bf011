"""Real threads on real PostgreSQL, each with its own connection and transaction: whatever
races, exactly one side wins, money is refunded once and stock restored once."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from aftersales import services
from aftersales.models import AfterSalesCase, CaseType
from catalog.actors import SYSTEM, actor_for
from catalog.selectors import stock_ledger_mismatches
from orders.models import OrderLine
from payments.models import Refund
from shop.errors import DomainError
from tests.aftersales.factories import (
    ask,
    case_refunds,
    fresh,
    merchant_staff,
    paid_sub_order,
    photo,
    receive,
)
from tests.orders.factories import stock_of

pytestmark = pytest.mark.django_db(transaction=True)

Status = AfterSalesCase.Status


def run_together(calls):
    """Start every call at the same moment in its own thread; each call's result or error."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait()
            outcomes[i] = call()
        except Exception as error:  # the outcome under test
            outcomes[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def _cases(outcomes):
    return [o for o in outcomes if isinstance(o, AfterSalesCase)]


def _refused(outcomes):
    return [o for o in outcomes if isinstance(o, DomainError)]


def test_two_requests_for_the_same_units_open_one_case():
    sub_order = receive(paid_sub_order(quantities=(1,)))

    outcomes = run_together(
        [
            lambda: ask(sub_order, type=CaseType.RETURN_REFUND, reason="no-reason-7d"),
            lambda: ask(sub_order, type=CaseType.EXCHANGE, reason="wrong-size"),
        ]
    )

    assert len(_cases(outcomes)) == 1, outcomes
    assert len(_refused(outcomes)) == 1, outcomes
    assert AfterSalesCase.objects.count() == 1


def test_the_same_idempotency_key_twice_at_once_is_one_case():
    sub_order = receive(paid_sub_order(quantities=(1,)))

    def create():
        return ask(
            sub_order, type=CaseType.RETURN_REFUND, reason="no-reason-7d", idempotency_key="k-1"
        )

    outcomes = run_together([create, create])

    assert [type(o) for o in outcomes] == [AfterSalesCase, AfterSalesCase], outcomes
    assert outcomes[0].pk == outcomes[1].pk
    assert AfterSalesCase.objects.count() == 1


def test_approve_racing_the_shoppers_cancel_ends_one_way():
    sub_order = receive(paid_sub_order(quantities=(1,)))
    case = ask(sub_order, type=CaseType.RETURN_REFUND, reason="no-reason-7d")
    staff = merchant_staff(sub_order.merchant)

    outcomes = run_together(
        [
            lambda: services.case_approve(case_no=case.case_no, actor=actor_for(staff)),
            lambda: services.case_cancel(case_no=case.case_no, actor=actor_for(case.user)),
        ]
    )

    case = fresh(case)
    # either the cancel won, or the approval won and the cancel then withdrew the approved
    # return (allowed before the goods are on their way): one transition each, in order
    actions = [e.action for e in case.events.order_by("pk")]
    assert case.status in (Status.CANCELLED, Status.AWAITING_RETURN)
    assert actions.count("approve") <= 1 and actions.count("cancel") <= 1
    if case.status == Status.AWAITING_RETURN:
        assert isinstance(outcomes[1], DomainError)


def test_the_response_timer_racing_the_merchants_rejection_acts_once():
    sub_order = receive(paid_sub_order(quantities=(1,)))
    case = ask(sub_order, type=CaseType.RETURN_REFUND, reason="no-reason-7d")
    staff = merchant_staff(sub_order.merchant)
    evidence = photo(staff).public_id

    with time_machine.travel(timezone.now() + timedelta(hours=49), tick=False):
        outcomes = run_together(
            [
                lambda: services.case_timeout_respond(case_id=case.pk, actor=SYSTEM),
                lambda: services.case_reject(
                    case_no=case.case_no,
                    actor=actor_for(staff),
                    reason="Used",
                    evidence_ids=[evidence],
                ),
            ]
        )

    case = fresh(case)
    assert case.status in (Status.AWAITING_RETURN, Status.REJECTED), outcomes
    assert case.events.filter(action__in=["approve", "reject"]).count() == 1


def test_the_return_confirmed_twice_at_once_refunds_once_and_restocks_once():
    sub_order = receive(paid_sub_order(quantities=(2,)))
    line = sub_order.lines.get()
    on_hand = stock_of(line.sku).on_hand
    case = ask(sub_order, type=CaseType.RETURN_REFUND, reason="no-reason-7d")
    staff = merchant_staff(sub_order.merchant)
    services.case_approve(case_no=case.case_no, actor=actor_for(staff))

    run_together(
        [
            lambda: services.case_receive_return(
                case_no=case.case_no, actor=actor_for(staff), resellable=True
            )
            for _ in range(3)
        ]
    )

    case = fresh(case)
    assert case.status == Status.REFUNDED
    assert len(case_refunds(case)) == 1
    assert Refund.objects.filter(payment__order=sub_order.order).count() == 1
    assert stock_of(line.sku).on_hand == on_hand + 2
    assert stock_ledger_mismatches() == []
    line = OrderLine.objects.get(pk=line.pk)
    assert line.refunded_amount == case.refund_amount <= line.paid_amount


def test_an_appeal_racing_its_deadline_ends_one_way():
    sub_order = receive(paid_sub_order(quantities=(1,)))
    case = ask(sub_order, type=CaseType.RETURN_REFUND, reason="no-reason-7d")
    staff = merchant_staff(sub_order.merchant)
    services.case_reject(
        case_no=case.case_no,
        actor=actor_for(staff),
        reason="No",
        evidence_ids=[photo(staff).public_id],
    )
    deadline = fresh(case).appeal_by

    with time_machine.travel(deadline + timedelta(seconds=1), tick=False):
        run_together(
            [
                lambda: services.case_timeout_appeal(case_id=case.pk, actor=SYSTEM),
                lambda: services.case_appeal(
                    case_no=case.case_no, actor=actor_for(case.user), reason="Why"
                ),
            ]
        )

    assert fresh(case).status in (Status.CLOSED, Status.APPEALED)
    assert fresh(case).events.filter(action__in=["close", "appeal"]).count() == 1
