"""The after-sales pages of the admin that are not a case's: operations open a case for a
shopper who called or cancel a paid order for them, the warehouse reports units missing at
picking, operations refund a lost parcel. Mixed into the case admin, which registers their URLs
once (the operations queue, a subclass, registers none)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.actors import actor_for, is_platform_staff
from catalog.admin_scope import user_may_access
from logistics import selectors as logistics_selectors
from logistics.models import Shipment
from orders.models import Order, OrderLine, SubOrder
from shop.errors import DomainError, NotFound
from shop.money import ZERO, format_money

from .. import selectors, services
from ..models import AfterSalesCase, CaseType
from .access import may_fulfil
from .display import form_errors, url_or_blank
from .forms import (
    CancelPaidOrderForm,
    OpenForShopperForm,
    OutOfStockForm,
    ParcelLookupForm,
    SubOrderLookupForm,
)


class DeskPages:
    """The views of those pages; the admin they are mixed into gives `_change_url`."""

    def extra_urls(self):
        """Pages of after-sales that are not a case's (registered once, on the case admin)."""
        view = self.admin_site.admin_view
        return [
            path(
                "open-for-shopper/",
                view(self.open_for_shopper_view),
                name="aftersales_open_for_shopper",
            ),
            path(
                "cancel-paid-order/",
                view(self.cancel_paid_order_view),
                name="aftersales_cancel_paid_order",
            ),
            path(
                "out-of-stock/<int:sub_order_id>/",
                view(self.out_of_stock_view),
                name="aftersales_out_of_stock",
            ),
            path(
                "lost-parcel/", view(self.lost_parcel_find_view), name="aftersales_lost_parcel_find"
            ),
            path(
                "lost-parcel/<int:shipment_id>/",
                view(self.lost_parcel_view),
                name="aftersales_lost_parcel",
            ),
        ]

    def _context(self, request, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "queue_url": reverse("admin:aftersales_aftersalescase_changelist"),
            **extra,
        }

    # -- operations open a case for a shopper who called ------------------------------------
    def _require_ops(self, request):
        if not is_platform_staff(request.user):
            raise PermissionDenied

    def open_for_shopper_view(self, request):
        self._require_ops(request)
        number = (request.POST.get("sub_order_no") or request.GET.get("sub_order_no") or "").strip()
        lookup = SubOrderLookupForm(initial={"sub_order_no": number})
        sub_order = options = form = None
        if number:
            sub_order = (
                SubOrder.objects.select_related("order", "order__user", "merchant")
                .filter(sub_order_no=number)
                .first()
            )
            if sub_order is None:
                self.message_user(
                    request, gettext("No sub-order %(no)s.") % {"no": number}, messages.ERROR
                )
        if sub_order is not None:
            options = selectors.sub_order_options(sub_order=sub_order)
            if options.not_allowed_reason is None:
                if request.method == "POST":
                    form = OpenForShopperForm(request.POST, request.FILES, options=options)
                    if form.is_valid():
                        case = self._open_for_shopper(request, sub_order, form)
                        if case is not None:
                            return HttpResponseRedirect(self._change_url(case))
                    elif form.errors:
                        self.message_user(request, form_errors(form), messages.ERROR)
                else:
                    form = OpenForShopperForm(options=options)
        order = sub_order.order if sub_order is not None else None
        return TemplateResponse(
            request,
            "admin/aftersales/open_for_shopper.html",
            self._context(
                request,
                _("Open a case for a shopper"),
                lookup=lookup,
                sub_order=sub_order,
                options=options,
                form=form,
                cancel_form=CancelPaidOrderForm(
                    initial={"order_no": order.order_no}, auto_id="id_cancel_%s"
                )
                if order is not None and order.status == Order.Status.PAID
                else None,
                parcel_form=ParcelLookupForm(auto_id="id_parcel_%s"),
            ),
        )

    def _open_for_shopper(self, request, sub_order, form) -> AfterSalesCase | None:
        data = form.cleaned_data
        actor = actor_for(request.user)
        try:
            with (
                transaction.atomic(),
                services.evidence_uploaded(actor=actor, files=data["photos"]) as evidence_ids,
            ):
                case = services.case_create(
                    actor=actor,
                    sub_order_no=sub_order.sub_order_no,
                    type=data["type"],
                    reason=data["reason"],
                    lines=form.lines(),
                    description=data["description"],
                    refund_amount=data.get("refund_amount"),
                    evidence_ids=evidence_ids,
                    idempotency_key=data["idempotency_key"],
                )
        except DomainError as error:
            self.message_user(request, error.detail, messages.ERROR)
            return None
        self.message_user(
            request,
            gettext("Case %(case_no)s opened for %(shopper)s on %(sub_order_no)s: %(status)s.")
            % {
                "case_no": case.case_no,
                "shopper": sub_order.order.user,
                "sub_order_no": sub_order.sub_order_no,
                "status": case.get_status_display(),
            },
            messages.SUCCESS,
        )
        return case

    def cancel_paid_order_view(self, request):
        self._require_ops(request)
        back = reverse("admin:aftersales_open_for_shopper")
        if request.method != "POST":
            return HttpResponseRedirect(back)
        form = CancelPaidOrderForm(request.POST)
        if not form.is_valid():
            self.message_user(request, form_errors(form), messages.ERROR)
            return HttpResponseRedirect(back)
        order_no = form.cleaned_data["order_no"].strip()
        try:
            opened = services.order_cancel_paid(
                order_no=order_no, actor=actor_for(request.user), reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            self.message_user(request, error.detail, messages.ERROR)
            return HttpResponseRedirect(back)
        total = sum((case.refund_amount for case in opened), ZERO)
        self.message_user(
            request,
            gettext(
                "Order %(order_no)s cancelled for the shopper: %(count)d case(s) refund %(amount)s."
            )
            % {"order_no": order_no, "count": len(opened), "amount": format_money(total)},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse("admin:aftersales_aftersalescase_changelist") + f"?q={order_no}"
        )

    # -- shortages at picking ----------------------------------------------------------------------
    def out_of_stock_view(self, request, sub_order_id):
        if not may_fulfil(request):
            raise PermissionDenied
        sub_order = (
            SubOrder.objects.select_related("order", "warehouse", "merchant")
            .filter(pk=sub_order_id)
            .first()
        )
        if sub_order is None or not user_may_access(request.user, sub_order, "merchant"):
            raise Http404(gettext("No such sub-order."))
        lines = list(OrderLine.objects.filter(sub_order=sub_order).order_by("pk"))
        form = OutOfStockForm(request.POST or None, lines=lines)
        if request.method == "POST":
            if form.is_valid():
                data = form.cleaned_data
                try:
                    case = services.case_open_out_of_stock(
                        line_id=data["line"],
                        quantity=data["quantity"],
                        reason=data["reason"],
                        actor=actor_for(request.user),
                    )
                except DomainError as error:
                    self.message_user(request, error.detail, messages.ERROR)
                else:
                    self.message_user(
                        request,
                        gettext(
                            "%(count)d unit(s) out of stock: case %(case_no)s refunds %(amount)s "
                            "to the shopper."
                        )
                        % {
                            "count": data["quantity"],
                            "case_no": case.case_no,
                            "amount": format_money(case.refund_amount),
                        },
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        url_or_blank("admin:logistics_fulfilmentqueue_ship", sub_order.pk)
                        or self._change_url(case)
                    )
            else:
                self.message_user(request, form_errors(form), messages.ERROR)
        return TemplateResponse(
            request,
            "admin/aftersales/out_of_stock.html",
            self._context(
                request,
                gettext("Out of stock at picking: %(no)s") % {"no": sub_order.sub_order_no},
                sub_order=sub_order,
                lines=lines,
                form=form,
                ship_url=url_or_blank("admin:logistics_fulfilmentqueue_ship", sub_order.pk),
            ),
        )

    # -- lost parcels (operations) ---------------------------------------------------------------
    def _parcel_for_ops_or_404(self, request, **lookup) -> Shipment:
        if not is_platform_staff(request.user):
            raise Http404(gettext("No such parcel."))  # as services.parcel_lost answers anyone else
        parcel = (
            Shipment.objects.select_related("carrier", "sub_order", "sub_order__order")
            .filter(direction=Shipment.Direction.OUTBOUND, **lookup)
            .first()
        )
        if parcel is None:
            raise Http404(gettext("No such parcel."))
        return parcel

    def lost_parcel_find_view(self, request):
        self._require_ops(request)
        form = ParcelLookupForm(request.GET or None)
        if form.is_valid():
            number = form.cleaned_data["parcel"].strip()
            parcel = (
                Shipment.objects.filter(direction=Shipment.Direction.OUTBOUND)
                .filter(Q(shipment_no=number) | Q(tracking_no=number))
                .order_by("-pk")
                .first()
            )
            if parcel is not None:
                return HttpResponseRedirect(
                    reverse("admin:aftersales_lost_parcel", args=[parcel.pk])
                )
            self.message_user(
                request, gettext("No parcel %(no)s.") % {"no": number}, messages.ERROR
            )
        return HttpResponseRedirect(reverse("admin:aftersales_open_for_shopper"))

    def lost_parcel_view(self, request, shipment_id):
        parcel = self._parcel_for_ops_or_404(request, pk=shipment_id)
        if request.method == "POST":
            try:
                case = services.parcel_lost(shipment_id=parcel.pk, actor=actor_for(request.user))
            except NotFound:
                raise Http404(gettext("No such parcel."))
            except DomainError as error:
                self.message_user(request, error.detail, messages.ERROR)
            else:
                if case is None:
                    self.message_user(
                        request,
                        gettext("Parcel %(no)s settled: its units were refunded already.")
                        % {"no": parcel.tracking_no},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        url_or_blank("admin:logistics_shipment_change", parcel.pk) or request.path
                    )
                self.message_user(
                    request,
                    gettext(
                        "Lost parcel %(no)s: case %(case_no)s refunds %(amount)s to the shopper."
                    )
                    % {
                        "no": parcel.tracking_no,
                        "case_no": case.case_no,
                        "amount": format_money(case.refund_amount),
                    },
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(self._change_url(case))
            parcel = self._parcel_for_ops_or_404(request, pk=shipment_id)
        units = dict(logistics_selectors.parcel_units(shipment_id=parcel.pk))
        lines = [
            (line, units[line.pk]) for line in OrderLine.objects.filter(pk__in=units).order_by("pk")
        ]
        return TemplateResponse(
            request,
            "admin/aftersales/lost_parcel.html",
            self._context(
                request,
                gettext("Refund lost parcel %(no)s")
                % {"no": parcel.tracking_no or parcel.shipment_no},
                parcel=parcel,
                lines=lines,
                is_lost=parcel.status == Shipment.Status.LOST,
                settled_case=AfterSalesCase.objects.filter(
                    shipment=parcel, type=CaseType.LOST
                ).first()
                if parcel.lost_settled_at
                else None,
                shipment_url=url_or_blank("admin:logistics_shipment_change", parcel.pk),
            ),
        )
