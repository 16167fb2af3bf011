"""Values every storefront page's header needs (the cart's count comes from
cart.context_processors)."""

from django.conf import settings


def storefront(request):
    return {
        "site_name": "Shop",
        "site_url": settings.SITE_URL,
    }
