"""Fulfilment in the admin: the queue of sub-orders awaiting shipment (per warehouse, oldest
first), pick lists, packing, shipping, bulk ship from a file, parcels with their tracking, and
carriers (operations only). Shortages at picking and lost parcels are after-sales cases (its
admin refunds them); the queue links to its out-of-stock page once that exists.

Every page is scoped with catalog.admin_scope: a merchant's staff see and act on their own
merchant's sub-orders only (another merchant's is "not found"). Every action calls
logistics.services; nothing here writes a model.
"""

import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from catalog.actors import is_platform_staff, staff_merchant
from catalog.admin_scope import MerchantScopedAdmin, register_merchant_lookup, user_may_access
from orders.models import OrderLine, SubOrder
from orders.templatetags.order_tags import PAYMENT_METHOD_LABELS
from shop.admin_inlines import ReadOnlyTabularInline
from shop.errors import DomainError

from . import selectors, services
from .models import Carrier, FulfilmentQueue, Shipment, ShipmentLine, ShortageRecord, TrackingEvent

register_merchant_lookup("logistics.shipment", "sub_order__merchant")
register_merchant_lookup("logistics.shortagerecord", "sub_order__merchant")
register_merchant_lookup("logistics.fulfilmentqueue", "merchant")


def _active_carriers():
    return Carrier.objects.filter(active=True).order_by("name")


def _default_carrier() -> Carrier | None:
    try:
        return services._carrier(None)
    except DomainError:
        return _active_carriers().first()


def _out_of_stock_url(sub_order_id: int) -> str:
    """After-sales' "out of stock at picking" page for the sub-order (it refunds the units),
    or "" while that app does not offer it."""
    try:
        return reverse("admin:aftersales_out_of_stock", args=[sub_order_id])
    except NoReverseMatch:
        return ""


# --- forms -----------------------------------------------------------------------------------


