"""Values every storefront page's header needs."""

from django.conf import settings


def storefront(request):
    return {"site_name": "Shop", "site_url": settings.SITE_URL}
