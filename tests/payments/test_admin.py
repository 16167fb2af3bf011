"""Payments in the admin: operations only, money read-only, failed refunds retried."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.actors import SYSTEM
from payments import services
from payments.models import Refund
from tests.accounts.factories import PASSWORD
from tests.catalog.factories import MerchantStaffFactory
from tests.payments.factories import fresh

pytestmark = pytest.mark.django_db


def test_ops_see_payments_refunds_and_the_notification_log(
    ops_client, sandbox_paid_order, django_assert_max_num_queries
):
    # given
    order, payment = sandbox_paid_order()
    # when / then
    for name in ("payment", "refund", "paymentnotification", "reconciliationrun"):
        with django_assert_max_num_queries(20):
            response = ops_client.get(reverse(f"admin:payments_{name}_changelist"))
        assert response.status_code == 200
    detail = ops_client.get(reverse("admin:payments_payment_change", args=[payment.pk]))
    assert detail.status_code == 200 and payment.payment_no in detail.content.decode()
    search = ops_client.get(reverse("admin:payments_payment_changelist"), {"q": order.order_no})
    assert payment.payment_no in search.content.decode()


def test_merchant_staff_do_not_see_payments(client):
    staff = MerchantStaffFactory()
    client.login(username=staff.user.username, password=PASSWORD)
    response = client.get(reverse("admin:payments_payment_changelist"))
    assert response.status_code in (302, 403)


def test_retry_refund_action_sends_a_failed_refund_again(
    ops_client, sandbox_paid_order, django_capture_on_commit_callbacks
):
    # given: a refund that ran out of attempts
    order, payment = sandbox_paid_order()
    refund = services.payment_refund(
        order_line_id=order.lines.get().pk, amount=Decimal("5.00"), reason="x", actor=SYSTEM
    )
    Refund.objects.filter(pk=refund.pk).update(status="failed", attempts=6, last_error="down")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = ops_client.post(
            reverse("admin:payments_refund_changelist"),
            {"action": "retry_refund", "_selected_action": [refund.pk]},
        )
    # then
    assert response.status_code == 302
    assert fresh(refund).status == Refund.Status.SUCCEEDED


def test_payment_page_counts_only_confirmed_refunds_as_refunded(
    ops_client, sandbox_paid_order, django_capture_on_commit_callbacks
):
    # given: one refund the gateway confirmed and one that ran out of attempts
    order, payment = sandbox_paid_order()
    line = order.lines.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_refund(
            order_line_id=line.pk, amount=Decimal("5.00"), reason="scratch", actor=SYSTEM
        )
    failed = services.payment_refund(
        order_line_id=line.pk, amount=Decimal("3.00"), reason="late", actor=SYSTEM
    )
    Refund.objects.filter(pk=failed.pk).update(status="failed", attempts=6, last_error="down")
    # when
    page = ops_client.get(reverse("admin:payments_payment_change", args=[payment.pk]))
    # then: ops read 5.00 returned to the shopper, not 8.00
    html = page.content.decode()
    refunded = html.split('field-refunded_total">', 1)[1].split("</div>", 2)[:2]
    assert "5.00" in "".join(refunded) and "8.00" not in "".join(refunded)
