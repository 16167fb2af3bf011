"""Parcels: their lines, the carrier's tracking events and their history (who changed their
state), the actions on parcels back in the warehouse and cash on delivery collected, and bulk
ship from a file."""

from collections.abc import Callable

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from catalog.actors import actor_for, is_platform_staff, staff_merchant
from catalog.admin_scope import MerchantScopedAdmin, register_merchant_lookup
from shop.admin_inlines import ReadOnlyTabularInline
from shop.errors import DomainError

from .. import services
from ..models import Shipment, ShipmentEvent, ShipmentLine, TrackingEvent
from ..ship_import import bulk_ship_rows_from_file
from .forms import BulkShipForm, active_carriers, may_fulfil

register_merchant_lookup("logistics.shipment", "sub_order__merchant")


class TrackingEventInline(ReadOnlyTabularInline):
    model = TrackingEvent
    fields = ("occurred_at", "status", "description", "location", "carrier_status", "received_at")
    ordering = ("-occurred_at", "-pk")


class ShipmentEventInline(ReadOnlyTabularInline):
    """The parcel's history: who changed its state (staff, operations, the shopper, or the
    system for couriers and timers), from what to what."""

    model = ShipmentEvent
    verbose_name = _("history")
    verbose_name_plural = _("history: who changed the parcel")
    fields = ("created_at", "what", "from_state", "to_state", "actor_role", "actor", "note")
    ordering = ("created_at", "pk")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class ShipmentLineInline(ReadOnlyTabularInline):
    model = ShipmentLine
    fields = ("item", "quantity")

    @admin.display(description=_("Item"))
    def item(self, line):
        return f"{line.order_line.sku_code} {line.order_line.product_title}"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order_line")


class LostParcelFilter(admin.SimpleListFilter):
    """Lost parcels: those after-sales has still to settle (a lost-parcel case refunds the
    goods, then the sub-order goes on) and those it settled."""

    title = _("lost parcels")
    parameter_name = "lost"

    def lookups(self, request, model_admin):
        return (("waiting", _("Lost, to settle")), ("settled", _("Lost, settled")))

    def queryset(self, request, queryset):
        lost = queryset.filter(status=Shipment.Status.LOST)
        if self.value() == "waiting":
            return lost.filter(lost_settled_at__isnull=True)
        if self.value() == "settled":
            return lost.filter(lost_settled_at__isnull=False)
        return queryset


