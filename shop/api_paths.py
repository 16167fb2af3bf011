"""Which requests are an API client's: they are answered in JSON, pages in HTML. Every API route
is under /api/ (shop.urls). The error pages, the request hardening and the load shedding all ask
this; it imports nothing, so the middlewares and DRF's settings can load it first."""

API_PREFIX = "/api/"


def is_api_request(request) -> bool:
    return request.path_info.startswith(API_PREFIX)
