"""What the admin's landing page shows each role: the work waiting for them and how trade went.

Reads only (the pages change nothing). Merchant staff see their own merchant's queues, sales and
low stock; platform operations see what only they settle (appeals, overdue cases, failed
refunds, reconciliation mismatches) and one row of figures per merchant. Each block is a fixed
number of queries, whatever the size of the shop, so the page stays fast on a busy day.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.money import ZERO

# How many rows each list on the page shows; the "all" link opens the full admin list.
LIST_LIMIT = 10


@dataclass
class DailySales:
    days: list[date]
    amounts: list[Decimal]
    orders: list[int]

    @property
    def today_amount(self) -> Decimal:
        return self.amounts[-1] if self.amounts else ZERO

    @property
    def today_orders(self) -> int:
        return self.orders[-1] if self.orders else 0

    @property
    def week_amount(self) -> Decimal:
        return sum(self.amounts, ZERO)

    @property
    def week_orders(self) -> int:
        return sum(self.orders)


@dataclass
class MerchantWorkbench:
    merchant: object
    to_ship: list = field(default_factory=list)
    to_ship_count: int = 0
    overdue_count: int = 0
    to_answer: list = field(default_factory=list)
    to_answer_count: int = 0
    sales: DailySales | None = None
    low_stock: list = field(default_factory=list)


@dataclass
class OpsWorkbench:
    appeals: list = field(default_factory=list)
    appeals_count: int = 0
    overdue_cases: list = field(default_factory=list)
    overdue_count: int = 0
    failed_refunds: list = field(default_factory=list)
    failed_refunds_count: int = 0
    mismatches: list = field(default_factory=list)
    mismatches_count: int = 0
    last_reconciliation: object = None
    merchant_rows: list = field(default_factory=list)
    sales: DailySales | None = None


def ship_deadline(created_at: datetime) -> datetime:
    """When a paid sub-order should be handed to a carrier (发货时限)."""
    return created_at + timedelta(hours=settings.SHIP_WITHIN_HOURS)


def _days(now: datetime, count: int) -> list[date]:
    today = timezone.localdate(now)
    return [today - timedelta(days=count - 1 - i) for i in range(count)]


def daily_sales(*, merchant_id: int | None, now: datetime, days: int = 7) -> DailySales:
    """Paid sub-orders (payable amount and count) per local day over the last `days` days,
    today last; closed-before-shipment sub-orders are not sales. One query."""
    from orders.models import SubOrder

    day_list = _days(now, days)
    start = timezone.make_aware(datetime.combine(day_list[0], datetime.min.time()))
    rows = SubOrder.objects.filter(created_at__gte=start).exclude(
        status=SubOrder.Status.CLOSED, shipped_at__isnull=True
    )
    if merchant_id is not None:
        rows = rows.filter(merchant_id=merchant_id)
    per_day = {
        row["day"]: row
        for row in rows.annotate(
            day=TruncDate("created_at", tzinfo=timezone.get_current_timezone())
        )
        .values("day")
        .annotate(amount=Sum("payable_amount"), count=Count("id"))
    }
    return DailySales(
        days=day_list,
        amounts=[per_day.get(d, {}).get("amount") or ZERO for d in day_list],
        orders=[per_day.get(d, {}).get("count") or 0 for d in day_list],
    )


def merchant_workbench(*, merchant, now: datetime | None = None) -> MerchantWorkbench:
    """The landing page of a merchant's staff."""
    from aftersales.models import AfterSalesCase
    from catalog.models import StockRecord
    from orders.models import SubOrder

    now = now or timezone.now()
    overdue_before = now - timedelta(hours=settings.SHIP_WITHIN_HOURS)
    awaiting = SubOrder.objects.filter(merchant=merchant, status=SubOrder.Status.AWAITING_SHIPMENT)
    counts = awaiting.aggregate(
        total=Count("id"), overdue=Count("id", filter=Q(created_at__lt=overdue_before))
    )
    # Oldest first is overdue first: every sub-order has the same time to ship.
    to_ship = list(
        awaiting.select_related("order", "warehouse")
        .annotate(line_count=Count("lines"))
        .order_by("created_at")[:LIST_LIMIT]
    )
    for sub_order in to_ship:
        sub_order.ship_by = ship_deadline(sub_order.created_at)
        sub_order.is_overdue = sub_order.ship_by <= now

    requested = AfterSalesCase.objects.filter(
        merchant=merchant, status=AfterSalesCase.Status.REQUESTED
    )
    to_answer = list(
        requested.select_related("reason", "sub_order").order_by(
            F("respond_by").asc(nulls_last=True)
        )[:LIST_LIMIT]
    )
    low_stock = list(
        StockRecord.objects.filter(sku__product__merchant=merchant, sku__is_active=True)
        .annotate(available=F("on_hand") - F("allocated"))
        .filter(available__lte=settings.LOW_STOCK_THRESHOLD)
        .select_related("sku__product", "warehouse")
        .order_by("available", "sku__code")[:LIST_LIMIT]
    )
    return MerchantWorkbench(
        merchant=merchant,
        to_ship=to_ship,
        to_ship_count=counts["total"],
        overdue_count=counts["overdue"],
        to_answer=to_answer,
        to_answer_count=requested.count(),
        sales=daily_sales(merchant_id=merchant.pk, now=now),
        low_stock=low_stock,
    )


