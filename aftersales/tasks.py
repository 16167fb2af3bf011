"""Case deadlines: beat sweeps every minute over the deadline columns (as orders.tasks does for
the order deadlines): due rows in bounded batches picked with skip_locked, each handed to the
ordinary service, which re-reads the case under its lock and does nothing if it moved on."""

from datetime import timedelta

from celery import shared_task
from django.db.models import QuerySet
from django.utils import timezone

from catalog.actors import SYSTEM
from orders.tasks import SOFT_TIME_LIMIT, TIME_LIMIT, sweep_due_rows

from . import services
from .models import AfterSalesCase

Status = AfterSalesCase.Status
# A refunding case whose refunds all succeeded is settled by payments' event at once; the sweep
# only catches one whose event was missed, so it leaves fresh ones alone.
SETTLE_AFTER = timedelta(minutes=5)

DEADLINES = {
    # column: (the states it applies to, the service, what it does)
    "respond_by": ([Status.REQUESTED], services.case_timeout_respond, "approve a case"),
    "appeal_by": ([Status.REJECTED], services.case_timeout_appeal, "close an unappealed case"),
    "return_ship_by": (
        [Status.AWAITING_RETURN],
        services.case_timeout_return_ship,
        "close a case not shipped back",
    ),
    "receive_by": (
        [Status.AWAITING_RETURN, Status.APPROVED],
        services.case_timeout_receive,
        "refund an unconfirmed return",
    ),
    "evidence_due_by": (
        list(AfterSalesCase.OPEN),
        services.case_timeout_evidence,
        "expire an evidence request",
    ),
}


def sweep_case_deadline_once(column: str) -> int:
    statuses, service, what = DEADLINES[column]

    def due() -> QuerySet:
        return AfterSalesCase.objects.filter(
            status__in=statuses, **{f"{column}__lte": timezone.now()}
        )

    return sweep_due_rows(
        due, column, lambda ids: lambda pk: service(case_id=pk, actor=SYSTEM), what
    )


def sweep_unsettled_refunds_once() -> int:
    def due() -> QuerySet:
        return AfterSalesCase.objects.filter(
            status=Status.REFUNDING, refund_started_at__lte=timezone.now() - SETTLE_AFTER
        )

    return sweep_due_rows(
        due,
        "refund_started_at",
        lambda ids: lambda pk: services.case_settle_if_refunded(case_id=pk, actor=SYSTEM),
        "settle a refunded case",
    )


def sweep_all_once() -> dict[str, int]:
    done = {column: sweep_case_deadline_once(column) for column in DEADLINES}
    done["refunds"] = sweep_unsettled_refunds_once()
    return done


@shared_task(bind=True, acks_late=True, soft_time_limit=SOFT_TIME_LIMIT, time_limit=TIME_LIMIT)
def sweep_case_deadlines(self) -> dict[str, int]:
    return sweep_all_once()
