"""Reference data of after-sales: the reasons operations maintain, the merchants' return
addresses."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from catalog.actors import is_platform_staff
from catalog.admin_scope import MerchantScopedAdmin

from ..models import CaseReason, CaseType, ReturnAddress, Stage
from .access import may_work_cases
from .forms import CaseReasonForm, ReturnAddressForm


@admin.register(CaseReason)
class CaseReasonAdmin(admin.ModelAdmin):
    """Operations maintain the reasons; a merchant's staff may read them."""

    form = CaseReasonForm
    list_display = (
        "label",
        "code",
        "stage_list",
        "type_list",
        "responsibility",
        "evidence_required",
        "is_no_reason",
        "is_active",
        "position",
    )
    list_filter = ("is_active", "responsibility", "evidence_required", "is_no_reason")
    search_fields = ("code", "label")
    ordering = ("position", "pk")

    @admin.display(description=_("Stages"))
    def stage_list(self, reason):
        labels = dict(Stage.choices)
        return ", ".join(str(labels.get(value, value)) for value in reason.stages)

    @admin.display(description=_("Types"))
    def type_list(self, reason):
        labels = dict(CaseType.choices)
        return ", ".join(str(labels.get(value, value)) for value in reason.types)

    def has_module_permission(self, request):
        return may_work_cases(request)

    def has_view_permission(self, request, obj=None):
        return may_work_cases(request)

    def has_change_permission(self, request, obj=None):
        return is_platform_staff(request.user)

    def has_add_permission(self, request):
        return is_platform_staff(request.user)

    def has_delete_permission(self, request, obj=None):
        # Cases keep their reason (PROTECT): a reason out of use is switched off instead.
        return False


@admin.register(ReturnAddress)
class ReturnAddressAdmin(MerchantScopedAdmin, admin.ModelAdmin):
    """Where returns go: a merchant's staff keep their own (per warehouse, or the default)."""

    merchant_lookup = "merchant"
    form = ReturnAddressForm
    list_display = ("merchant", "warehouse", "recipient", "phone", "address")
    list_select_related = ("merchant", "warehouse")
    list_filter = ("merchant",)
    search_fields = ("recipient", "address", "merchant__name")

    def get_list_filter(self, request):
        return self.list_filter if is_platform_staff(request.user) else ()

    def has_module_permission(self, request):
        return may_work_cases(request)

    def has_view_permission(self, request, obj=None):
        return may_work_cases(request) and self.in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return may_work_cases(request) and self.in_scope(request, obj)

    def has_add_permission(self, request, *args):
        return may_work_cases(request)

    def has_delete_permission(self, request, obj=None):
        return may_work_cases(request) and self.in_scope(request, obj)
