"""Shoppers' reviews of the lines they received, with pictures and the merchant's one reply."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from imagekit.models import ImageSpecField
from pilkit.processors import ResizeToFill


class Review(models.Model):
    """A shopper's review of one order line, allowed once its sub-order is received; the
    merchant may answer it once. One review per line: the database holds that."""

    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.CASCADE,
        related_name="reviews",
        verbose_name=_("product"),
    )
    order_line = models.OneToOneField(
        "orders.OrderLine",
        on_delete=models.CASCADE,
        related_name="review",
        verbose_name=_("order line"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reviews",
        verbose_name=_("shopper"),
    )
    rating = models.PositiveSmallIntegerField(_("rating"))
    text = models.TextField(_("review text"), blank=True)
    is_visible = models.BooleanField(_("shown"), default=True)
    merchant_reply = models.TextField(_("merchant reply"), blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("replied by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["product", "-created_at"],
                condition=Q(is_visible=True),
                name="review_visible_newest",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"
            ),
        ]
        verbose_name = _("product review")
        verbose_name_plural = _("product reviews")

    def __str__(self):
        return f"{self.rating}★ review of {self.product.title} by {self.user}"

    @property
    def has_reply(self) -> bool:
        return self.replied_at is not None


class ReviewImage(models.Model):
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="images", verbose_name=_("product review")
    )
    image = models.ImageField(_("image"), upload_to="reviews/%Y/%m/")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    thumbnail = ImageSpecField(
        source="image", processors=[ResizeToFill(160, 160)], format="JPEG", options={"quality": 82}
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("review picture")
        verbose_name_plural = _("review pictures")

    def __str__(self):
        return f"Image {self.position + 1} of {self.review}"
