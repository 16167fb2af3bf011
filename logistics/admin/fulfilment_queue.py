"""The fulfilment queue: sub-orders awaiting shipment (per warehouse, oldest first), their pick
list, and the page where a sub-order is packed, its units moved between parcels and its parcels
shipped."""

from django.contrib import admin, messages
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

from catalog.actors import actor_for
from catalog.admin_scope import MerchantScopedAdmin, register_merchant_lookup, user_may_access
from orders.models import OrderLine, SubOrder
from orders.templatetags.order_tags import PAYMENT_METHOD_LABELS
from shop.errors import DomainError

from .. import selectors, services
from ..models import FulfilmentQueue, Shipment
from .forms import (
    MoveUnitsForm,
    PackForm,
    QueueActionForm,
    ShipFormSet,
    active_carriers,
    default_carrier,
    may_fulfil,
)

register_merchant_lookup("logistics.fulfilmentqueue", "merchant")


def _out_of_stock_url(sub_order_id: int) -> str:
    """After-sales' "out of stock at picking" page for the sub-order (it refunds the units),
    or "" while that app does not offer it."""
    try:
        return reverse("admin:aftersales_out_of_stock", args=[sub_order_id])
    except NoReverseMatch:
        return ""


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
        return may_fulfil(request)

    def has_view_permission(self, request, obj=None):
        return may_fulfil(request) and self.in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return obj is None and may_fulfil(request)

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
                    sub_order_id=sub_order.pk, actor=actor_for(request.user), carrier_code=carrier
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
        if not may_fulfil(request):
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
        if not may_fulfil(request):
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
        default = parcels[0].carrier if parcels and parcels[0].carrier else default_carrier()
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
                            actor=actor_for(request.user),
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
                            actor=actor_for(request.user),
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
                carriers=active_carriers(),
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
                    actor=actor_for(request.user),
                )
            except DomainError as error:
                failed = True
                self.message_user(request, error.detail, messages.ERROR)
            else:
                shipped += 1
        return None if failed and not shipped else shipped
