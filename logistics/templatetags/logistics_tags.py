"""{% sub_order_tracking sub_order as shipments %}: a sub-order's parcels and their events.

When the sub-order came from its order's prefetched sub-orders (the order page), the first call
loads the parcels of every sub-order of that order in two queries and keeps them on the order
for the rest of the render, so the page costs the same for one merchant or ten.
"""

from django import template

from orders.models import SubOrder

from ..selectors import tracking_for_sub_orders

register = template.Library()

_CACHE_ATTR = "_logistics_tracking"


@register.simple_tag
def sub_order_tracking(sub_order):
    if not isinstance(sub_order, SubOrder):
        return []
    order = sub_order._state.fields_cache.get("order")
    if order is None:
        return tracking_for_sub_orders([sub_order.pk])[sub_order.pk]
    cached = getattr(order, _CACHE_ATTR, None)
    if cached is None or sub_order.pk not in cached:
        siblings = {sub_order.pk}
        prefetched = getattr(order, "_prefetched_objects_cache", {}).get("sub_orders")
        if prefetched is not None:
            siblings |= {s.pk for s in prefetched}
        cached = tracking_for_sub_orders(siblings)
        setattr(order, _CACHE_ATTR, cached)
    return cached.get(sub_order.pk, [])
