"""Forms of the checkout and order-list pages: shape checks only; prices, stock and coupons are
the services' business."""

import uuid
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from orders import selectors
from orders.models import PaymentMethod
from orders.templatetags.order_tags import ORDER_TABS, PAYMENT_METHOD_LABELS
from shop.money import to_money


class CheckoutForm(forms.Form):
    """One form for re-pricing (coupon, address) and for placing the order.

    `idempotency_key` is generated when the page first renders and travels with every re-render,
    so a double click or a resubmitted page places one order, never two. `expected_payable` is
    the amount the page showed; the order is placed only at that amount (order_create's
    expected_payable).
    """

    ACTION_REPRICE = "reprice"
    ACTION_PLACE = "place"

    # The address's public id (the pk is never on a page).
    address_id = forms.ChoiceField(
        label=_("Deliver to"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a delivery address.")},
    )
    payment_method = forms.ChoiceField(
        label=_("Payment method"),
        choices=[(value, PAYMENT_METHOD_LABELS[value]) for value in PaymentMethod.values],
        initial=PaymentMethod.ALIPAY,
        widget=forms.RadioSelect,
    )
    coupon_code = forms.CharField(label=_("Coupon code"), max_length=32, required=False)
    buyer_note = forms.CharField(
        label=_("Note to the merchant"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Optional")}),
    )
    # "Buy now" from a product page: one SKU instead of the cart.
    sku_id = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    quantity = forms.IntegerField(
        min_value=1,
        max_value=settings.CART_MAX_QUANTITY_PER_LINE,
        required=False,
        widget=forms.HiddenInput,
    )
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)
    expected_payable = forms.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, widget=forms.HiddenInput
    )
    action = forms.ChoiceField(
        choices=[(ACTION_REPRICE, _("Update price")), (ACTION_PLACE, _("Place order"))],
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, addresses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.addresses = list(addresses)
        self.fields["address_id"].choices = [(str(a.public_id), str(a)) for a in self.addresses]
        if not self.is_bound:
            default = next((a for a in self.addresses if a.is_default), None) or (
                self.addresses[0] if self.addresses else None
            )
            self.initial.setdefault("address_id", str(default.public_id) if default else None)
            self.initial.setdefault("idempotency_key", new_idempotency_key())

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("sku_id") is None) != (cleaned.get("quantity") is None):
            raise forms.ValidationError(_("Choose a product and a quantity, or buy from the cart."))
        return cleaned

    def show_payable(self, amount: Decimal | None) -> None:
        """Put the payable amount the page is about to show into the hidden field, so that the
        submit is checked against what the shopper saw, not against an older page."""
        value = str(to_money(amount)) if amount is not None else ""
        if self.is_bound:
            self.data = self.data.copy()
            self.data["expected_payable"] = value
        else:
            self.initial["expected_payable"] = value

    def items(self) -> list[tuple[int, int]] | None:
        """The lines to price: the buy-now SKU, or None for the cart's selected items."""
        if self.cleaned_data.get("sku_id"):
            return [(self.cleaned_data["sku_id"], self.cleaned_data["quantity"])]
        return None


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


class BuyNowForm(forms.Form):
    """The query string of a "buy now" link: ?sku_id=&quantity=."""

    sku_id = forms.IntegerField(min_value=1)
    quantity = forms.IntegerField(
        min_value=1, max_value=settings.CART_MAX_QUANTITY_PER_LINE, required=False
    )


class OrderListFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[(tab.key, tab.label) for tab in ORDER_TABS], required=False)


def orders_in_tab(*, user, tab: str | None):
    """The shopper's orders under one tab of "My orders" (all of them for no tab)."""
    statuses = next((t.statuses for t in ORDER_TABS if t.key == (tab or "")), ())
    return selectors.order_list_for_user(user=user, statuses=statuses)
