"""Reviews: a shopper reviews each line of a received sub-order once; the merchant answers once;
operations hide what breaks the rules.

`Product.rating_count` and `Product.rating_average` follow the product's visible reviews: every
write here recomputes them on the locked product row, so concurrent reviews never lose a count.
"""

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from catalog.actors import Actor
from catalog.models import Product
from orders.models import OrderLine
from reviews.models import Review, ReviewImage
from shop.errors import Conflict, InvalidInput, NotFound

# A line may be reviewed once its parcel is in the shopper's hands (DESIGN.md sub-order states).
REVIEWABLE_SUB_ORDER_STATUSES = ("received", "completed")
MAX_TEXT_LENGTH = 2000
MAX_REPLY_LENGTH = 1000
MAX_IMAGES = 6
MAX_IMAGE_BYTES = 5 * 1024 * 1024
# What Pillow must find inside the file, whatever its name or declared content type says.
ALLOWED_IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def _rating(value) -> int:
    if isinstance(value, bool):
        value = None
    try:
        rating = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput("Choose a rating from 1 to 5 stars.", code="invalid_rating")
    if not 1 <= rating <= 5:
        raise InvalidInput("Choose a rating from 1 to 5 stars.", code="invalid_rating")
    return rating


def _text(value, *, limit: int, what: str) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise InvalidInput(f"The {what} must be text.", code="invalid_text")
    if len(text) > limit:
        raise InvalidInput(
            f"The {what} is {len(text)} characters long; at most {limit} are allowed.",
            code="text_too_long",
        )
    return text


def _check_image(upload, number: int) -> str:
    """The file extension for `upload` if it is a real JPEG, PNG or WebP of at most 5 MB."""
    name = getattr(upload, "name", "") or f"image {number}"
    size = getattr(upload, "size", None)
    if size is None or size > MAX_IMAGE_BYTES:
        raise InvalidInput(
            f"“{name}” is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB.",
            code="image_too_large",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        image_format = None
    finally:
        upload.seek(0)
    if image_format not in ALLOWED_IMAGE_FORMATS:
        raise InvalidInput(
            f"“{name}” is not a JPEG, PNG or WebP picture.", code="invalid_image_type"
        )
    return ALLOWED_IMAGE_FORMATS[image_format]


def _checked_images(images: Sequence | None) -> list[tuple[object, str]]:
    images = [image for image in (images or []) if image]
    if len(images) > MAX_IMAGES:
        raise InvalidInput(
            f"At most {MAX_IMAGES} pictures per review ({len(images)} were sent).",
            code="too_many_images",
        )
    return [(image, _check_image(image, n)) for n, image in enumerate(images, start=1)]


def _lock_line_of(*, actor: Actor, order_line_id):
    try:
        line_id = int(order_line_id)
    except (TypeError, ValueError):
        raise NotFound("Order line not found.", code="unknown_order_line")
    line = (
        OrderLine.objects.select_for_update(of=("self",))
        .select_related("sub_order", "sku")
        .filter(pk=line_id, order__user_id=actor.user_id)
        .first()
    )
    if line is None:
        raise NotFound("Order line not found.", code="unknown_order_line")
    return line


def review_refusal(line) -> Conflict | None:
    """Why an order line cannot be reviewed (not received yet, or refunded in full), or None.
    The review form shows the same reason that review_create raises."""
    sub_order = line.sub_order
    if sub_order is None or sub_order.status not in REVIEWABLE_SUB_ORDER_STATUSES:
        return Conflict(
            "You can review this item once you have confirmed receipt.", code="not_received"
        )
    if line.refunded_quantity >= line.quantity:
        return Conflict("This item was refunded, so it cannot be reviewed.", code="refunded")
    return None


def product_refresh_rating(*, product_id: int) -> Product:
    """Recompute the product's rating count and average from its visible reviews, on the locked
    product row (callers are inside a transaction)."""
    product = Product.objects.select_for_update().get(pk=product_id)
    totals = Review.objects.filter(product_id=product_id, is_visible=True).aggregate(
        count=Count("pk"), average=Avg("rating")
    )
    product.rating_count = totals["count"] or 0
    average = Decimal(str(totals["average"] or 0))
    product.rating_average = average.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    product.save(update_fields=["rating_count", "rating_average"])
    return product


@transaction.atomic
def review_create(*, actor: Actor, order_line_id, rating, text: str = "", images=None) -> Review:
    """The shopper's (`actor`'s) review of one of their order lines, once its sub-order is
    received.

    Another shopper's line is "not found"; a line not yet received, or already reviewed, is a
    conflict; a bad rating, an over-long text or a picture that is not a real JPEG/PNG/WebP of at
    most 5 MB is invalid input.
    """
    line = _lock_line_of(actor=actor, order_line_id=order_line_id)
    refusal = review_refusal(line)
    if refusal is not None:
        raise refusal
    if Review.objects.filter(order_line_id=line.pk).exists():
        raise Conflict("You have already reviewed this item.", code="already_reviewed")
    rating = _rating(rating)
    text = _text(text, limit=MAX_TEXT_LENGTH, what="review")
    checked = _checked_images(images)

    try:
        with transaction.atomic():
            review = Review.objects.create(
                product_id=line.sku.product_id,
                order_line=line,
                user=actor.user,
                rating=rating,
                text=text,
            )
    except IntegrityError:
        # Another request reviewed the line between our check and our insert.
        raise Conflict("You have already reviewed this item.", code="already_reviewed")
    for position, (upload, extension) in enumerate(checked):
        picture = ReviewImage(review=review, position=position)
        picture.image.save(f"review-{review.pk}-{position}.{extension}", upload, save=False)
        picture.save()
    product_refresh_rating(product_id=review.product_id)
    return review


def _may_reply(actor: Actor, review: Review) -> bool:
    return actor.is_ops or (actor.is_merchant and actor.merchant_id == review.product.merchant_id)


@transaction.atomic
def review_reply(*, review_id: int, actor: Actor, text: str) -> Review:
    """The merchant's one public answer to a review (its staff, or platform operations)."""
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("product")
        .filter(pk=review_id)
        .first()
    )
    if review is None or not _may_reply(actor, review):
        raise NotFound("Review not found.", code="unknown_review")
    if review.replied_at is not None:
        raise Conflict("This review has already been answered.", code="already_replied")
    text = _text(text, limit=MAX_REPLY_LENGTH, what="reply")
    if not text:
        raise InvalidInput("Write a reply.", code="empty_reply")
    review.merchant_reply = text
    review.replied_at = timezone.now()
    review.replied_by = actor.user
    review.save(update_fields=["merchant_reply", "replied_at", "replied_by"])
    return review


@transaction.atomic
def review_set_visible(*, review_id: int, actor: Actor, is_visible: bool) -> Review:
    """Hide a review from the product page (or show it again): platform operations only. The
    product's rating follows."""
    if not actor.is_ops:
        raise PermissionDenied("Only platform operations may hide or show reviews.")
    review = Review.objects.select_for_update().filter(pk=review_id).first()
    if review is None:
        raise NotFound("Review not found.", code="unknown_review")
    if review.is_visible == is_visible:
        return review
    review.is_visible = is_visible
    review.save(update_fields=["is_visible"])
    product_refresh_rating(product_id=review.product_id)
    return review


def review_hide(*, review_id: int, actor: Actor) -> Review:
    return review_set_visible(review_id=review_id, actor=actor, is_visible=False)


def review_show(*, review_id: int, actor: Actor) -> Review:
    return review_set_visible(review_id=review_id, actor=actor, is_visible=True)
