from django.conf import settings
from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.static import serve as serve_media
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from shop.accounts import views as accounts_views
from shop.health import healthz


def favicon(request):
    # Resolved per request: the static manifest of a deployment exists only after collectstatic.
    return HttpResponsePermanentRedirect(static("favicon.svg"))


api_patterns = [
    path("", include("shop.accounts.api.urls")),
    path("", include("catalog.api.urls")),
    path("", include("cart.api.urls")),
    path("", include("orders.api.urls")),
    path("", include("reviews.api.urls")),
    path("", include("payments.api.urls")),
    path("", include("logistics.api.urls")),
    path("", include("aftersales.api.urls")),
    path("", include("knowledge.api.urls")),
    path("", include("notifications.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's init script as a file: script-src 'self' allows it.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    # The language switch, which also stores a signed-in user's choice for their messages.
    path("i18n/setlang/", accounts_views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include(api_patterns)),
    path("accounts/", include("shop.accounts.urls")),
    path("orders/", include("orders.urls")),
    path("pay/", include("payments.urls")),
    path("logistics/", include("logistics.urls")),
    path("aftersales/", include("aftersales.urls")),
    path("inbox/", include("notifications.urls")),
    path("help/", include("knowledge.urls")),
    path("", include("cart.urls")),
    path("", include("reviews.urls")),
    path("", include("catalog.urls")),
]

# Unmatched URLs and uncaught errors: JSON under /api/, the branded pages elsewhere.
handler404 = "shop.errors.page_not_found"
handler403 = "shop.errors.permission_denied"
handler500 = "shop.errors.server_error"

if settings.SERVE_MEDIA:
    # Uploaded product and review images; a deployment with a CDN or nginx turns this off.
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve_media, {"document_root": settings.MEDIA_ROOT}),
    ]
