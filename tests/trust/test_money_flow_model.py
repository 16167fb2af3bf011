"""A model-based test of the whole order money flow (hypothesis stateful): random sequences of
checkouts, payments, cancellations before and after paying, payment deadlines, shipping,
receipt, refund requests approved by the merchant and the auto-confirm timer, run through the
real services on PostgreSQL. After every step, stock and money are conserved:

- every stock record: on_hand - allocated >= 0, and the stock ledger sums to both;
- units held = what open orders and unshipped sub-orders hold; units gone = what shipped;
- every paid order: paid = refunded + kept with kept >= 0, the refunds are exactly what the
  lines record, and no line is refunded past its paid share or its units.
"""

import contextlib
import os
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from aftersales import services as aftersales_services
from aftersales.services.system import order_cancel_paid
from catalog.actors import SYSTEM, actor_for
from catalog.models import StockRecord
from catalog.selectors import stock_ledger_mismatches
from orders import services as order_services
from orders.models import Order, SubOrder
from orders.tasks import sweep_auto_confirm_once
from payments import services as payment_services
from payments.models import Payment, Refund
from shop.errors import DomainError
from tests.aftersales.factories import merchant_staff, photo
from tests.aftersales.factories import ship as ship_parcel
from tests.orders.factories import shopper_with_address
from tests.orders.factories_web import sellable_sku
from tests.payments.factories import pay_on_cashier

STOCK = 6
ZERO = Decimal("0.00")


