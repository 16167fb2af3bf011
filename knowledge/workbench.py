"""What the operations workbench shows: the open cases by state, the deadlines (overdue
first), the service figures with their charts, and the help articles that need care."""

from datetime import timedelta

from django.db.models import Count, F
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from aftersales.models import AfterSalesCase
from shop.charts import bar_chart, line_chart

from . import metrics
from .models import Article, ContactRequest

QUEUE_LENGTH = 25


def case_queues(*, cases):
    """Open cases per state, and the ones with the nearest deadlines, overdue first."""
    open_cases = cases.filter(status__in=AfterSalesCase.OPEN)
    by_state = dict(open_cases.values_list("status").annotate(n=Count("pk")).order_by("status"))
    labels = dict(AfterSalesCase.Status.choices)
    due = (
        open_cases.annotate(
            due_at=Coalesce(
                "respond_by", "appeal_by", "return_ship_by", "receive_by", "evidence_due_by"
            )
        )
        .filter(due_at__isnull=False)
        .select_related("merchant", "reason")
        .order_by(F("due_at").asc())[:QUEUE_LENGTH]
    )
    now = timezone.now()
    return {
        "states": [(labels[s], by_state[s]) for s in AfterSalesCase.OPEN if s in by_state],
        "due": [{"case": c, "overdue": c.due_at <= now} for c in due],
    }


def open_questions(*, merchant=None) -> int:
    """Contact requests waiting for an answer: a merchant's own, or (ops) the platform's."""
    waiting = ContactRequest.objects.filter(status=ContactRequest.Status.OPEN)
    if merchant is not None:
        return waiting.filter(merchant=merchant).count()
    return waiting.filter(recipient=ContactRequest.Recipient.PLATFORM).count()


def _percent(value: float) -> str:
    return f"{value:.1f}%"


def figures_charts(figures: dict) -> list:
    merchants = sorted(
        (f for key, f in figures.items() if key is not metrics.PLATFORM and f.orders),
        key=lambda f: -f.orders,
    )[:10]
    if not merchants:
        return []
    labels = [f.merchant_name[:12] for f in merchants]
    return [
        bar_chart(
            "Refund rate and dispute rate, last 30 days (%)",
            labels,
            {
                "refund rate": [100 * (f.refund_rate or 0) for f in merchants],
                "dispute rate": [100 * (f.dispute_rate or 0) for f in merchants],
            },
            value_formatter=_percent,
        ),
        bar_chart(
            "First response p50 (hours)",
            labels,
            {"hours": [f.p("first_response_hours", 0.5) or 0 for f in merchants]},
        ),
    ]


def cases_per_day_chart(*, cases, days: int = 30):
    since = timezone.localdate() - timedelta(days=days - 1)
    rows = (
        cases.filter(created_at__date__gte=since)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("pk"))
    )
    counts = {row["day"]: row["n"] for row in rows}
    day_list = [since + timedelta(days=i) for i in range(days)]
    return line_chart(
        "After-sales requests per day",
        [d.strftime("%m-%d") for d in day_list],
        {"requests": [counts.get(d, 0) for d in day_list]},
    )


def articles_needing_care(*, limit: int = 10) -> dict:
    today = timezone.localdate()
    return {
        "review_due": list(
            Article.objects.filter(review_due_on__lte=today).order_by("review_due_on")[:limit]
        ),
        "unhelpful": list(
            Article.objects.filter(not_helpful_count__gt=F("helpful_count")).order_by(
                "-not_helpful_count"
            )[:limit]
        ),
    }
