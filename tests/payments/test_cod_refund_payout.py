"""A cash-on-delivery refund has no gateway and no account balance to go to: it waits for
operations to pay it out by hand, and only their recorded payout makes it succeeded."""

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from catalog.actors import SYSTEM, actor_for
from payments import selectors as payment_selectors
from payments import services
from payments.models import Refund
from shop import events as nodes
from shop.errors import Conflict, InvalidInput
from tests.orders.factories import capture_domain_events
from tests.payments.factories import fresh, pending_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def cod_refund(django_capture_on_commit_callbacks):
    """45.00 collected at the door, then refunded in full (a return)."""
    order = pending_order(price="45.00")
    services.payment_start(order_no=order.order_no, actor=actor_for(order.user), method="cod")
    services.cod_collect(sub_order_id=order.sub_orders.get().pk, actor=SYSTEM)
    with django_capture_on_commit_callbacks(execute=True):
        return services.payment_refund(
            order_line_id=order.lines.get().pk,
            amount=Decimal("45.00"),
            reason="Returned",
            actor=SYSTEM,
        )


def test_cod_refund_waits_for_a_manual_payout(cod_refund):
    # given / when: the refund was asked for and every worker has run
    refund = fresh(cod_refund)
    # then: not succeeded; marked for operations; no sweep will pick it up
    assert refund.status == Refund.Status.PROCESSING
    assert refund.awaiting_manual_payout and refund.succeeded_at is None
    assert refund.next_attempt_at is None and refund.pk not in payment_selectors.refund_due_ids()
    # and another attempt (a retry, a stray task) does not "succeed" it either
    assert (
        services.refund_execute(refund_id=refund.pk, actor=SYSTEM).status
        == Refund.Status.PROCESSING
    )
    assert services.refund_retry(refund_id=refund.pk, actor=SYSTEM).status == "processing"


def test_recording_the_payout_succeeds_the_refund_once(cod_refund):
    # when: operations transferred the money and record it
    with capture_domain_events() as recorded:
        refund = services.refund_record_manual_payout(
            refund_id=cod_refund.pk, reference="  ICBC-20261125-0042 ", actor=SYSTEM
        )
        again = services.refund_record_manual_payout(
            refund_id=cod_refund.pk, reference="ANOTHER", actor=SYSTEM
        )
    # then
    assert refund.status == Refund.Status.SUCCEEDED and refund.succeeded_at is not None
    assert refund.payout_reference == "ICBC-20261125-0042"
    assert again.payout_reference == "ICBC-20261125-0042"
    assert [e.node for e in recorded.events] == [nodes.REFUND_SUCCEEDED]


def test_a_payout_needs_a_reference_and_a_refund_waiting_for_one(cod_refund, sandbox_paid_order):
    with pytest.raises(InvalidInput):
        services.refund_record_manual_payout(refund_id=cod_refund.pk, reference=" ", actor=SYSTEM)
    # an online refund goes back through its gateway, never by hand
    order, payment = sandbox_paid_order()
    online = services.payment_refund(
        payment=payment, amount=Decimal("1.00"), reason="x", actor=SYSTEM
    )
    with pytest.raises(Conflict):
        services.refund_record_manual_payout(refund_id=online.pk, reference="X1", actor=SYSTEM)
    assert fresh(cod_refund).status == Refund.Status.PROCESSING


def test_ops_see_awaiting_payouts_and_record_one_from_the_admin(ops_client, cod_refund):
    # given: the refunds list shows the marker
    changelist = reverse("admin:payments_refund_changelist")
    page = ops_client.get(changelist, {"manual_payout__exact": "1"}).content.decode()
    assert cod_refund.refund_no in page and "Awaiting manual payout" in page
    # when: "Paid out" asks for the reference, then records it
    form = ops_client.post(
        changelist, {"action": "record_paid_out", ACTION_CHECKBOX_NAME: [cod_refund.pk]}
    )
    assert form.status_code == 200 and 'name="payout_reference"' in form.content.decode()
    done = ops_client.post(
        changelist,
        {
            "action": "record_paid_out",
            ACTION_CHECKBOX_NAME: [cod_refund.pk],
            "payout_reference": "ALIPAY-TRANSFER-778",
            "apply": "1",
        },
        follow=True,
    )
    # then
    assert done.status_code == 200 and "1 refund recorded as paid out" in done.content.decode()
    refund = fresh(cod_refund)
    assert refund.status == Refund.Status.SUCCEEDED
    assert refund.payout_reference == "ALIPAY-TRANSFER-778" and refund.paid_out_by is not None
