"""Storefront pages of payments: choose a method, the sandbox cashier, the return page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from catalog.actors import actor_for
from sandbox.keys import SANDBOX_ALIPAY_APP_ID, SANDBOX_WECHAT_MCHID
from shop.errors import DomainError, NotFound

from . import selectors, services
from .configured_gateways import is_sandbox
from .models import Method, Payment
from .qr import qr_code_svg
from .wording import payment_not_open_message


def _order_url(order_no: str) -> str:
    try:
        return reverse("orders:detail", args=[order_no])
    except NoReverseMatch:
        return reverse("catalog:home")


METHOD_CHOICES = [
    (Method.ALIPAY, Method.ALIPAY.label, _("Pay with the Alipay app or balance")),
    (Method.WECHAT, Method.WECHAT.label, _("Scan with WeChat")),
    (Method.COD, Method.COD.label, _("Pay the courier when the parcel arrives")),
]


@login_required
@require_http_methods(["GET", "POST"])
def pay(request, order_no: str):
    try:
        order = selectors.order_to_pay_for_user(user=request.user, order_no=order_no)
    except NotFound:
        raise Http404("Order not found") from None
    status = 200
    if request.method == "POST":
        method = request.POST.get("method", "")
        try:
            actor = actor_for(request.user)
            payment = services.payment_start(order_no=order.order_no, actor=actor, method=method)
            if payment.method == Method.COD:
                messages.success(
                    request,
                    gettext(
                        "Cash on delivery confirmed: pay the courier when your parcel arrives."
                    ),
                )
                return redirect(_order_url(order.order_no))
            pay_url = services.payment_pay_request(payment=payment).pay_url
            if pay_url.startswith(("/", "http://", "https://")):
                return redirect(pay_url)
            return redirect("payments:result", payment_no=payment.payment_no)
        except DomainError as error:
            messages.error(request, str(error))
            status = 409 if error.status_code == 409 else 400
            order = selectors.order_to_pay_for_user(user=request.user, order_no=order_no)
    open_payment = selectors.payment_open_for_order(order=order)
    return render(
        request,
        "payments/pay.html",
        {
            "order": order,
            "payable": order.payable_amount,
            "can_pay": order.status == order.Status.PENDING_PAYMENT
            and order.payment_due_at > timezone.now(),
            "methods": METHOD_CHOICES,
            "selected": (open_payment.method if open_payment else order.payment_method),
            "order_url": _order_url(order.order_no),
            "merchants": selectors.order_merchant_names(order),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def cashier(request, payment_no: str):
    """The sandbox gateway's cashier: what Alipay's or WeChat Pay's page would show."""
    try:
        payment = selectors.payment_get_for_user(user=request.user, payment_no=payment_no)
    except NotFound:
        raise Http404("Payment not found") from None
    if payment.method == Method.COD or not is_sandbox(payment.method):
        raise Http404("No sandbox cashier for this payment")
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("pay", "fail", "cancel"):
            messages.error(request, gettext("Choose Pay, Fail or Cancel."))
            return redirect("payments:cashier", payment_no=payment.payment_no)
        try:
            actor = actor_for(request.user)
            if action == "cancel":
                services.payment_cancel_at_cashier(payment_no=payment.payment_no, actor=actor)
            else:
                services.payment_sandbox_settle(
                    payment_no=payment.payment_no, actor=actor, paid=action == "pay"
                )
        except DomainError as error:
            messages.error(request, str(error))
        return redirect("payments:result", payment_no=payment.payment_no)
    order = selectors.order_to_pay_for_user(user=request.user, order_no=payment.order.order_no)
    is_open = (
        payment.status == Payment.Status.CREATED and order.status == order.Status.PENDING_PAYMENT
    )
    return render(
        request,
        "payments/cashier.html",
        {
            "payment": payment,
            "order": order,
            "merchants": selectors.order_merchant_names(order),
            "merchant_id": SANDBOX_ALIPAY_APP_ID
            if payment.method == Method.ALIPAY
            else SANDBOX_WECHAT_MCHID,
            "is_open": is_open,
            "closed_message": "" if is_open else payment_not_open_message(payment, order),
        },
    )


@login_required
def result(request, payment_no: str):
    """Where the gateway returns the shopper: the outcome once the notification is processed,
    a waiting message (refreshed every few seconds) until then."""
    try:
        payment = selectors.payment_get_for_user(user=request.user, payment_no=payment_no)
    except NotFound:
        raise Http404("Payment not found") from None
    if payment.status == Payment.Status.SUCCEEDED and not payment.orphaned:
        messages.success(
            request,
            gettext("Payment received: order %(order_no)s is paid.")
            % {"order_no": payment.order.order_no},
        )
        return redirect(_order_url(payment.order.order_no))
    waiting = (
        payment.status == Payment.Status.CREATED
        and payment.order.status == payment.order.Status.PENDING_PAYMENT
    )
    return render(
        request,
        "payments/result.html",
        {
            "payment": payment,
            "order": payment.order,
            "order_url": _order_url(payment.order.order_no),
            "waiting": waiting,
            # Live WeChat Pay (native): the shopper scans this with WeChat to pay.
            "qr_code": qr_code_svg(payment.code_url, title="WeChat Pay QR code")
            if waiting and payment.code_url
            else "",
            "refunded": payment.orphaned,
            # A failed or cancelled attempt leaves the order open until its deadline.
            "can_pay_again": not waiting
            and payment.order.status == payment.order.Status.PENDING_PAYMENT
            and payment.order.payment_due_at > timezone.now(),
            # Cancelled, expired or failed before any money arrived: nothing left to wait for.
            "order_closed": payment.status in (Payment.Status.CREATED, Payment.Status.CLOSED)
            and payment.order.status
            in (payment.order.Status.CANCELLED, payment.order.Status.PAYMENT_FAILED),
        },
    )
