"""The service figures a marketplace judges its merchants by (after-sales cases, and what the
knowledge base deflected, so they live above both in knowledge), per merchant and platform-wide,
over a rolling window (30 days by default). Read-only; a handful of queries whatever the
number of merchants (everything is fetched as rows of values and counted here).

Denominators, as Taobao / JD count them:
- orders: sub-orders created in the window (a sub-order exists once its order is paid);
- request rate: shopper requests (refund only, return, exchange) / orders;
- refund rate: cases refunded in the window / orders, and refunded amount / paid amount;
- merchant-responsible refund rate: of those, the ones whose reason is the merchant's fault;
- dispute rate: cases appealed to the platform / orders; merchant-fault dispute rate: appeals
  the platform decided for the shopper / orders;
- self-completion rate: cases finished in the window without any ops action / cases finished;
- first response: request -> the merchant's first action or message (p50, p90), over the cases
  the merchant answered;
- time to complete: request -> refunded (or replacement shipped), refund-only and returns apart;
- approved by timeout: approvals the timer made because the merchant was silent / approvals;
- refund payout: approved -> the gateway confirmed the refund (p50, p90).

Deflection (knowledge base): of the request-form visits that showed suggested articles (and are
at least 72 h old), those with no case on that sub-order within 72 h; re-contact: a case on it,
or a message to customer service, within 7 days, which turns a deflection into a false one.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, Min, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.models import SHOPPER_TYPES, AfterSalesCase, CaseEvent, CaseType, Responsibility
from catalog.models import Merchant
from orders.models import SubOrder

from .models import ContactRequest, SuggestionImpression

WINDOW_DAYS = 30
DEFLECTION_HOURS = 72
RECONTACT_DAYS = 7
# aftersales.services.system.case_timeout_respond writes this note on the approval it makes.
TIMEOUT_APPROVAL_NOTE = "The merchant did not answer in time"
PLATFORM = None  # the key of the platform-wide figures


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (p50 of [1, 2, 3, 4] is 2); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-int(share * 100) * len(ordered) // 100))  # ceil(share * n)
    return ordered[min(rank, len(ordered)) - 1]


def _rate(part, whole) -> float | None:
    return round(float(part) / float(whole), 4) if whole else None


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


@dataclass
class Figures:
    merchant_id: int | None
    merchant_name: str
    orders: int = 0
    paid_amount: Decimal = Decimal("0.00")
    requests: int = 0
    refunds: int = 0
    refunded_amount: Decimal = Decimal("0.00")
    merchant_responsible_refunds: int = 0
    disputes: int = 0
    merchant_fault_disputes: int = 0
    finished: int = 0
    finished_without_ops: int = 0
    approvals: int = 0
    approvals_by_timeout: int = 0
    first_response_hours: list = field(default_factory=list)
    complete_hours_refund_only: list = field(default_factory=list)
    complete_hours_return: list = field(default_factory=list)
    payout_hours: list = field(default_factory=list)
    impressions: int = 0
    deflected: int = 0
    recontacted: int = 0

    @property
    def request_rate(self):
        return _rate(self.requests, self.orders)

    @property
    def refund_rate(self):
        return _rate(self.refunds, self.orders)

    @property
    def refund_amount_rate(self):
        return _rate(self.refunded_amount, self.paid_amount)

    @property
    def merchant_responsible_refund_rate(self):
        return _rate(self.merchant_responsible_refunds, self.orders)

    @property
    def dispute_rate(self):
        return _rate(self.disputes, self.orders)

    @property
    def merchant_fault_dispute_rate(self):
        return _rate(self.merchant_fault_disputes, self.orders)

    @property
    def self_completion_rate(self):
        return _rate(self.finished_without_ops, self.finished)

    @property
    def timeout_approval_share(self):
        return _rate(self.approvals_by_timeout, self.approvals)

    @property
    def deflection_rate(self):
        """Deflected and not back within 7 days, of the visits shown suggestions."""
        return _rate(self.deflected - self.recontacted, self.impressions)

    def p(self, name: str, share: float):
        value = percentile(getattr(self, name), share)
        return round(value, 1) if value is not None else None


COLUMNS = [
    ("merchant", _("Merchant"), lambda f: f.merchant_name),
    ("orders", _("Orders"), lambda f: f.orders),
    ("request_rate", _("Request rate"), lambda f: f.request_rate),
    ("refunds", _("Refunds"), lambda f: f.refunds),
    ("refund_rate", _("Refund rate"), lambda f: f.refund_rate),
    ("refunded_amount", _("Refunded amount"), lambda f: f.refunded_amount),
    ("refund_amount_rate", _("Refund amount rate"), lambda f: f.refund_amount_rate),
    ("merchant_refund_rate", _("Merchant-responsible refund rate"),
     lambda f: f.merchant_responsible_refund_rate),
    ("dispute_rate", _("Dispute rate"), lambda f: f.dispute_rate),
    ("merchant_fault_dispute_rate", _("Merchant-fault dispute rate"),
     lambda f: f.merchant_fault_dispute_rate),
    ("self_completion_rate", _("Self-completion rate"), lambda f: f.self_completion_rate),
    ("first_response_p50_h", _("First response p50 (h)"),
     lambda f: f.p("first_response_hours", .5)),
    ("first_response_p90_h", _("First response p90 (h)"),
     lambda f: f.p("first_response_hours", .9)),
    ("complete_refund_only_p50_h", _("Complete, refund only p50 (h)"),
     lambda f: f.p("complete_hours_refund_only", .5)),
    ("complete_return_p50_h", _("Complete, returns p50 (h)"),
     lambda f: f.p("complete_hours_return", .5)),
    ("timeout_approval_share", _("Approved by timeout"), lambda f: f.timeout_approval_share),
    ("payout_p50_h", _("Refund payout p50 (h)"), lambda f: f.p("payout_hours", .5)),
    ("payout_p90_h", _("Refund payout p90 (h)"), lambda f: f.p("payout_hours", .9)),
    ("suggestion_visits", _("Form visits with suggestions"), lambda f: f.impressions),
    ("deflected_72h", _("No case within 72 h"), lambda f: f.deflected),
    ("recontacted_7d", _("Of those, back within 7 days"), lambda f: f.recontacted),
    ("deflection_rate", _("Deflection rate (net)"), lambda f: f.deflection_rate),
]  # fmt: skip


def service_figures(
    *, now: datetime | None = None, days: int = WINDOW_DAYS, merchant_ids=None
) -> dict[int | None, Figures]:
    """{merchant_id: Figures, PLATFORM: Figures} over the `days` before `now`; with
    `merchant_ids`, only those merchants' rows (the platform row still counts everyone)."""
    now = now or timezone.now()
    since = now - timedelta(days=days)
    merchants = Merchant.objects.all()
    if merchant_ids is not None:
        merchants = merchants.filter(pk__in=merchant_ids)
    figures = {m.pk: Figures(m.pk, m.name) for m in merchants.only("pk", "name")}
    platform = Figures(PLATFORM, str(_("Platform")))

    def each(merchant_id):
        # The platform counts every merchant (a merchant compares itself with it).
        mine = figures.get(merchant_id)
        return (platform, mine) if mine is not None else (platform,)

    sub_orders = SubOrder.objects.filter(created_at__gte=since, created_at__lt=now)
    for row in sub_orders.values("merchant_id").annotate(n=Count("pk"), paid=Sum("payable_amount")):
        for f in each(row["merchant_id"]):
            f.orders += row["n"]
            f.paid_amount += row["paid"] or 0

    events = CaseEvent.objects.filter(case_id=OuterRef("pk"))
    cases = (
        AfterSalesCase.objects.filter(
            Q(created_at__gte=since) | Q(closed_at__gte=since) | Q(approved_at__gte=since)
        )
        .filter(created_at__lt=now)
        .annotate(
            first_merchant_at=Min(
                "events__created_at", filter=Q(events__role=CaseEvent.Role.MERCHANT)
            ),
            ops_involved=Exists(events.filter(role=CaseEvent.Role.OPS)),
            approved_by_timeout=Exists(
                events.filter(
                    action="approve",
                    role=CaseEvent.Role.SYSTEM,
                    from_state=AfterSalesCase.Status.REQUESTED,
                    note__startswith=TIMEOUT_APPROVAL_NOTE,
                )
            ),
            decided_for_shopper=Exists(
                events.filter(action="approve", from_state=AfterSalesCase.Status.APPEALED)
            ),
        )
        .values(
            "merchant_id",
            "type",
            "status",
            "responsibility",
            "refund_amount",
            "created_at",
            "approved_at",
            "appealed_at",
            "refunded_at",
            "closed_at",
            "first_merchant_at",
            "ops_involved",
            "approved_by_timeout",
            "decided_for_shopper",
        )  # fmt: skip
    )
    Status = AfterSalesCase.Status
    for case in cases:
        opened_in = case["created_at"] >= since
        for f in each(case["merchant_id"]):
            if opened_in and case["type"] in SHOPPER_TYPES:
                f.requests += 1
            if opened_in and case["first_merchant_at"]:
                f.first_response_hours.append(
                    _hours(case["first_merchant_at"] - case["created_at"])
                )
            if case["appealed_at"] and case["appealed_at"] >= since:
                f.disputes += 1
                if case["decided_for_shopper"]:
                    f.merchant_fault_disputes += 1
            if case["approved_at"] and case["approved_at"] >= since:
                f.approvals += 1
                f.approvals_by_timeout += case["approved_by_timeout"]
            finished = case["closed_at"] and case["closed_at"] >= since
            if finished:
                f.finished += 1
                f.finished_without_ops += not case["ops_involved"]
            if finished and case["status"] in (Status.REFUNDED, Status.RESHIPPED):
                hours = _hours(case["closed_at"] - case["created_at"])
                if case["type"] == CaseType.REFUND_ONLY:
                    f.complete_hours_refund_only.append(hours)
                elif case["type"] in (CaseType.RETURN_REFUND, CaseType.EXCHANGE):
                    f.complete_hours_return.append(hours)
            if finished and case["status"] == Status.REFUNDED:
                f.refunds += 1
                f.refunded_amount += case["refund_amount"]
                if case["responsibility"] == Responsibility.MERCHANT:
                    f.merchant_responsible_refunds += 1
                if case["approved_at"] and case["refunded_at"]:
                    f.payout_hours.append(_hours(case["refunded_at"] - case["approved_at"]))

    _count_deflection(each, since=since, now=now)
    return {**figures, PLATFORM: platform}