@admin.register(Shipment)
class ShipmentAdmin(MerchantScopedAdmin, admin.ModelAdmin):
    merchant_lookup = "sub_order__merchant"
    change_list_template = "logistics/admin/shipment_change_list.html"
    list_display = (
        "shipment_no",
        "sub_order_link",
        "carrier",
        "tracking_no",
        "direction",
        "status",
        "weight_grams",
        "shipped_at",
        "delivered_at",
    )
    list_filter = (LostParcelFilter, "direction", "status", "carrier", "shipped_at")
    search_fields = ("shipment_no", "tracking_no", "sub_order__sub_order_no")
    list_select_related = ("sub_order", "carrier")
    inlines = (ShipmentLineInline, TrackingEventInline, ShipmentEventInline)
    fields = (
        "shipment_no",
        "sub_order_link",
        "carrier",
        "tracking_no",
        "direction",
        "status",
        "weight_grams",
        "volume_cm3",
        "created_at",
        "shipped_at",
        "shipped_by",
        "tracking_started_at",
        "delivered_at",
        "closed_at",
        "cod_collected_at",
        "lost_settled_at",
        "lost_parcel_case",
        "intercept_requested_at",
        "returned_at",
        "note",
    )
    readonly_fields = fields
    actions = ("return_received", "cod_collected")

    def get_fields(self, request, obj=None):
        # Settling a lost parcel is operations' work: merchant staff do not see the way in.
        fields = super().get_fields(request, obj)
        if is_platform_staff(request.user):
            return fields
        return tuple(name for name in fields if name != "lost_parcel_case")

    def has_operations_permission(self, request):
        """Cash on delivery recorded by hand is for platform operations only."""
        return is_platform_staff(request.user)

    def _each_parcel(self, request, queryset, call, done_text: Callable[[int], str]) -> None:
        """Call `call` for each parcel; `done_text(count)` words the success (a plural)."""
        done, failures = 0, []
        for shipment in queryset.order_by("pk"):
            try:
                call(shipment)
            except DomainError as error:
                failures.append(f"{shipment.shipment_no}: {error.detail}")
            else:
                done += 1
        if done:
            self.message_user(request, done_text(done), messages.SUCCESS)
        for failure in failures:
            self.message_user(request, failure, messages.ERROR)

    @admin.action(
        description=_("Cash on delivery: cash collected by the courier (parcel handed over)"),
        permissions=["operations"],
    )
    def cod_collected(self, request, queryset):
        self._each_parcel(
            request,
            queryset,
            lambda shipment: services.shipment_cod_collect(
                shipment_id=shipment.pk, actor=actor_for(request.user)
            ),
            lambda count: (
                ngettext(
                    "Cash collected for %(count)d parcel. A sub-order's cash is recorded once "
                    "none of its parcels is still on its way.",
                    "Cash collected for %(count)d parcels. A sub-order's cash is recorded once "
                    "none of its parcels is still on its way.",
                    count,
                )
                % {"count": count}
            ),
        )

    @admin.action(
        description=_(
            "Refused or intercepted parcel back in the warehouse (goods return to stock)"
        ),
        permissions=["change"],
    )
    def return_received(self, request, queryset):
        self._each_parcel(
            request,
            queryset,
            lambda shipment: services.shipment_return_received(
                shipment_id=shipment.pk, actor=actor_for(request.user)
            ),
            lambda count: (
                ngettext(
                    "%(count)d parcel back in stock.", "%(count)d parcels back in stock.", count
                )
                % {"count": count}
            ),
        )

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    @admin.display(description=_("Lost parcel"))
    def lost_parcel_case(self, shipment):
        """Where ops settle a lost parcel: the after-sales page that refunds its goods."""
        if shipment.status != Shipment.Status.LOST or shipment.lost_settled_at is not None:
            return "-"
        url = reverse("admin:aftersales_lost_parcel", args=[shipment.pk])
        return format_html(
            '<a href="{}">{}</a>', url, gettext("Refund the lost goods to the shopper")
        )

    @admin.display(description=_("Sub-order"), ordering="sub_order__sub_order_no")
    def sub_order_link(self, shipment):
        url = reverse("admin:orders_suborder_change", args=[shipment.sub_order_id])
        return format_html('<a href="{}">{}</a>', url, shipment.sub_order.sub_order_no)

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.bulk_ship_view),
                name="logistics_shipment_bulk_ship",
            ),
            *super().get_urls(),
        ]

    def bulk_ship_view(self, request):
        if not may_fulfil(request) or not (
            is_platform_staff(request.user) or staff_merchant(request.user)
        ):
            raise PermissionDenied
        form = BulkShipForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = bulk_ship_rows_from_file(content=upload.read(), filename=upload.name)
                report = services.shipments_bulk_ship(rows=rows, actor=actor_for(request.user))
            except DomainError as error:
                self.message_user(request, error.detail, messages.ERROR)
            else:
                if report.applied:
                    self.message_user(
                        request,
                        ngettext(
                            "%(count)d parcel shipped.",
                            "%(count)d parcels shipped.",
                            len(report.rows),
                        )
                        % {"count": len(report.rows)},
                        messages.SUCCESS,
                    )
                    if report.notes:
                        self.message_user(
                            request,
                            ngettext(
                                "%(count)d row leaves parcels of its sub-order packed: that "
                                "sub-order ships with its last parcel. See the report below.",
                                "%(count)d rows leave parcels of their sub-order packed: those "
                                "sub-orders ship with their last parcel. See the report below.",
                                len(report.notes),
                            )
                            % {"count": len(report.notes)},
                            messages.WARNING,
                        )
                else:
                    self.message_user(
                        request,
                        ngettext(
                            "%(count)d row has problems: nothing was shipped. Fix it and "
                            "upload the file again.",
                            "%(count)d rows have problems: nothing was shipped. Fix them and "
                            "upload the file again.",
                            len(report.errors),
                        )
                        % {"count": len(report.errors)},
                        messages.ERROR,
                    )
        return TemplateResponse(
            request,
            "logistics/admin/bulk_ship.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Bulk ship from a file"),
                "form": form,
                "report": report,
                "carriers": active_carriers(),
            },
        )
