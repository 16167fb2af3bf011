"""Where a storefront form may send the shopper back to after it is done."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request) -> str:
    """The form's `next` (posted, else in the query string) if it points to this site; "" for
    none or another host (an open redirect otherwise)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""
