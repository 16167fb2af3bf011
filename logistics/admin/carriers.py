"""Carriers: shared by every merchant, so operations only."""

from django.contrib import admin

from catalog.actors import is_platform_staff

from ..models import Carrier
from .forms import CarrierForm


@admin.register(Carrier)
class CarrierAdmin(admin.ModelAdmin):
    """Operations only: carriers are shared by every merchant."""

    form = CarrierForm

    list_display = (
        "name",
        "code",
        "tracking_pattern",
        "tracking_example",
        "max_weight_grams",
        "max_volume_cm3",
        "adapter",
        "active",
    )
    list_filter = ("adapter", "active")
    search_fields = ("name", "code")

    def has_module_permission(self, request):
        return is_platform_staff(request.user)

    def has_view_permission(self, request, obj=None):
        return is_platform_staff(request.user)

    def has_change_permission(self, request, obj=None):
        return is_platform_staff(request.user)

    def has_add_permission(self, request):
        return is_platform_staff(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj is not None else ()
