"""Read queries of reviews, shared by the product page, the order page, the API and the admin.

Each runs a fixed number of queries however many reviews, pictures or lines there are.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Prefetch, QuerySet

from orders.models import OrderLine
from reviews.models import Review, ReviewImage
from reviews.services import REVIEWABLE_SUB_ORDER_STATUSES

# The product page shows the newest reviews; the rest are one click away.
PRODUCT_PAGE_REVIEWS = 10


def reviews_for_product(product_id: int) -> QuerySet[Review]:
    """Visible reviews of a product, newest first, with their author and pictures (two
    queries when evaluated)."""
    return (
        Review.objects.filter(product_id=product_id, is_visible=True)
        .select_related("user")
        .prefetch_related(Prefetch("images", queryset=ReviewImage.objects.order_by("position")))
        .order_by("-created_at", "-id")
    )


@dataclass
class ProductReviews:
    """What the product page shows: the rating summary and the newest reviews."""

    count: int
    average: object
    newest: list[Review]

    @property
    def has_more(self) -> bool:
        return self.count > len(self.newest)

    @property
    def stars(self) -> int:
        """The average rounded to whole stars, for the star row."""
        return int(Decimal(self.average) + Decimal("0.5")) if self.count else 0


def product_reviews_summary(product, *, limit: int = PRODUCT_PAGE_REVIEWS) -> ProductReviews:
    """The rating summary (read from the product, no query) and its newest reviews: no query
    at all for a product without reviews, two otherwise."""
    count = product.rating_count
    newest = list(reviews_for_product(product.pk)[:limit]) if count else []
    return ProductReviews(count=count, average=product.rating_average, newest=newest)


def reviewable_lines_for_user(user) -> QuerySet:
    """The shopper's order lines that are received and not yet reviewed, newest order first."""
    return (
        OrderLine.objects.filter(
            order__user_id=getattr(user, "pk", None),
            sub_order__status__in=REVIEWABLE_SUB_ORDER_STATUSES,
            review__isnull=True,
            refunded_quantity__lt=F("quantity"),
        )
        .select_related("order", "sku")
        .order_by("-order__created_at", "pk")
    )


@dataclass
class LineReviewState:
    line_id: int
    product_id: int
    product_title: str
    sku_attributes: str
    review_id: int | None
    rating: int | None

    @property
    def reviewed(self) -> bool:
        return self.review_id is not None


def review_state_for_order(order) -> list[LineReviewState]:
    """For each line of the order whose sub-order is received or completed (and that was not
    refunded in full): whether it has been reviewed (one query for the whole order)."""
    rows = (
        OrderLine.objects.filter(
            order_id=order.pk,
            sub_order__status__in=REVIEWABLE_SUB_ORDER_STATUSES,
            refunded_quantity__lt=F("quantity"),
        )
        .annotate(
            product_id=F("sku__product_id"),
            review_pk=F("review__id"),
            review_rating=F("review__rating"),
        )
        .order_by("pk")
        .values("pk", "product_id", "product_title", "sku_attributes", "review_pk", "review_rating")
    )
    return [
        LineReviewState(
            line_id=row["pk"],
            product_id=row["product_id"],
            product_title=row["product_title"],
            sku_attributes=row["sku_attributes"],
            review_id=row["review_pk"],
            rating=row["review_rating"],
        )
        for row in rows
    ]


def order_line_for_review(*, user, order_no: str, line_id: int):
    """The shopper's line of an order (with its sub-order) for the review form, or None."""
    return (
        OrderLine.objects.filter(
            pk=line_id, order__order_no=order_no, order__user_id=getattr(user, "pk", None)
        )
        .select_related("order", "sub_order", "sku__product")
        .annotate(review_pk=F("review__id"))
        .first()
    )
