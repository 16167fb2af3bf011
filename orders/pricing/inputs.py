"""What a shopper's request may ask for: items as (sku_id, quantity) pairs, and a province the
shop delivers to."""

from django.utils.translation import gettext as _

from shop.errors import InvalidInput
from shop.regions import PROVINCES


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def normalise_items(items, *, max_quantity: int) -> list[tuple[int, int]]:
    """Validated (sku_id, quantity) pairs, the same SKU merged, in first-seen order."""
    if not items:
        raise InvalidInput(_("Your order has no items."), code="empty_order")
    merged: dict[int, int] = {}
    for item in items:
        try:
            sku_id, quantity = item
        except (TypeError, ValueError):
            raise InvalidInput(_("Each item needs a SKU and a quantity."), code="invalid_quantity")
        if not _is_int(sku_id) or sku_id <= 0:
            raise InvalidInput(
                _("Item %(sku)s is not on sale.") % {"sku": repr(sku_id)}, code="unknown_sku"
            )
        if not _is_int(quantity) or not 1 <= quantity <= max_quantity:
            raise InvalidInput(
                _("Quantity must be a whole number from 1 to %(most)d.") % {"most": max_quantity},
                code="invalid_quantity",
            )
        merged[sku_id] = merged.get(sku_id, 0) + quantity
        if merged[sku_id] > max_quantity:
            raise InvalidInput(
                _("You can buy at most %(most)d of one item in an order.") % {"most": max_quantity},
                code="invalid_quantity",
            )
    return list(merged.items())


def check_province(province) -> None:
    if province not in PROVINCES:
        raise InvalidInput(
            _("We do not deliver to that province; choose another address."),
            code="invalid_province",
        )