def _count_deflection(each, *, since: datetime, now: datetime) -> None:
    """Impressions whose 72 hours are over; re-contact only once their 7 days are over too
    (a younger one is counted as deflected so far, and re-contacted when it happens)."""
    impressions = list(
        SuggestionImpression.objects.filter(
            created_at__gte=since, created_at__lt=now - timedelta(hours=DEFLECTION_HOURS)
        ).values("user_id", "sub_order_id", "merchant_id", "created_at")
    )
    if not impressions:
        return
    sub_order_ids = {i["sub_order_id"] for i in impressions}
    user_ids = {i["user_id"] for i in impressions}
    case_times: dict[tuple, list] = {}
    for row in AfterSalesCase.objects.filter(
        sub_order_id__in=sub_order_ids, created_at__gte=since
    ).values("user_id", "sub_order_id", "created_at"):
        case_times.setdefault((row["user_id"], row["sub_order_id"]), []).append(row["created_at"])
    contact_times: dict[int, list] = {}
    for row in ContactRequest.objects.filter(user_id__in=user_ids, created_at__gte=since).values(
        "user_id", "created_at"
    ):
        contact_times.setdefault(row["user_id"], []).append(row["created_at"])
    for impression in impressions:
        seen = impression["created_at"]
        cases = case_times.get((impression["user_id"], impression["sub_order_id"]), [])
        contacts = contact_times.get(impression["user_id"], [])
        filed = any(seen <= at < seen + timedelta(hours=DEFLECTION_HOURS) for at in cases)
        back = any(
            seen + timedelta(hours=DEFLECTION_HOURS) <= at < seen + timedelta(days=RECONTACT_DAYS)
            for at in cases
        ) or any(seen <= at < seen + timedelta(days=RECONTACT_DAYS) for at in contacts)
        for f in each(impression["merchant_id"]):
            f.impressions += 1
            if not filed:
                f.deflected += 1
                f.recontacted += back


def figures_rows(figures: dict) -> list[list]:
    """Platform first, then merchants by orders (busiest first)."""
    ordered = [figures[PLATFORM]] + sorted(
        (f for key, f in figures.items() if key is not PLATFORM),
        key=lambda f: (-f.orders, f.merchant_name),
    )
    return [[getter(f) for _key, _label, getter in COLUMNS] for f in ordered]


def figures_csv(figures: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([key for key, _label, _getter in COLUMNS])
    for row in figures_rows(figures):
        writer.writerow(["" if value is None else value for value in row])
    return out.getvalue()