def ops_workbench(*, now: datetime | None = None) -> OpsWorkbench:
    """The landing page of platform operations."""
    from aftersales.admin.deadlines import overdue_q
    from aftersales.models import AfterSalesCase
    from catalog.models import Merchant
    from orders.models import SubOrder
    from payments.models import ReconciliationMismatch, ReconciliationRun, Refund

    now = now or timezone.now()
    cases = AfterSalesCase.objects.select_related("merchant", "reason")
    appeals = cases.filter(status=AfterSalesCase.Status.APPEALED)
    overdue = cases.filter(overdue_q(now))
    failed = Refund.objects.filter(status=Refund.Status.FAILED).select_related("payment__order")
    last_run = ReconciliationRun.objects.first()  # newest day first (Meta.ordering)
    mismatches = (
        ReconciliationMismatch.objects.filter(run=last_run)
        if last_run
        else ReconciliationMismatch.objects.none()
    )

    today_start = timezone.make_aware(
        datetime.combine(timezone.localdate(now), datetime.min.time())
    )
    overdue_before = now - timedelta(hours=settings.SHIP_WITHIN_HOURS)
    awaiting = Q(sub_orders__status=SubOrder.Status.AWAITING_SHIPMENT)
    merchant_rows = list(
        Merchant.objects.filter(is_active=True)
        .annotate(
            sales_today=Sum(
                "sub_orders__payable_amount", filter=Q(sub_orders__created_at__gte=today_start)
            ),
            orders_today=Count("sub_orders", filter=Q(sub_orders__created_at__gte=today_start)),
            to_ship=Count("sub_orders", filter=awaiting),
            overdue_to_ship=Count(
                "sub_orders", filter=awaiting & Q(sub_orders__created_at__lt=overdue_before)
            ),
        )
        .order_by("-sales_today", "name")
    )
    # Open cases per merchant in a second query: joining both reverse relations in one
    # aggregate would multiply the rows and the counts.
    open_cases = dict(
        AfterSalesCase.objects.filter(status__in=AfterSalesCase.OPEN)
        .values_list("merchant_id")
        .annotate(n=Count("id"))
    )
    for merchant in merchant_rows:
        merchant.sales_today = merchant.sales_today or ZERO
        merchant.open_cases = open_cases.get(merchant.pk, 0)

    return OpsWorkbench(
        appeals=list(appeals.order_by(F("appealed_at").asc(nulls_last=True))[:LIST_LIMIT]),
        appeals_count=appeals.count(),
        overdue_cases=list(overdue.order_by("created_at")[:LIST_LIMIT]),
        overdue_count=overdue.count(),
        failed_refunds=list(failed.order_by("created_at")[:LIST_LIMIT]),
        failed_refunds_count=failed.count(),
        mismatches=list(mismatches[:LIST_LIMIT]),
        mismatches_count=last_run.mismatch_count if last_run else 0,
        last_reconciliation=last_run,
        merchant_rows=merchant_rows,
        sales=daily_sales(merchant_id=None, now=now),
    )


def sales_chart(sales: DailySales):
    """The week's sales as bars, one per day (server-side SVG)."""
    from shop.charts import bar_chart

    return bar_chart(
        _("Sales, last 7 days (¥)"),
        [f"{d:%m-%d}" for d in sales.days],
        {_("Sales"): sales.amounts},
        value_formatter=lambda value: f"{value:,.0f}",
    )
