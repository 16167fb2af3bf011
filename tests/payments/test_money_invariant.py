"""Money: for any sequence of refund requests, paid = refunded + kept, and no line is ever
refunded above its paid share."""

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.actors import actor_for
from orders.services import order_cod_confirm
from payments import services
from payments.models import Payment, Refund
from shop.errors import Conflict
from tests.payments.factories import pending_order

pytestmark = pytest.mark.django_db

cents = st.integers(min_value=1, max_value=6000).map(lambda c: Decimal(c) / 100)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(requests=st.lists(cents, min_size=1, max_size=6))
def test_refunds_never_exceed_the_line_and_money_balances(requests):
    with transaction.atomic():
        # given: a paid order of two lines (each example in its own savepoint, rolled back)
        order = pending_order(price="49.90", quantity=2)
        payment = Payment.objects.create(
            payment_no=f"P-h-{order.pk}", order=order, method="cod", amount=order.payable_amount
        )
        order_cod_confirm(order_no=order.order_no, actor=actor_for(order.user))
        services.cod_collect(sub_order_id=order.sub_orders.get().pk)
        line = order.lines.get()
        accepted = Decimal("0.00")
        # when
        for amount in requests:
            try:
                services.payment_refund(order_line_id=line.pk, amount=amount, reason="x")
                accepted += amount
            except Conflict:
                assert accepted + amount > line.paid_amount
        # then
        line.refresh_from_db()
        refunded = sum((r.amount for r in Refund.objects.filter(payment=payment)), Decimal("0"))
        kept = line.paid_amount - line.refunded_amount
        assert refunded == accepted == line.refunded_amount <= line.paid_amount
        assert payment.amount == refunded + kept
        transaction.set_rollback(True)