class QueueActionForm(ActionForm):
    carrier = forms.ModelChoiceField(
        queryset=Carrier.objects.none(),
        required=False,
        label=_("Carrier"),
        to_field_name="code",
        help_text=_("Packing splits parcels by this carrier's weight and volume limits."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].queryset = _active_carriers()


class PackForm(forms.Form):
    carrier = forms.ModelChoiceField(
        queryset=Carrier.objects.none(), to_field_name="code", empty_label=None
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].queryset = _active_carriers()


class ShipParcelForm(forms.Form):
    shipment = forms.IntegerField(widget=forms.HiddenInput)
    carrier = forms.ModelChoiceField(
        queryset=Carrier.objects.none(), to_field_name="code", empty_label=None
    )
    tracking_no = forms.CharField(max_length=40, required=False, label=_("Tracking number"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].queryset = _active_carriers()


ShipFormSet = forms.formset_factory(ShipParcelForm, extra=0)


class MoveUnitsForm(forms.Form):
    line = forms.TypedChoiceField(coerce=int, label=_("Item"))
    from_parcel = forms.TypedChoiceField(coerce=int, label=_("From parcel"))
    to_parcel = forms.TypedChoiceField(coerce=int, label=_("To parcel"))
    quantity = forms.IntegerField(min_value=1, initial=1)

    NEW_PARCEL = 0

    def __init__(self, *args, lines=(), parcels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [
            (line.pk, f"{line.sku_code} {line.product_title}") for line in lines
        ]
        numbered = [
            (p.pk, gettext("Parcel %(number)s") % {"number": i})
            for i, p in enumerate(parcels, start=1)
        ]
        self.fields["from_parcel"].choices = numbered
        self.fields["to_parcel"].choices = [*numbered, (self.NEW_PARCEL, "A new parcel")]


class BulkShipForm(forms.Form):
    file = forms.FileField(help_text="CSV (UTF-8) or Excel (.xlsx), at most 2 MB.")

    MAX_BYTES = 2 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload


# --- the fulfilment queue ----------------------------------------------------------------------


def _may_fulfil(request) -> bool:
    """Fulfilment acts on sub-orders: whoever may change sub-orders (merchant staff, ops)."""
    user = request.user
    return user.is_active and user.is_staff and user.has_perm("orders.change_suborder")


@admin.register(FulfilmentQueue)
class FulfilmentQueueAdmin(MerchantScopedAdmin, admin.ModelAdmin):
    merchant_lookup = "merchant"
    action_form = QueueActionForm
    list_display = (
        "sub_order_no",
        "warehouse",
        "age",
        "items",
        "parcels",
        "ship_to",
        "buyer_note",
        "payment",
        "tasks",
    )
    list_display_links = None
    list_filter = ("warehouse", "merchant")
    search_fields = ("sub_order_no", "order__order_no", "order__recipient", "order__phone")
    list_per_page = 50
    actions = ("print_pick_list", "pack_selected")
    ordering = ("created_at", "pk")

    # -- rows ---------------------------------------------------------------------------------
    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return (
            queryset.filter(status=SubOrder.Status.AWAITING_SHIPMENT)
            .select_related("order", "warehouse", "merchant")
            .prefetch_related(
                "lines",
                Prefetch(
                    "shipments",
                    queryset=Shipment.objects.filter(direction=Shipment.Direction.OUTBOUND),
                ),
            )
            .order_by("created_at", "pk")
        )

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if not self.is_platform(request):
            filters = [f for f in filters if f != "merchant" and f[0:1] != ("merchant",)]
        return filters

    # -- permissions: the queue is a view of sub-orders ----------------------------------------
    def has_module_permission(self, request):
        return _may_fulfil(request)

    def has_view_permission(self, request, obj=None):
        return _may_fulfil(request) and self.in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return obj is None and _may_fulfil(request)

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "title": _("Fulfilment queue: sub-orders awaiting shipment, oldest first"),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return HttpResponseRedirect(
            reverse("admin:logistics_fulfilmentqueue_ship", args=[object_id])
        )

    # -- columns ------------------------------------------------------------------------------
    @admin.display(description=_("Waiting"), ordering="created_at")
    def age(self, sub_order):
        hours = (timezone.now() - sub_order.created_at).total_seconds() / 3600
        css = (
            "color:#b00;font-weight:bold" if hours >= 48 else ("color:#b60" if hours >= 24 else "")
        )
        return format_html(
            '<span style="{}" title="{}">{}</span>',
            css,
            sub_order.created_at.strftime("%Y-%m-%d %H:%M"),
            timesince(sub_order.created_at),
        )

    @admin.display(description=_("Items"))
    def items(self, sub_order):
        return format_html_join(
            "",
            "<div>{} &times; {}</div>",
            (
                (line.quantity - line.refunded_quantity, line.sku_code)
                for line in sub_order.lines.all()
                if line.quantity - line.refunded_quantity > 0
            ),
        )

    @admin.display(description=_("Parcels"))
    def parcels(self, sub_order):
        shipments = list(sub_order.shipments.all())
        if not shipments:
            return gettext("not packed")
        shipped = sum(1 for s in shipments if s.is_shipped)
        return gettext("%(packed)s packed, %(shipped)s shipped") % {
            "packed": len(shipments),
            "shipped": shipped,
        }

    @admin.display(description=_("Ship to"))
    def ship_to(self, sub_order):
        order = sub_order.order
        return f"{order.recipient}, {order.province} {order.city}"

    @admin.display(description=_("Buyer's note"))
    def buyer_note(self, sub_order):
        return sub_order.order.buyer_note

    @admin.display(description=_("Payment"))
    def payment(self, sub_order):
        return PAYMENT_METHOD_LABELS.get(
            sub_order.order.payment_method, sub_order.order.payment_method
        )

    @admin.display(description="")
    def tasks(self, sub_order):
        links = [
            (reverse("admin:logistics_fulfilmentqueue_ship", args=[sub_order.pk]), _("Pack & ship"))
        ]
        out_of_stock = _out_of_stock_url(sub_order.pk)
        if out_of_stock:
            links.append((out_of_stock, _("Out of stock")))
        pick = reverse("admin:logistics_fulfilmentqueue_pick_list") + f"?ids={sub_order.pk}"
        return format_html(
            '{}<div><a href="{}" target="_blank">Pick list</a></div>',
            format_html_join(
                "",
                '<div style="margin-bottom:4px"><a class="button" href="{}">{}</a></div>',
                links,
            ),
            pick,
        )

    # -- list actions ---------------------------------------------------------------------------
    @admin.action(
        description=_("Print pick list of the selected sub-orders"), permissions=["change"]
    )
    def print_pick_list(self, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return HttpResponseRedirect(
            reverse("admin:logistics_fulfilmentqueue_pick_list") + f"?ids={ids}"
        )

    @admin.action(
        description=_("Pack selected (split by the carrier's limits)"), permissions=["change"]
    )
    def pack_selected(self, request, queryset):
        carrier = request.POST.get("carrier") or None
        packed, failures = 0, []
        for sub_order in queryset.order_by("pk"):
            try:
                shipments = services.shipment_pack(
                    sub_order_id=sub_order.pk, actor=request.user, carrier_code=carrier
                )
            except DomainError as error:
                failures.append(f"{sub_order.sub_order_no}: {error.detail}")
            else:
                packed += len(shipments)
        if packed:
            self.message_user(request, f"{packed} parcel(s) packed.", messages.SUCCESS)
        for failure in failures:
            self.message_user(request, failure, messages.ERROR)

    # -- pages ------------------------------------------------------------------------------------
    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "pick-list/", view(self.pick_list_view), name="logistics_fulfilmentqueue_pick_list"
            ),
            path("<int:pk>/ship/", view(self.ship_view), name="logistics_fulfilmentqueue_ship"),
            *super().get_urls(),
        ]

    def _sub_order_or_404(self, request, pk) -> SubOrder:
        if not _may_fulfil(request):
            raise PermissionDenied
        sub_order = (
            SubOrder.objects.select_related("order", "warehouse", "merchant").filter(pk=pk).first()
        )
        if sub_order is None or not user_may_access(request.user, sub_order, "merchant"):
            raise Http404("No such sub-order.")
        return sub_order

    def _context(self, request, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "queue_url": reverse("admin:logistics_fulfilmentqueue_changelist"),
            **extra,
        }

    def pick_list_view(self, request):
        if not _may_fulfil(request):
            raise PermissionDenied
        # The address bar is typed by hand: keep only plain ASCII ids within the key's range.
        ids = [
            int(pk)
            for pk in request.GET.get("ids", "").split(",")
            if pk.strip().isascii() and pk.strip().isdigit() and len(pk.strip()) <= 18
        ]
        sub_orders = list(self.get_queryset(request).filter(pk__in=ids))
        return TemplateResponse(
            request,
            "logistics/pick_list.html",
            {
                "rows": selectors.pick_list([s.pk for s in sub_orders]),
                "sub_orders": sub_orders,
                "noted_sub_orders": [s for s in sub_orders if s.order.buyer_note],
                "printed_at": timezone.now(),
                "printed_by": request.user,
            },
        )

    def ship_view(self, request, pk):
        sub_order = self._sub_order_or_404(request, pk)
        lines = list(OrderLine.objects.filter(sub_order=sub_order).order_by("pk"))

        def packed_parcels():
            return list(
                Shipment.objects.filter(sub_order=sub_order, direction=Shipment.Direction.OUTBOUND)
                .select_related("carrier")
                .prefetch_related("lines__order_line")
                .order_by("pk")
            )

        parcels = packed_parcels()
        default = parcels[0].carrier if parcels and parcels[0].carrier else _default_carrier()
        pack_form = PackForm(initial={"carrier": default.code if default else None})
        move_form = None
        formset = None
        if request.method == "POST":
            action = request.POST.get("action")
            try:
                if action == "pack":
                    pack_form = PackForm(request.POST)
                    if pack_form.is_valid():
                        services.shipment_pack(
                            sub_order_id=sub_order.pk,
                            actor=request.user,
                            carrier_code=pack_form.cleaned_data["carrier"].code,
                        )
                        self.message_user(request, gettext("Packed."), messages.SUCCESS)
                        return HttpResponseRedirect(request.path)
                elif action == "move":
                    move_form = MoveUnitsForm(request.POST, lines=lines, parcels=parcels)
                    if move_form.is_valid():
                        data = move_form.cleaned_data
                        services.shipment_adjust(
                            shipment_id=data["from_parcel"],
                            order_line_id=data["line"],
                            quantity=data["quantity"],
                            to_shipment_id=data["to_parcel"] or None,
                            actor=request.user,
                        )
                        self.message_user(request, gettext("Units moved."), messages.SUCCESS)
                        return HttpResponseRedirect(request.path)
                elif action == "ship":
                    formset = ShipFormSet(request.POST, prefix="parcel")
                    if formset.is_valid():
                        shipped = self._ship_rows(request, sub_order, formset)
                        if shipped is not None:
                            fresh = SubOrder.objects.get(pk=sub_order.pk)
                            if fresh.status != SubOrder.Status.AWAITING_SHIPMENT:
                                self.message_user(
                                    request,
                                    gettext("Sub-order %(no)s shipped.")
                                    % {"no": sub_order.sub_order_no},
                                    messages.SUCCESS,
                                )
                                return HttpResponseRedirect(
                                    reverse("admin:logistics_fulfilmentqueue_changelist")
                                )
                            if shipped:
                                self.message_user(
                                    request,
                                    ngettext(
                                        "%(count)d parcel shipped.",
                                        "%(count)d parcels shipped.",
                                        shipped,
                                    )
                                    % {"count": shipped},
                                    messages.SUCCESS,
                                )
                            return HttpResponseRedirect(request.path)
            except DomainError as error:
                self.message_user(request, error.detail, messages.ERROR)
            parcels = packed_parcels()
        if move_form is None and len(parcels) > 0:
            move_form = MoveUnitsForm(lines=lines, parcels=[p for p in parcels if not p.is_shipped])
        if formset is None:
            formset = ShipFormSet(
                prefix="parcel",
                initial=[
                    {
                        "shipment": parcel.pk,
                        "carrier": parcel.carrier.code if parcel.carrier else "",
                        "tracking_no": parcel.tracking_no,
                    }
                    for parcel in parcels
                    if not parcel.is_shipped
                ],
            )
        return TemplateResponse(
            request,
            "logistics/admin/ship.html",
            self._context(
                request,
                gettext("Pack and ship %(no)s") % {"no": sub_order.sub_order_no},
                sub_order=sub_order,
                lines=lines,
                parcels=parcels,
                shipped_parcels=[p for p in parcels if p.is_shipped],
                pack_form=pack_form,
                move_form=move_form,
                formset=formset,
                parcel_forms=list(
                    zip([p for p in parcels if not p.is_shipped], formset.forms, strict=False)
                ),
                awaiting=sub_order.status == SubOrder.Status.AWAITING_SHIPMENT,
                carriers=_active_carriers(),
                out_of_stock_url=_out_of_stock_url(sub_order.pk),
            ),
        )

    def _ship_rows(self, request, sub_order, formset) -> int | None:
        """Ship each parcel row that has a tracking number. None when a row failed (the page
        shows the errors and keeps what was typed)."""
        rows = [f.cleaned_data for f in formset.forms if f.cleaned_data.get("tracking_no")]
        if not rows:
            self.message_user(
                request, gettext("Type the tracking number of a parcel."), messages.ERROR
            )
            return None
        ours = set(
            Shipment.objects.filter(
                sub_order=sub_order, direction=Shipment.Direction.OUTBOUND
            ).values_list("pk", flat=True)
        )
        shipped, failed = 0, False
        for row in rows:
            if row["shipment"] not in ours:
                raise Http404("No such parcel.")
            try:
                services.shipment_ship(
                    shipment_id=row["shipment"],
                    carrier_code=row["carrier"].code,
                    tracking_no=row["tracking_no"],
                    actor=request.user,
                )
            except DomainError as error:
                failed = True
                self.message_user(request, error.detail, messages.ERROR)
            else:
                shipped += 1
        return None if failed and not shipped else shipped


# --- parcels -----------------------------------------------------------------------------------


class TrackingEventInline(ReadOnlyTabularInline):
    model = TrackingEvent
    fields = ("occurred_at", "status", "description", "location", "carrier_status", "received_at")
    ordering = ("-occurred_at", "-pk")


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

    title = "lost parcels"
    parameter_name = "lost"

    def lookups(self, request, model_admin):
        return (("waiting", "Lost, to settle"), ("settled", "Lost, settled"))

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
    inlines = (ShipmentLineInline, TrackingEventInline)
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

    def _each_parcel(self, request, queryset, call, done_text: str) -> None:
        done, failures = 0, []
        for shipment in queryset.order_by("pk"):
            try:
                call(shipment)
            except DomainError as error:
                failures.append(f"{shipment.shipment_no}: {error.detail}")
            else:
                done += 1
        if done:
            self.message_user(request, done_text.format(done), messages.SUCCESS)
        for failure in failures:
            self.message_user(request, failure, messages.ERROR)

    @admin.action(
        description="Cash on delivery: cash collected by the courier (parcel handed over)",
        permissions=["operations"],
    )
    def cod_collected(self, request, queryset):
        self._each_parcel(
            request,
            queryset,
            lambda shipment: services.shipment_cod_collect(
                shipment_id=shipment.pk, actor=request.user
            ),
            "Cash collected for {} parcel(s). A sub-order's cash is recorded once none of its "
            "parcels is still on its way.",
        )

    @admin.action(
        description="Refused or intercepted parcel back in the warehouse (goods return to stock)",
        permissions=["change"],
    )
    def return_received(self, request, queryset):
        self._each_parcel(
            request,
            queryset,
            lambda shipment: services.shipment_return_received(
                shipment_id=shipment.pk, actor=request.user
            ),
            "{} parcel(s) back in stock.",
        )

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    @admin.display(description="Lost parcel")
    def lost_parcel_case(self, shipment):
        """Where ops settle a lost parcel: the after-sales page that refunds its goods."""
        if shipment.status != Shipment.Status.LOST or shipment.lost_settled_at is not None:
            return "-"
        url = reverse("admin:aftersales_lost_parcel", args=[shipment.pk])
        return format_html('<a href="{}">Refund the lost goods to the shopper</a>', url)

    @admin.display(description="Sub-order", ordering="sub_order__sub_order_no")
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
        if not _may_fulfil(request) or not (
            is_platform_staff(request.user) or staff_merchant(request.user)
        ):
            raise PermissionDenied
        form = BulkShipForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = services.bulk_ship_rows_from_file(
                    content=upload.read(), filename=upload.name
                )
                report = services.shipments_bulk_ship(rows=rows, actor=request.user)
            except DomainError as error:
                self.message_user(request, error.detail, messages.ERROR)
            else:
                if report.applied:
                    self.message_user(
                        request, f"{len(report.rows)} parcel(s) shipped.", messages.SUCCESS
                    )
                    if report.notes:
                        self.message_user(
                            request,
                            f"{len(report.notes)} row(s) leave parcels of their sub-order "
                            "packed: those sub-orders ship with their last parcel. See the "
                            "report below.",
                            messages.WARNING,
                        )
                else:
                    self.message_user(
                        request,
                        f"{len(report.errors)} row(s) have problems: nothing was shipped. Fix "
                        "them and upload the file again.",
                        messages.ERROR,
                    )
        return TemplateResponse(
            request,
            "logistics/admin/bulk_ship.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Bulk ship from a file",
                "form": form,
                "report": report,
                "carriers": _active_carriers(),
            },
        )


@admin.register(ShortageRecord)
class ShortageRecordAdmin(MerchantScopedAdmin, admin.ModelAdmin):
    merchant_lookup = "sub_order__merchant"
    list_display = (
        "created_at",
        "sub_order",
        "item",
        "quantity",
        "reason",
        "refund_amount",
        "refund_reference",
        "staff",
    )
    list_select_related = ("sub_order", "order_line", "staff")
    search_fields = ("sub_order__sub_order_no", "order_line__sku_code", "refund_reference")
    fields = list_display
    readonly_fields = list_display

    @admin.display(description=_("Item"))
    def item(self, shortage):
        return f"{shortage.order_line.sku_code} {shortage.order_line.product_title}"

    def has_module_permission(self, request):
        return _may_fulfil(request)

    def has_view_permission(self, request, obj=None):
        return _may_fulfil(request) and self.in_scope(request, obj)

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CarrierForm(forms.ModelForm):
    class Meta:
        model = Carrier
        fields = (
            "name",
            "code",
            "tracking_pattern",
            "tracking_example",
            "max_weight_grams",
            "max_volume_cm3",
            "adapter",
            "aggregator_code",
            "active",
        )

    def clean_tracking_pattern(self):
        pattern = self.cleaned_data["tracking_pattern"]
        try:
            re.compile(pattern)
        except re.error as error:
            raise forms.ValidationError(f"Not a regular expression: {error}") from None
        return pattern


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
