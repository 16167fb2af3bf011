"""Template helpers of reviews: the order page's invitation (one query per order), star rows,
a reviewer's masked name and picture thumbnails that never break a page."""

import logging

from django import template

from reviews.selectors import review_state_for_order
from reviews.services import REVIEWABLE_SUB_ORDER_STATUSES

logger = logging.getLogger(__name__)
register = template.Library()


@register.simple_tag
def review_invites(order) -> list:
    """Lines of the order that are received or completed and not reviewed yet (one query)."""
    if order is None or getattr(order, "pk", None) is None:
        return []
    prefetched = getattr(order, "_prefetched_objects_cache", {}).get("sub_orders")
    if prefetched is not None and not any(
        sub_order.status in REVIEWABLE_SUB_ORDER_STATUSES for sub_order in prefetched
    ):
        return []  # nothing received yet: no query at all
    return [state for state in review_state_for_order(order) if not state.reviewed]


@register.filter
def stars(value) -> str:
    """★★★★☆ for a rating (an average is rounded to whole stars)."""
    try:
        filled = int(float(value) + 0.5)
    except (TypeError, ValueError):
        filled = 0
    filled = max(0, min(5, filled))
    return "★" * filled + "☆" * (5 - filled)


@register.filter
def reviewer_name(user) -> str:
    """The reviewer as other shoppers see them: first and last letter of the username."""
    name = getattr(user, "username", "") or ""
    if len(name) <= 2:
        return (name[:1] or "*") + "***"
    return f"{name[0]}***{name[-1]}"


@register.filter
def review_image_url(picture, spec: str = "thumbnail") -> str:
    """The picture's thumbnail, or the original when it cannot be rendered; "" when gone."""
    if not picture or not getattr(picture, "image", None):
        return ""
    if spec != "original":
        try:
            return picture.thumbnail.url
        except Exception:  # a missing or broken file must not take a page down
            logger.warning("No thumbnail of review image %s", picture.pk)
    try:
        return picture.image.url
    except Exception:
        return ""
