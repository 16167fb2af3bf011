"""The shopping cart.

A signed-in shopper's cart is a `cart.Cart` row with `CartItem` lines. An anonymous
shopper's cart lives in the session (`SessionCart`: {sku_id: quantity}), because a Cart row
belongs to a user; the session's data survives the key change Django makes at sign-in, and the
`user_logged_in` receiver (cart.signals) merges it into the user's Cart there. The lines of a
session cart are addressed by their SKU id wherever a CartItem id is expected.

Every change checks the quantity against the SKU's sellable stock (on_hand - allocated over
active warehouses) and CART_MAX_QUANTITY_PER_LINE. Nothing is reserved: stock is allocated only
when an order is created.
"""

import re
from collections.abc import Iterable

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from cart.models import Cart, CartItem
from catalog.models import SKU
from catalog.selectors import sku_is_sold, sku_sellable, sku_sellable_expression
from shop.errors import Conflict, InvalidInput, NotFound, OutOfStock

SESSION_CART_KEY = "cart"


class SessionCart:
    """An anonymous shopper's cart, kept in their session until they sign in."""

    user = None
    pk = None

    def __init__(self, session: SessionBase):
        self.session = session

    def quantities(self) -> dict[int, int]:
        raw = self.session.get(SESSION_CART_KEY) or {}
        lines = {}
        for sku_id, quantity in raw.items():
            try:
                lines[int(sku_id)] = int(quantity)
            except (TypeError, ValueError):
                continue
        return {sku_id: q for sku_id, q in lines.items() if q > 0}

    def store(self, quantities: dict[int, int]) -> None:
        if quantities:
            self.session[SESSION_CART_KEY] = {str(k): v for k, v in quantities.items()}
        else:
            self.session.pop(SESSION_CART_KEY, None)
        self.session.modified = True

    def __repr__(self):
        return f"<SessionCart {self.session.session_key}>"


