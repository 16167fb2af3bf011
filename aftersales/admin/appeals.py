"""Operations' queue: appeals (平台介入), cases past a deadline, refunds the gateway failed."""

from django.contrib import admin
from django.db.models import F, Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.actors import is_platform_staff

from .. import selectors
from ..models import AfterSalesCase, AppealQueue
from .cases import AfterSalesCaseAdmin
from .deadlines import failed_refund_exists, overdue_q

Status = AfterSalesCase.Status


class OperationsQueueFilter(admin.SimpleListFilter):
    """The tabs of the queue; without one, everything operations have to handle."""

    title = _("queue")
    parameter_name = "queue"
    APPEALS, OVERDUE, REFUND_FAILED = "appeals", "overdue", "refund_failed"

    def lookups(self, request, model_admin):
        return (
            (self.APPEALS, _("Appeals")),
            (self.OVERDUE, _("Overdue")),
            (self.REFUND_FAILED, _("Refund failed")),
        )

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if choice.get("display") == gettext("All"):
                choice["display"] = _("Everything to handle")
            yield choice

    @classmethod
    def condition(cls, value, now) -> Q:
        if value == cls.APPEALS:
            return Q(status=Status.APPEALED)
        if value == cls.OVERDUE:
            return overdue_q(now)
        if value == cls.REFUND_FAILED:
            return Q(refund_failed=True)
        return Q(status=Status.APPEALED) | overdue_q(now) | Q(refund_failed=True)

    def queryset(self, request, queryset):
        return queryset.filter(self.condition(self.value(), timezone.now()))


@admin.register(AppealQueue)
class AppealQueueAdmin(AfterSalesCaseAdmin):
    """Cases only operations handle: appeals (平台介入), cases past a deadline, refunds the
    gateway failed. Their decision, evidence requests and messages are the buttons."""

    change_list_template = "admin/aftersales/appealqueue/change_list.html"
    list_display = (
        "case_no",
        "type",
        "status",
        "merchant",
        "reason",
        "refund_amount",
        "sub_order_link",
        "shopper",
        "due",
        "refund_state",
        "appealed_at",
    )
    list_filter = (OperationsQueueFilter, "type", "status", "merchant")
    list_select_related = ("sub_order", "order", "user", "reason", "merchant")
    is_operations_queue = True
    list_title = _("Operations queue: appeals, overdue cases, failed refunds")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(refund_failed=failed_refund_exists())

    def get_ordering(self, request):
        # Appeals by the time they came in; the rest by what is due first.
        return (F("appealed_at").asc(nulls_last=True), F("due_at").asc(nulls_last=True))

    def has_module_permission(self, request):
        return is_platform_staff(request.user)

    def has_view_permission(self, request, obj=None):
        return is_platform_staff(request.user)

    def has_change_permission(self, request, obj=None):
        return obj is None and is_platform_staff(request.user)

    def extra_urls(self):
        return []

    @admin.display(description=_("Refund"), ordering="refund_failed")
    def refund_state(self, case):
        if case.refund_failed:
            return format_html(
                '<span style="color:#b00;font-weight:bold">{}</span>', gettext("failed")
            )
        return "—"

    @admin.display(description=_("Next step"))
    def next_step(self, case):
        if case.status == Status.APPEALED:
            return _("Decide the appeal: approve (all or part) or reject.")
        return selectors.next_action(case, for_role="merchant")
