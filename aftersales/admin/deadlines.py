"""A case's deadlines in SQL: the one it counts down to, the overdue, the failed refunds (the
queues sort and filter by them; shop.workbench counts the overdue)."""

from django.contrib import admin
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payments.models import Refund

from ..models import AfterSalesCase

Status = AfterSalesCase.Status


def next_deadline_expression():
    """The deadline the case counts down to (AfterSalesCase.next_deadline, in SQL), to order
    the queue by and to filter the overdue."""
    return Coalesce(
        Case(
            When(status=Status.REQUESTED, then=F("respond_by")),
            When(status=Status.REJECTED, then=F("appeal_by")),
            When(
                status=Status.AWAITING_RETURN, then=Coalesce(F("receive_by"), F("return_ship_by"))
            ),
            When(status=Status.APPROVED, then=F("receive_by")),
            default=None,
        ),
        F("evidence_due_by"),
    )


def overdue_q(now) -> Q:
    """An open case with any deadline past (the sweeps act within a minute: what stays here is
    what they could not settle)."""
    past = (
        Q(respond_by__lt=now)
        | Q(appeal_by__lt=now)
        | Q(return_ship_by__lt=now)
        | Q(receive_by__lt=now)
        | Q(evidence_due_by__lt=now)
    )
    return Q(status__in=AfterSalesCase.OPEN) & past


def failed_refund_exists():
    """A payments refund of the case (keyed "<case_no>-<line>", as selectors.refunds_of) that
    failed."""
    return Exists(
        Refund.objects.filter(
            status=Refund.Status.FAILED,
            idempotency_key__startswith=Concat(OuterRef("case_no"), Value("-")),
        )
    )


class OverdueFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return (("yes", _("Overdue")),)

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(overdue_q(timezone.now()))
        return queryset
