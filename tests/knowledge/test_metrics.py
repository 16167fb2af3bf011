"""The marketplace figures (knowledge.metrics) on a fixture of cases with known answers."""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from aftersales.models import AfterSalesCase, CaseEvent, CaseReason
from knowledge import metrics
from knowledge.models import SuggestionImpression
from tests.catalog.factories import MerchantFactory

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)
S = AfterSalesCase.Status


def _case(sub_order, *, at, events=(), **fields):
    """A case row as the services would have left it, created `at`, with its events
    [(hours after `at`, role, action, from_state, note)]."""
    fields.setdefault("reason", CaseReason.objects.get(code="quality"))
    fields.setdefault("responsibility", fields["reason"].responsibility)
    case = AfterSalesCase.objects.create(
        case_no=f"AT{next(_numbers):08d}",
        sub_order=sub_order,
        order=sub_order.order,
        user=sub_order.order.user,
        merchant=sub_order.merchant,
        stage="received",
        **fields,
    )
    AfterSalesCase.objects.filter(pk=case.pk).update(created_at=at)
    for hours, role, action, from_state, note in events:
        event = CaseEvent.objects.create(
            case=case, role=role, action=action, from_state=from_state, to_state="", note=note
        )
        CaseEvent.objects.filter(pk=event.pk).update(created_at=at + timedelta(hours=hours))
    return case


@pytest.fixture
def known_month(paid):
    now = timezone.now()
    t0 = now - timedelta(days=10)
    shop_a, shop_b = MerchantFactory(name="A shop"), MerchantFactory(name="B shop")
    a = [paid(merchant=shop_a) for _ in range(4)]  # each paid 2 x 100 + 10 shipping = 210
    b = [paid(merchant=shop_b) for _ in range(3)]
    M, SYS, OPS = CaseEvent.Role.MERCHANT, CaseEvent.Role.SYSTEM, CaseEvent.Role.OPS
    h = timedelta(hours=1)
    # A1: refund only, merchant's fault, answered after 2 h, refunded 1 h after approval.
    _case(
        a[0],
        at=t0,
        type="refund_only",
        status=S.REFUNDED,
        refund_amount=Decimal("100.00"),
        responsibility="merchant",
        approved_at=t0 + 2 * h,
        refunded_at=t0 + 3 * h,
        closed_at=t0 + 3 * h,
        events=[(2, M, "approve", "requested", "")],
    )
    # A2: return, buyer's reason, the merchant silent: approved by the timer after 48 h.
    _case(
        a[1],
        at=t0,
        type="return_refund",
        status=S.REFUNDED,
        refund_amount=Decimal("50.00"),
        responsibility="buyer",
        approved_at=t0 + 48 * h,
        refunded_at=t0 + 100 * h,
        closed_at=t0 + 100 * h,
        events=[(48, SYS, "approve", "requested", metrics.TIMEOUT_APPROVAL_NOTE + ": approved")],
    )
    # A3: rejected after 10 h, appealed, the platform decided for the shopper (still open).
    _case(
        a[2],
        at=t0,
        type="return_refund",
        status=S.APPROVED,
        refund_amount=Decimal("90.00"),
        appealed_at=t0 + 20 * h,
        approved_at=t0 + 30 * h,
        events=[(10, M, "reject", "requested", ""), (30, OPS, "approve", "appealed", "")],
    )
    # A4: exchange withdrawn by the shopper after 1 h.
    _case(a[3], at=t0, type="exchange", status=S.CANCELLED, closed_at=t0 + h)
    # Older than the window: not counted.
    _case(
        a[0],
        at=now - timedelta(days=40),
        type="refund_only",
        status=S.REFUNDED,
        refund_amount=Decimal("9.00"),
        closed_at=now - timedelta(days=39),
    )
    # Deflection on B's orders: shown suggestions, then...
    seen = now - timedelta(days=5)
    for sub_order, days_ago in ((b[0], 5), (b[1], 5), (b[2], 6)):
        impression = SuggestionImpression.objects.create(
            user=sub_order.order.user, sub_order=sub_order, merchant=shop_b, article_ids=[1]
        )
        SuggestionImpression.objects.filter(pk=impression.pk).update(
            created_at=now - timedelta(days=days_ago)
        )
    # b0: nothing more (deflected). b1: filed within the hour (not deflected).
    _case(b[1], at=seen + h, type="refund_only", status=S.REQUESTED)
    # b2: came back after 80 h (a false deflection).
    _case(b[2], at=now - timedelta(days=6) + 80 * h, type="refund_only", status=S.REQUESTED)
    # Too young to judge (72 h not over): not counted.
    SuggestionImpression.objects.create(
        user=b[0].order.user, sub_order=b[0], merchant=shop_b, article_ids=[1]
    )
    # The figures are read a moment later (the sub-orders above were made after `now`).
    return timezone.now(), shop_a, shop_b


def test_figures_of_a_merchant(known_month):
    # given
    now, shop_a, _ = known_month

    # when
    a = metrics.service_figures(now=now)[shop_a.pk]

    # then
    assert (a.orders, a.paid_amount) == (4, Decimal("840.00"))
    assert a.request_rate == 1.0
    assert (a.refunds, a.refunded_amount, a.refund_rate) == (2, Decimal("150.00"), 0.5)
    assert a.refund_amount_rate == round(150 / 840, 4)
    assert a.merchant_responsible_refund_rate == 0.25
    assert (a.dispute_rate, a.merchant_fault_dispute_rate) == (0.25, 0.25)
    assert (a.finished, a.self_completion_rate) == (3, 1.0)
    assert (a.p("first_response_hours", 0.5), a.p("first_response_hours", 0.9)) == (2.0, 10.0)
    assert a.p("complete_hours_refund_only", 0.5) == 3.0
    assert a.p("complete_hours_return", 0.5) == 100.0
    assert (a.approvals, a.timeout_approval_share) == (3, round(1 / 3, 4))
    assert (a.p("payout_hours", 0.5), a.p("payout_hours", 0.9)) == (1.0, 52.0)


def test_deflection_is_counted_honestly(known_month):
    # given
    now, _, shop_b = known_month

    # when
    b = metrics.service_figures(now=now)[shop_b.pk]

    # then: three visits old enough; two without a case in 72 h, one of them came back
    assert (b.impressions, b.deflected, b.recontacted) == (3, 2, 1)
    assert b.deflection_rate == round(1 / 3, 4)


def test_platform_figures_and_csv(known_month):
    # given
    now, shop_a, shop_b = known_month

    # when
    figures = metrics.service_figures(now=now)
    text = metrics.figures_csv(figures)

    # then
    platform = figures[metrics.PLATFORM]
    assert platform.orders >= 7 and platform.requests >= 6
    lines = text.splitlines()
    assert lines[0].startswith("merchant,orders,request_rate")
    assert lines[1].startswith("Platform,")
    assert any(line.startswith("A shop,4,1.0,2,0.5,150.00") for line in lines)


def test_percentile_is_nearest_rank():
    assert metrics.percentile([], 0.5) is None
    assert metrics.percentile([4, 1, 3, 2], 0.5) == 2
    assert metrics.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == 9
