"""Template helpers of the storefront catalogue: filter links that keep the other filters,
money, image thumbnails that never break a page, and the product page's sections from other
apps."""

from django import template
from django.utils.safestring import mark_safe

from catalog.product_page import product_sections_for
from catalog.selectors import image_spec_url
from shop.money import format_money

register = template.Library()


def _params(context):
    request = context.get("request")
    return request.GET.copy() if request is not None else None


@register.simple_tag(takes_context=True)
def url_with(context, **changes) -> str:
    """The current query string with some parameters set (None or "" removes them). Any change
    other than the page itself goes back to page 1."""
    params = _params(context)
    if params is None:
        return ""
    if "page" not in changes:
        params.pop("page", None)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def url_toggle(context, key: str, value) -> str:
    """The current query string with `value` added to or removed from a multi-valued `key`
    (?brand=1&brand=2), back on page 1."""
    params = _params(context)
    if params is None:
        return ""
    params.pop("page", None)
    values = []
    for raw in params.getlist(key):
        values.extend(part for part in raw.split(",") if part)
    value = str(value)
    values = [v for v in values if v != value] if value in values else [*values, value]
    params.setlist(key, values)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def money(value) -> str:
    if value is None or value == "":
        return ""
    return format_money(value)


@register.filter
def thumbnail_url(image) -> str:
    """The 320px thumbnail of a ProductImage ("" when there is no image or it cannot be read)."""
    return image_spec_url(image, "thumbnail")


@register.filter
def large_url(image) -> str:
    return image_spec_url(image, "large")


@register.filter
def contains(values, value) -> bool:
    return value in (values or ())


@register.filter
def offers_of(offers: dict, product) -> list:
    """The product's offers from the page's {product id: offers} (promotion_selectors)."""
    return (offers or {}).get(getattr(product, "pk", None), [])


@register.simple_tag(takes_context=True)
def product_sections(context, product) -> str:
    """The sections other apps add to the product page (catalog.product_page), each rendered
    in the page's context as an `{% include %}` would."""
    parts = []
    for template_name, extra in product_sections_for(product):
        section = context.template.engine.get_template(template_name)
        with context.push(**extra):
            parts.append(section.render(context))
    return mark_safe("".join(parts))
