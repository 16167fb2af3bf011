"""The money invariant over random sequences of after-sales actions: for every order,
paid = refunded + kept, no line is refunded past its paid share or its units, the refunds
payments holds are exactly what the lines record, and no unit is in two open cases."""

import contextlib
from decimal import Decimal

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales import services
from aftersales.models import AfterSalesCase, CaseLine, CaseType
from aftersales.selectors import HOLDING_UNITS
from catalog.actors import actor_for
from payments.models import Payment, Refund
from shop.errors import DomainError
from tests.aftersales.factories import merchant_staff, paid_sub_order, photo, receive

pytestmark = pytest.mark.django_db

ASK_TYPES = [
    (CaseType.REFUND_ONLY, "missing-items"),
    (CaseType.RETURN_REFUND, "no-reason-7d"),
    (CaseType.RETURN_REFUND, "quality"),
    (CaseType.EXCHANGE, "wrong-size"),
]

actions = st.lists(
    st.one_of(
        st.tuples(
            st.just("ask"),
            st.integers(0, 3),  # which type / reason
            st.integers(0, 1),  # which line
            st.integers(1, 3),  # how many units
            st.sampled_from([None, "1.00", "37.50", "80.00", "500.00"]),  # amount asked
        ),
        st.tuples(
            st.sampled_from(["approve", "offer", "accept", "reject", "cancel"]), st.integers(0, 5)
        ),
        st.tuples(
            st.sampled_from(["receive", "receive_damaged", "appeal", "decide"]), st.integers(0, 5)
        ),
    ),
    min_size=1,
    max_size=12,
)


def _check_invariants(order):
    lines = list(order.lines.all())
    for line in lines:
        assert line.refunded_amount <= line.paid_amount
        assert line.refunded_quantity <= line.quantity
        held = (
            CaseLine.objects.filter(order_line=line, case__status__in=HOLDING_UNITS).aggregate(
                q=Sum("quantity")
            )["q"]
            or 0
        )
        assert line.refunded_quantity + held <= line.quantity
    payment = Payment.objects.get(order=order, status=Payment.Status.SUCCEEDED)
    refunded = Refund.objects.filter(payment=payment).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    recorded = sum((line.refunded_amount for line in lines), Decimal(0))
    kept = payment.amount - refunded
    assert refunded == recorded
    assert kept >= 0 and payment.amount == refunded + kept


def _act(step, sub_order, staff, ops):
    kind, *args = step
    cases = list(AfterSalesCase.objects.filter(sub_order=sub_order).order_by("pk"))
    pick = cases[args[0] % len(cases)] if cases and kind != "ask" else None
    if kind == "ask":
        type_index, line_index, quantity, amount = args
        case_type, reason = ASK_TYPES[type_index]
        line = list(sub_order.lines.order_by("pk"))[line_index]
        evidence = [photo(sub_order.order.user).public_id] if reason == "quality" else None
        return services.case_create(
            actor=actor_for(sub_order.order.user),
            sub_order_no=sub_order.sub_order_no,
            type=case_type,
            reason=reason,
            lines=[{"sku_id": line.sku_id, "quantity": quantity}],
            refund_amount=amount,
            evidence_ids=evidence
            or ([photo(sub_order.order.user).public_id] if reason == "missing-items" else None),
        )
    if pick is None:
        return None
    no = pick.case_no
    if kind == "approve":
        return services.case_approve(case_no=no, actor=actor_for(staff))
    if kind == "offer":
        return services.case_offer_make(
            case_no=no, actor=actor_for(staff), type=CaseType.REFUND_ONLY, refund_amount="10.00"
        )
    if kind == "accept":
        offer = pick.offers.filter(status="pending").first()
        if offer:
            return services.case_offer_accept(
                case_no=no, offer_id=offer.pk, actor=actor_for(pick.user)
            )
        return None
    if kind == "reject":
        return services.case_reject(
            case_no=no, actor=actor_for(staff), reason="No", evidence_ids=[photo(staff).public_id]
        )
    if kind == "cancel":
        return services.case_cancel(case_no=no, actor=actor_for(pick.user))
    if kind in ("receive", "receive_damaged"):
        return services.case_receive_return(
            case_no=no, actor=actor_for(staff), resellable=kind == "receive"
        )
    if kind == "appeal":
        return services.case_appeal(
            case_no=no, actor=actor_for(pick.user), reason="Please look again"
        )
    return services.case_decide(
        case_no=no,
        actor=actor_for(ops),
        approve=args[0] % 2 == 0,
        refund_amount=None,
        note="Decided",
    )


@settings(
    max_examples=25,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=actions)
def test_paid_equals_refunded_plus_kept_after_every_step(steps, django_capture_on_commit_callbacks):
    from tests.aftersales.factories import ops_user

    sub_order = receive(
        paid_sub_order(
            quantities=(2, 3),
            price="99.90",
            discount="13.37",
            shipping_fee="8.00",
            capture=django_capture_on_commit_callbacks,
        )
    )
    staff, ops = merchant_staff(sub_order.merchant), ops_user()
    for step in steps:
        # A refused step must leave nothing behind: checked below like any other.
        with contextlib.suppress(DomainError):
            _act(step, sub_order, staff, ops)
        _check_invariants(sub_order.order)