def cart_for_request(request) -> Cart | SessionCart:
    """The cart of whoever makes the request: the signed-in user's Cart (created on first
    use) or the session's cart."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        cart, _created = Cart.objects.get_or_create(user=user)
        return cart
    # Storing a line marks the session modified, so the session middleware saves it and sets
    # the cookie; a visitor who only looks at an empty cart gets no session row.
    return SessionCart(request.session)


def session_cart_count(session: SessionBase) -> int:
    """Pieces in an anonymous cart, without a query beyond loading the session."""
    return sum(SessionCart(session).quantities().values())


# --- Input checking -------------------------------------------------------------------------


def parse_quantity(value) -> int:
    """A positive whole number of pieces, from an int or a form/JSON value; anything else
    (0, -1, "abc", 1.5, "1.5", true, null) is InvalidInput."""
    if isinstance(value, int) and not isinstance(value, bool):
        quantity = value
    elif isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d{1,9}\s*", value):
        quantity = int(value)
    else:
        raise InvalidInput(
            "Quantity must be a whole number of at least 1.", code="invalid_quantity"
        )
    if quantity < 1:
        raise InvalidInput(_("Quantity must be at least 1."), code="invalid_quantity")
    return quantity


def parse_id(value, *, what: str = "SKU") -> int:
    if isinstance(value, bool):
        raise InvalidInput(f"Unknown {what}.", code="invalid_id")
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput(f"Unknown {what}.", code="invalid_id")
    if number < 1 or number > 2**63 - 1:
        raise NotFound(f"Unknown {what}.", code="not_found")
    return number


def _sellable_sku(sku_id) -> SKU:
    sku_pk = parse_id(sku_id)
    sku = SKU.objects.select_related("product__merchant").filter(pk=sku_pk).first()
    if sku is None:
        raise NotFound(_("No such product variant."), code="unknown_sku")
    if not sku_is_sold(sku):
        raise InvalidInput(_("This product variant is no longer sold."), code="sku_unavailable")
    return sku


def _check_quantity(sku: SKU, quantity: int) -> None:
    limit = settings.CART_MAX_QUANTITY_PER_LINE
    if quantity > limit:
        raise Conflict(
            _("At most %(limit)d of one item per order.") % {"limit": limit},
            code="quantity_limit",
            extra={"sku_id": sku.pk, "limit": limit},
        )
    available = sku_sellable(sku.pk)
    if quantity > available:
        message = (
            _("Only %(count)d of %(product)s left.")
            % {"count": available, "product": sku.product.title}
            if available > 0
            else _("%(product)s is out of stock.") % {"product": sku.product.title}
        )
        raise OutOfStock(message, extra={"sku_id": sku.pk, "available": available})


def _locked(cart: Cart) -> Cart:
    """Lock the cart row so that two tabs adding at once add up instead of racing."""
    return Cart.objects.select_for_update().get(pk=cart.pk)


# --- Changes ----------------------------------------------------------------------------


@transaction.atomic
def cart_add(*, cart: Cart | SessionCart, sku_id, quantity) -> CartItem:
    """Put `quantity` more of a SKU in the cart (the same SKU twice adds up)."""
    quantity = parse_quantity(quantity)
    sku = _sellable_sku(sku_id)
    if isinstance(cart, SessionCart):
        lines = cart.quantities()
        total = lines.get(sku.pk, 0) + quantity
        _check_quantity(sku, total)
        lines[sku.pk] = total
        cart.store(lines)
        return CartItem(id=sku.pk, sku=sku, quantity=total)
    _locked(cart)
    item = CartItem.objects.filter(cart=cart, sku=sku).first()
    total = (item.quantity if item else 0) + quantity
    _check_quantity(sku, total)
    if item is None:
        item = CartItem.objects.create(cart=cart, sku=sku, quantity=total)
    else:
        item.quantity = total
        item.save(update_fields=["quantity"])
    cart.save(update_fields=["updated_at"])
    return item


@transaction.atomic
def cart_set_quantity(*, cart: Cart | SessionCart, item_id, quantity) -> CartItem:
    """Set a line's quantity. Lowering it is always allowed down to 1; raising it needs the
    stock."""
    quantity = parse_quantity(quantity)
    item_pk = parse_id(item_id, what="cart line")
    if isinstance(cart, SessionCart):
        lines = cart.quantities()
        if item_pk not in lines:
            raise NotFound(_("That line is not in your cart."), code="unknown_cart_item")
        sku = SKU.objects.select_related("product__merchant").filter(pk=item_pk).first()
        if sku is None:
            raise NotFound(_("That line is not in your cart."), code="unknown_cart_item")
        if quantity > lines[item_pk]:
            _check_quantity(sku, quantity)
        lines[item_pk] = quantity
        cart.store(lines)
        return CartItem(id=sku.pk, sku=sku, quantity=quantity)
    _locked(cart)
    item = (
        CartItem.objects.select_related("sku__product__merchant")
        .filter(cart=cart, pk=item_pk)
        .first()
    )
    if item is None:
        raise NotFound(_("That line is not in your cart."), code="unknown_cart_item")
    if quantity > item.quantity:
        _check_quantity(item.sku, quantity)
    item.quantity = quantity
    item.save(update_fields=["quantity"])
    cart.save(update_fields=["updated_at"])
    return item


@transaction.atomic
def cart_remove(*, cart: Cart | SessionCart, item_id) -> None:
    item_pk = parse_id(item_id, what="cart line")
    if isinstance(cart, SessionCart):
        lines = cart.quantities()
        if lines.pop(item_pk, None) is None:
            raise NotFound(_("That line is not in your cart."), code="unknown_cart_item")
        cart.store(lines)
        return
    deleted, _by_model = CartItem.objects.filter(cart=cart, pk=item_pk).delete()
    if not deleted:
        raise NotFound(_("That line is not in your cart."), code="unknown_cart_item")


@transaction.atomic
def cart_clear_skus(*, cart: Cart | SessionCart, sku_ids: Iterable[int]) -> int:
    """Take SKUs out of the cart (ordered ones, after checkout). Returns the lines removed."""
    sku_ids = {int(sku_id) for sku_id in sku_ids}
    if isinstance(cart, SessionCart):
        lines = cart.quantities()
        kept = {k: v for k, v in lines.items() if k not in sku_ids}
        cart.store(kept)
        return len(lines) - len(kept)
    deleted, _by_model = CartItem.objects.filter(cart=cart, sku_id__in=sku_ids).delete()
    return deleted


def _load_session(session_key: str) -> SessionBase:
    engine = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    return engine(session_key=session_key)


@transaction.atomic
def cart_merge_into_user(
    *, user, session_key: str | None = None, session: SessionBase | None = None
) -> Cart:
    """Move an anonymous session cart into the user's cart at sign-in: quantities of the same
    SKU add up, capped at what is sellable and at CART_MAX_QUANTITY_PER_LINE; SKUs no longer
    sold are dropped. Pass the live `session` (the sign-in request's) or a stored `session_key`.
    The session cart is emptied either way."""
    loaded = session is None
    if loaded:
        if not session_key:
            return Cart.objects.get_or_create(user=user)[0]
        session = _load_session(session_key)
    session_cart = SessionCart(session)
    lines = session_cart.quantities()
    cart, _created = Cart.objects.get_or_create(user=user)
    if not lines:
        return cart
    cart = _locked(cart)
    existing = {item.sku_id: item for item in CartItem.objects.filter(cart=cart)}
    # Sellable stock comes with the SKUs: one query for the whole cart, not one per line.
    skus = (
        SKU.objects.select_related("product__merchant")
        .filter(pk__in=lines)
        .annotate(stock_available=sku_sellable_expression())
    )
    limit = settings.CART_MAX_QUANTITY_PER_LINE
    for sku in skus:
        if not sku_is_sold(sku):
            continue
        item = existing.get(sku.pk)
        wanted = lines[sku.pk] + (item.quantity if item else 0)
        # Never fail a sign-in over stock: keep what can be had, at least what was there.
        cap = max(min(limit, max(sku.stock_available, 0)), item.quantity if item else 0)
        quantity = min(wanted, cap)
        if quantity < 1:
            continue
        if item is None:
            CartItem.objects.create(cart=cart, sku=sku, quantity=quantity)
        elif quantity != item.quantity:
            item.quantity = quantity
            item.save(update_fields=["quantity"])
    cart.save(update_fields=["updated_at"])
    session_cart.store({})
    if loaded:
        session.save()
    return cart
