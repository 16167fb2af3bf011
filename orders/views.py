"""Storefront pages of orders: checkout, my orders, one order, and the shopper's two actions on
it (cancel, confirm receipt). Thin callers of orders.services and orders.selectors; a domain
error becomes a message on the page, another shopper's order a 404."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from catalog.actors import Actor, Role, actor_for
from catalog.services.cart import cart_for_request
from orders import selectors, services
from orders.buy_again import order_buy_again as buy_again
from orders.forms import (
    BuyNowForm,
    CheckoutForm,
    OrderListFilterForm,
    new_idempotency_key,
    orders_in_tab,
)
from orders.models import Order, PaymentMethod
from orders.templatetags.order_tags import ORDER_TABS
from shop.accounts.selectors import addresses_for_user, held_coupons_usable
from shop.errors import DomainError, InvalidInput, NotFound, PriceChanged
from shop.money import ZERO, format_money
from shop.throttling import throttle_page_posts

ORDERS_PER_PAGE = 10


def _pay_url(order_no: str) -> str:
    return reverse("payments:pay", args=[order_no])


def _cart_url() -> str:
    return reverse("catalog:cart")


# Checkout


@dataclass
class MerchantBill:
    """One merchant's block on the checkout page: its lines and its rows of the bill."""

    quote: object  # orders.pricing.MerchantQuote
    rows: list


@dataclass(frozen=True)
class BillRow:
    label: str
    amount: Decimal  # discounts negative


def _bill(quote) -> tuple[list[MerchantBill], list]:
    """The checkout bill as rows that add up: each merchant's block ends at that merchant's
    total, and the summary at the amount to pay. Display only; the amounts are the quote's.

    A platform-wide benefit (member tier, platform coupon) is listed once, in the summary; each
    merchant's block shows its apportioned share as one row, so its rows still reach its total
    (they did not, which read as a double discount next to the summary's own row)."""
    groups = []
    for mq in quote.merchants:
        rows = [
            BillRow(r.label, r.amount) for r in quote.breakdown if r.merchant_id == mq.merchant_id
        ]
        share = mq.payable_amount - sum((row.amount for row in rows), ZERO)
        if share:
            rows.append(BillRow(gettext("Share of member benefits and platform coupons"), share))
        groups.append(MerchantBill(quote=mq, rows=rows))

    summary = [BillRow(gettext("Goods"), quote.goods_amount)]
    if quote.promotion_discount:
        summary.append(BillRow(gettext("Shop promotions"), -quote.promotion_discount))
    platform = [r for r in quote.breakdown if r.merchant_id is None]
    summary += [BillRow(r.label, r.amount) for r in platform]
    merchant_coupons = -quote.member_discount - sum((r.amount for r in platform), ZERO)
    if merchant_coupons:
        summary.append(BillRow(gettext("Shop coupons"), merchant_coupons))
    summary.append(BillRow(gettext("Shipping"), quote.shipping_fee))
    return groups, summary


def _initial_checkout_form(request, addresses) -> CheckoutForm | None:
    initial = {}
    if "sku_id" in request.GET:
        buy_now = BuyNowForm(request.GET)
        if not buy_now.is_valid():
            return None
        initial = {"sku_id": buy_now.cleaned_data["sku_id"]}
        initial["quantity"] = buy_now.cleaned_data.get("quantity") or 1
    return CheckoutForm(initial=initial, addresses=addresses)


def _checkout_inputs(form: CheckoutForm) -> tuple[list[tuple[int, int]] | None, int | None, str]:
    """(items, address_id, coupon_code) of the form, whether or not all of it validated, so the
    page can re-price while the shopper is still filling it in."""
    if not form.is_bound:
        sku_id = form.initial.get("sku_id")
        items = [(sku_id, form.initial["quantity"])] if sku_id else None
        return items, form.initial.get("address_id"), ""
    form.is_valid()
    data = form.cleaned_data
    items = None
    if form.data.get("sku_id"):
        if not (data.get("sku_id") and data.get("quantity")):
            raise InvalidInput(gettext("Choose a quantity of at least 1."), code="invalid_quantity")
        items = [(data["sku_id"], data["quantity"])]
    return items, data.get("address_id"), (data.get("coupon_code") or "").strip()


def _quote_for(request, form: CheckoutForm):
    """Price what the form describes. An invalid coupon is reported on its field and the
    order is priced without it, so the shopper still sees a total."""
    items, address_id, coupon_code = _checkout_inputs(form)
    try:
        return services.order_preview(
            user=request.user, address_id=address_id, items=items, coupon_code=coupon_code or None
        )
    except InvalidInput as error:
        if error.code != "invalid_coupon" or not coupon_code:
            raise
        if "coupon_code" not in form.errors:
            form.add_error("coupon_code", error.detail)
        return services.order_preview(
            user=request.user, address_id=address_id, items=items, coupon_code=None
        )


