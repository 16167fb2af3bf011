"""Storefront pages of the cart: the cart page and the forms that change it.

Views read through cart.selectors and change the cart only through cart.services; anything a
shopper can get wrong becomes a message on the page, never a 500.
"""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cart.selectors import cart_contents
from cart.services import cart_add as add_to_cart
from cart.services import cart_for_request, cart_set_quantity
from cart.services import cart_remove as remove_from_cart
from catalog.promotion_selectors import cart_nudges
from catalog.selectors import sku_label
from shop.errors import DomainError


def cart(request):
    contents = cart_contents(cart_for_request(request))
    return render(
        request,
        "cart/cart.html",
        {
            "contents": contents,
            "nudges": cart_nudges(contents.groups),
            "checkout_url": reverse("orders:checkout"),
            "max_quantity": settings.CART_MAX_QUANTITY_PER_LINE,
        },
    )


def _back(request, default: str):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


@require_POST
def cart_add(request):
    try:
        item = add_to_cart(
            cart=cart_for_request(request),
            sku_id=request.POST.get("sku_id"),
            quantity=request.POST.get("quantity", "1"),
        )
    except DomainError as error:
        messages.error(request, error.detail)
        return _back(request, "cart:cart")
    messages.success(
        request,
        _("Added to your cart: %(title)s (%(sku)s).")
        % {"title": item.sku.product.title, "sku": sku_label(item.sku)},
    )
    return redirect("cart:cart")


@require_POST
def cart_update(request, item_id):
    try:
        cart_set_quantity(
            cart=cart_for_request(request), item_id=item_id, quantity=request.POST.get("quantity")
        )
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Quantity updated."))
    return redirect("cart:cart")


@require_POST
def cart_remove(request, item_id):
    try:
        remove_from_cart(cart=cart_for_request(request), item_id=item_id)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Removed from your cart."))
    return redirect("cart:cart")