class OrderMoneyFlow(RuleBasedStateMachine):
    """One shopper, two SKUs of one merchant with 6 units each."""

    orders = Bundle("orders")

    def __init__(self):
        super().__init__()
        self.user, self.address = shopper_with_address()
        first = sellable_sku(price=Decimal("39.90"), stock=STOCK)
        second = sellable_sku(price=Decimal("12.35"), stock=STOCK, merchant=first.product.merchant)
        self.skus = [first, second]
        self.staff = merchant_staff(first.product.merchant)
        # What the model expects the warehouse to hold, per SKU.
        self.shipped_units = {sku.pk: 0 for sku in self.skus}

    # --- steps -------------------------------------------------------------------------------

    @rule(target=orders, first=st.integers(0, 3), second=st.integers(0, 3))
    def place(self, first, second):
        items = [(sku.pk, n) for sku, n in zip(self.skus, (first, second), strict=True) if n]
        if not items:
            items = [(self.skus[0].pk, 1)]
        try:
            order = order_services.order_create(
                actor=actor_for(self.user),
                address_id=self.address.public_id,
                items=items,
                payment_method="alipay",
            )
        except DomainError:  # out of stock: nothing written, checked by the invariants
            return None
        return order.order_no

    @rule(target=orders, units=st.integers(1, 2))
    def place_and_pay(self, units):
        """Most shoppers pay right away: keeps paid orders common in the runs."""
        order_no = self.place(first=units, second=units % 2)
        self.pay(order_no)
        return order_no

    @rule(order_no=orders)
    def pay(self, order_no):
        if order_no is None:
            return
        with contextlib.suppress(DomainError):
            payment = payment_services.payment_start(
                order_no=order_no, user=self.user, method="alipay"
            )
            if payment.status == Payment.Status.CREATED:
                with self.on_commit():
                    pay_on_cashier(payment)

    @rule(order_no=orders)
    def cancel_unpaid(self, order_no):
        if order_no is not None:
            with contextlib.suppress(DomainError):
                order_services.order_cancel(order_no=order_no, actor=actor_for(self.user))

    @rule(order_no=orders)
    def miss_the_payment_deadline(self, order_no):
        if order_no is None:
            return
        order = Order.objects.get(order_no=order_no)
        later = order.payment_due_at + timedelta(seconds=1)
        with time_machine.travel(later, tick=False), contextlib.suppress(DomainError):
            order_services.order_expire(order_id=order.pk, actor=SYSTEM)

    @rule(order_no=orders)
    def cancel_paid(self, order_no):
        if order_no is not None:
            with self.on_commit(), contextlib.suppress(DomainError):
                order_cancel_paid(
                    order_no=order_no, actor=actor_for(self.user), reason="Changed my mind"
                )

    @rule(order_no=orders)
    def ship(self, order_no):
        if order_no is None:
            return
        waiting = SubOrder.objects.filter(
            order__order_no=order_no, status=SubOrder.Status.AWAITING_SHIPMENT
        )
        for sub_order in waiting:
            try:
                with self.on_commit():
                    ship_parcel(sub_order)
            except DomainError:
                continue
            for line in sub_order.lines.all():
                self.shipped_units[line.sku_id] += line.quantity

    @rule(order_no=orders)
    def confirm_receipt(self, order_no):
        if order_no is None:
            return
        for sub_order in SubOrder.objects.filter(
            order__order_no=order_no, status=SubOrder.Status.SHIPPED
        ):
            with self.on_commit(), contextlib.suppress(DomainError):
                order_services.sub_order_confirm_receipt(
                    sub_order_no=sub_order.sub_order_no, actor=actor_for(self.user)
                )

    @rule(order_no=orders, units=st.integers(1, 3), amount=st.sampled_from([None, "1.00", "9.99"]))
    def refund_missing_items_and_merchant_approves(self, order_no, units, amount):
        if order_no is None:
            return
        sub_order = (
            SubOrder.objects.filter(order__order_no=order_no)
            .exclude(status__in=[SubOrder.Status.AWAITING_SHIPMENT, SubOrder.Status.CLOSED])
            .first()
        )
        if sub_order is None:
            return
        line = sub_order.lines.order_by("pk").first()
        with self.on_commit(), contextlib.suppress(DomainError):
            case = aftersales_services.case_create(
                actor=actor_for(self.user),
                sub_order_no=sub_order.sub_order_no,
                type="refund_only",
                reason="missing-items",
                lines=[{"sku_id": line.sku_id, "quantity": units}],
                refund_amount=amount,
                evidence_ids=[photo(self.user).public_id],
            )
            aftersales_services.case_approve(case_no=case.case_no, actor=actor_for(self.staff))

    @rule()
    def auto_confirm_timer(self):
        with time_machine.travel(timezone.now() + timedelta(days=11), tick=False), self.on_commit():
            sweep_auto_confirm_once()

    # --- invariants --------------------------------------------------------------------------

    @invariant()
    def stock_is_conserved(self):
        assert stock_ledger_mismatches() == []
        for sku in self.skus:
            record = StockRecord.objects.get(sku=sku)
            assert record.on_hand - record.allocated >= 0
            assert record.on_hand == STOCK - self.shipped_units[sku.pk]
            held = (
                Order.objects.filter(user=self.user, lines__sku=sku)
                .filter(status=Order.Status.PENDING_PAYMENT)
                .aggregate(n=Sum("lines__quantity"))["n"]
                or 0
            )
            unshipped = (
                SubOrder.objects.filter(
                    order__user=self.user,
                    status=SubOrder.Status.AWAITING_SHIPMENT,
                    lines__sku=sku,
                ).aggregate(n=Sum("lines__quantity"))["n"]
                or 0
            )
            assert record.allocated == held + unshipped

    @invariant()
    def money_is_conserved(self):
        for order in Order.objects.filter(user=self.user).prefetch_related("lines"):
            succeeded = Payment.objects.filter(order=order, status=Payment.Status.SUCCEEDED)
            lines = list(order.lines.all())
            recorded = sum((line.refunded_amount for line in lines), ZERO)
            for line in lines:
                assert ZERO <= line.refunded_amount <= line.paid_amount
                assert 0 <= line.refunded_quantity <= line.quantity
            if order.status in (Order.Status.PENDING_PAYMENT, Order.Status.CANCELLED):
                assert not succeeded.exists() or order.status == Order.Status.CANCELLED
            payment = succeeded.first()
            if payment is None:
                assert recorded == ZERO
                continue
            assert succeeded.count() == 1  # never charged twice
            assert payment.amount == order.payable_amount
            refunded = (
                Refund.objects.filter(payment=payment, status=Refund.Status.SUCCEEDED).aggregate(
                    s=Sum("amount")
                )["s"]
                or ZERO
            )
            kept = payment.amount - refunded
            assert refunded == recorded
            assert kept >= ZERO and payment.amount == refunded + kept

    def teardown(self):
        # What this run reached, so a test that never paid or refunded cannot pass unnoticed.
        mine = Order.objects.filter(user=self.user)
        seen = type(self).reached
        seen["paid"] += Payment.objects.filter(
            order__in=mine, status=Payment.Status.SUCCEEDED
        ).count()
        seen["refunded"] += Refund.objects.filter(
            payment__order__in=mine, status=Refund.Status.SUCCEEDED
        ).count()
        seen["shipped"] += sum(self.shipped_units.values())

    # --- helpers -----------------------------------------------------------------------------

    def on_commit(self):
        return self._capture(execute=True)


@pytest.mark.django_db
def test_stock_and_money_are_conserved_over_random_order_lives(
    django_capture_on_commit_callbacks, settings, tmp_path_factory
):
    settings.PAYMENT_SANDBOX_DIR = str(tmp_path_factory.getbasetemp() / "payments-sandbox")
    OrderMoneyFlow._capture = staticmethod(django_capture_on_commit_callbacks)
    OrderMoneyFlow.reached = {"paid": 0, "refunded": 0, "shipped": 0}
    machine = OrderMoneyFlow.TestCase
    machine.settings = settings_for_the_model
    machine().runTest()
    reached = OrderMoneyFlow.reached
    print(reached)
    assert reached["paid"] and reached["refunded"] and reached["shipped"], reached


# 12 lives of 50 steps (600 steps, ~1 minute) in CI; MONEY_FLOW_EXAMPLES=100 for thousands.
settings_for_the_model = settings(
    max_examples=int(os.environ.get("MONEY_FLOW_EXAMPLES", "12")),
    stateful_step_count=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
