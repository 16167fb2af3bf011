"""The cart's count in every storefront page's header."""

from django.db.models import Sum
from django.utils.functional import SimpleLazyObject

from cart.models import CartItem
from cart.services import session_cart_count


def cart(request):
    # Worked out only if the page shows it.
    return {"cart_count": SimpleLazyObject(lambda: cart_count(request))}


def cart_count(request) -> int:
    """Pieces in the cart: one query for a signed-in shopper, none for an anonymous one (their
    cart is in the session, which the page has loaded already)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        total = CartItem.objects.filter(cart__user_id=user.pk).aggregate(n=Sum("quantity"))["n"]
        return total or 0
    session = getattr(request, "session", None)
    if session is None:
        return 0
    return session_cart_count(session)