def _after_placing(request, order):
    if order.payment_method == PaymentMethod.COD:
        if order.status == Order.Status.PAID:
            messages.success(
                request, gettext("Order placed. Pay the courier in cash when it arrives.")
            )
        else:  # a resubmitted form of an order cancelled since
            messages.error(
                request,
                gettext("This order is %(status)s.")
                % {"status": str(selectors.DISPLAY_STATUS_LABELS[order.status]).lower()},
            )
        return redirect("orders:detail", order_no=order.order_no)
    messages.success(request, gettext("Order placed. Pay before the deadline to have it shipped."))
    return redirect(_pay_url(order.order_no))


@login_required
@require_http_methods(["GET", "POST"])
@throttle_page_posts("order_create", gettext_lazy("checkout attempts"))
def checkout(request):
    addresses = list(addresses_for_user(request.user))
    price_changed_from = None  # the payable the shopper saw, when the order would cost other
    if request.method == "POST":
        data = request.POST.copy()
        key = data.get("idempotency_key", "")
        if not key or len(key) > CheckoutForm.base_fields["idempotency_key"].max_length:
            # A page from before this form had a key (or a tampered one): never place an order
            # without one; price it again with a fresh key and let the shopper confirm.
            data["idempotency_key"] = new_idempotency_key()
            if data.get("action") == CheckoutForm.ACTION_PLACE:
                data["action"] = CheckoutForm.ACTION_REPRICE
                messages.warning(
                    request,
                    gettext("This page was out of date. Check the order and place it again."),
                )
        if data.get("use_coupon"):  # one of the shopper's coupons, picked from the list
            data["coupon_code"] = data["use_coupon"]
            data["action"] = CheckoutForm.ACTION_REPRICE
        form = CheckoutForm(data, addresses=addresses)
        if "expected_payable" in form.errors:
            # A tampered or garbled hidden amount: the page below shows the price again and
            # carries a fresh amount, so the shopper can confirm it.
            messages.warning(request, gettext("Check the price of the order and place it again."))
        if form.is_valid() and form.cleaned_data["action"] == CheckoutForm.ACTION_PLACE:
            data = form.cleaned_data
            try:
                order = services.order_place(
                    expected_payable=data["expected_payable"],
                    # Whoever places an order buys as its shopper: no role lookups here.
                    actor=Actor(role=Role.SHOPPER, user=request.user),
                    address_id=data["address_id"],
                    items=form.items(),
                    payment_method=data["payment_method"],
                    coupon_code=data["coupon_code"].strip() or None,
                    idempotency_key=data["idempotency_key"],
                    buyer_note=data["buyer_note"],
                )
            except PriceChanged as change:
                # Nothing was placed; the page below prices the order again, shows the new
                # bill and carries its amount, so the next submit confirms it. The key was not
                # used (the order rolled back), so it stays: a double click still places one.
                price_changed_from = change.expected_payable
            except NotFound:
                form.add_error("address_id", gettext("Choose one of your addresses."))
            except DomainError as error:
                if error.code == "invalid_coupon":
                    form.add_error("coupon_code", error.detail)
                else:
                    messages.error(request, error.detail)
            else:
                return _after_placing(request, order)
    else:
        form = _initial_checkout_form(request, addresses)
        if form is None:
            messages.error(request, gettext("Choose a product and a quantity of at least 1."))
            return redirect(_cart_url())

    try:
        quote = _quote_for(request, form) if addresses else None
    except NotFound:
        messages.error(request, gettext("That address is not in your address book."))
        quote = None
    except DomainError as error:
        if error.code == "empty_order" and request.method == "GET":
            messages.info(request, gettext("Select something in your cart to check out."))
            return redirect(_cart_url())
        messages.error(request, error.detail)
        quote = None

    if not addresses:
        messages.warning(
            request, gettext("Add a delivery address to see shipping and place the order.")
        )
    form.show_payable(quote.payable_amount if quote else None)
    price_change = None
    if price_changed_from is not None:
        price_change = (
            gettext(
                "The price changed from %(before)s to %(now)s since you opened this page: "
                "please check and confirm."
            )
            % {
                "before": format_money(price_changed_from),
                "now": format_money(quote.payable_amount),
            }
            if quote and quote.payable_amount != price_changed_from
            else gettext("The price changed since you opened this page: please check and confirm.")
        )
    groups, summary_rows = _bill(quote) if quote else ([], [])
    context = {
        "form": form,
        "price_change": price_change,
        "addresses": addresses,
        "quote": quote,
        "groups": groups,
        "summary_rows": summary_rows,
        "coupons": list(held_coupons_usable(request.user, timezone.now())[:10]),
        "add_address_url": reverse("accounts:address_add")
        + "?"
        + urlencode({"next": request.get_full_path()}),
    }
    return render(request, "orders/checkout.html", context)


# My orders


# Shown statuses after which "buy again" is offered (再次购买): the trade is over.
_BUY_AGAIN_AFTER = ("cancelled", "payment_failed", "closed", "received", "completed")


