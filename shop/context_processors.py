"""Values every storefront page's header needs."""

from django.conf import settings
from django.db.models import Sum
from django.utils.functional import SimpleLazyObject


def storefront(request):
    return {
        "site_name": "Shop",
        "site_url": settings.SITE_URL,
        # Worked out only if the page shows it.
        "cart_count": SimpleLazyObject(lambda: cart_count(request)),
    }


def cart_count(request) -> int:
    """Pieces in the cart: one query for a signed-in shopper, none for an anonymous one (their
    cart is in the session, which the page has loaded already)."""
    from catalog.models import CartItem
    from catalog.services.cart import session_cart_count

    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        total = CartItem.objects.filter(cart__user_id=user.pk).aggregate(n=Sum("quantity"))["n"]
        return total or 0
    session = getattr(request, "session", None)
    if session is None:
        return 0
    return session_cart_count(session)