@dataclass
class OrderRow:
    """One order of "My orders" with the actions that apply to it now (from the prefetched
    sub-orders: no query per row)."""

    order: object
    display_status: str

    @property
    def can_pay(self) -> bool:
        return self.display_status == "pending_payment" and (
            self.order.payment_due_at > timezone.now()
        )

    @property
    def to_confirm(self) -> list:
        return [s for s in self.order.sub_orders.all() if s.status in ("shipped", "delivered")]

    @property
    def can_review(self) -> bool:
        return any(s.status in ("received", "completed") for s in self.order.sub_orders.all())

    @property
    def aftersales_sub_order(self):
        """The parcel to ask after-sales for from the list (one parcel; with several the
        order page lets the shopper choose)."""
        live = [s for s in self.order.sub_orders.all() if s.status != "closed"]
        return live[0] if len(live) == 1 and live[0].status != "completed" else None

    @property
    def can_buy_again(self) -> bool:
        return self.display_status in _BUY_AGAIN_AFTER


@login_required
def order_list(request):
    filters = OrderListFilterForm(request.GET)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    orders = orders_in_tab(user=request.user, tab=status)
    page = Paginator(orders, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [OrderRow(order, selectors.order_display_status(order)) for order in page]
    return render(
        request,
        "orders/list.html",
        {"page": page, "rows": rows, "tabs": ORDER_TABS, "current_status": status},
    )


@dataclass
class Parcel:
    """A sub-order with its lines, as the order page shows it."""

    sub_order: object
    lines: list

    @property
    def can_confirm_receipt(self) -> bool:
        return self.sub_order.status in ("shipped", "delivered")


def _get_order_or_404(user, order_no: str):
    try:
        return selectors.order_get_for_user(user=user, order_no=order_no)
    except NotFound:
        raise Http404("No such order.")


def _total_label(order) -> str:
    if order.paid_at:
        return gettext("Paid")
    if order.status == order.Status.PAID and order.payment_method == PaymentMethod.COD:
        return gettext("Pay on delivery")
    if order.status == order.Status.PENDING_PAYMENT:
        return gettext("To pay")
    return gettext("Total")


@login_required
def order_detail(request, order_no: str):
    order = _get_order_or_404(request.user, order_no)
    lines = list(order.lines.all())
    sub_orders = list(order.sub_orders.all())
    parcels = [Parcel(s, [line for line in lines if line.sub_order_id == s.pk]) for s in sub_orders]
    unsplit_lines = [line for line in lines if line.sub_order_id is None]
    is_pending = order.status == order.Status.PENDING_PAYMENT
    context = {
        "order": order,
        "display_status": selectors.order_display_status(order),
        "parcels": parcels,
        "unsplit_lines": unsplit_lines,
        "price_lines": list(order.price_lines.all()),
        "events": list(order.events.all())[::-1],
        "sub_order_nos": {s.pk: s.sub_order_no for s in sub_orders},
        "is_pending": is_pending,
        "pay_url": _pay_url(order.order_no) if is_pending else None,
        "seconds_to_pay": (
            max(int((order.payment_due_at - timezone.now()).total_seconds()), 0)
            if is_pending
            else None
        ),
        "total_label": _total_label(order),
        "can_buy_again": selectors.order_display_status(order) in _BUY_AGAIN_AFTER,
    }
    return render(request, "orders/detail.html", context)


@login_required
@require_POST
def order_cancel(request, order_no: str):
    try:
        services.order_cancel(order_no=order_no, actor=actor_for(request.user))
    except NotFound:
        raise Http404("No such order.")
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, gettext("Order cancelled. Its stock is back on sale."))
    return redirect("orders:detail", order_no=order_no)


@login_required
@require_POST
def order_buy_again(request, order_no: str):
    """再次购买: the order's items back in the cart, then the cart to check them."""
    order = _get_order_or_404(request.user, order_no)
    result = buy_again(order=order, cart=cart_for_request(request))
    for problem in result.problems:
        messages.warning(request, problem)
    if result.added:
        messages.success(
            request,
            ngettext(
                "%(count)d item of order %(order_no)s is in your cart again.",
                "%(count)d items of order %(order_no)s are in your cart again.",
                result.added,
            )
            % {"count": result.added, "order_no": order.order_no},
        )
    return redirect(_cart_url())


@login_required
@require_POST
def sub_order_confirm_receipt(request, sub_order_no: str):
    try:
        sub_order = selectors.sub_order_get_for_user(user=request.user, sub_order_no=sub_order_no)
    except NotFound:
        raise Http404("No such order.")
    order_no = sub_order.order.order_no
    try:
        services.sub_order_confirm_receipt(sub_order_no=sub_order_no, actor=actor_for(request.user))
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, gettext("Thanks! Receipt confirmed."))
    return redirect("orders:detail", order_no=order_no)
