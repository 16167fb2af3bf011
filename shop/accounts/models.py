import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from shop.regions import PROVINCE_CHOICES

phone_validator = RegexValidator(r"^1\d{10}$", "Enter an 11-digit mainland mobile number.")


class MembershipTier(models.Model):
    """A membership level (regular, silver, gold): a data row, so ops can add or retune one."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=64)
    # Percent off the goods after promotions, e.g. 5.00 means the member pays 95 %.
    discount_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class CustomerProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    phone = models.CharField(max_length=11, blank=True, validators=[phone_validator])
    tier = models.ForeignKey(
        MembershipTier, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # True until the shopper's first paid order; unlocks new-customer benefits.
    is_new_customer = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Profile of {self.user}"


class Address(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses"
    )
    # What pages and the API name an address by: the pk stays internal (never enumerable).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.CharField(max_length=64)
    phone = models.CharField(max_length=11, validators=[phone_validator])
    province = models.CharField(max_length=16, choices=PROVINCE_CHOICES)
    city = models.CharField(max_length=64)
    district = models.CharField(max_length=64, blank=True)
    detail = models.CharField(max_length=255)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_default=True), name="one_default_address_per_user"
            )
        ]
        verbose_name_plural = "addresses"

    def __str__(self):
        return f"{self.recipient} {self.province}{self.city}{self.district}{self.detail}"

    @property
    def one_line(self) -> str:
        return f"{self.province} {self.city} {self.district} {self.detail}".replace("  ", " ")


class Coupon(models.Model):
    """A coupon definition. Shoppers hold copies of it (HeldCoupon); each copy is used once."""

    class Kind(models.TextChoices):
        FIXED = "fixed", "Fixed amount off"
        PERCENT = "percent", "Percent off"

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=128)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Yuan off for FIXED, percent off for PERCENT.
    value = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    min_spend = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    # Null: platform-wide; otherwise only the goods of that merchant count and are discounted.
    merchant = models.ForeignKey(
        "catalog.Merchant", null=True, blank=True, on_delete=models.CASCADE, related_name="coupons"
    )
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField()
    # Granted automatically to every new account; usable only while the shopper is new.
    for_new_customers = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gt=models.F("valid_from")), name="coupon_valid_window"
            ),
            models.CheckConstraint(
                condition=~Q(kind="percent") | Q(value__lte=100), name="coupon_percent_le_100"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"


class HeldCoupon(models.Model):
    """One shopper's copy of a coupon. `used_at` is set by one conditional UPDATE, so two
    concurrent orders can never both use it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="held_coupons"
    )
    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="held_copies")
    granted_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)
    used_on_order_no = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "coupon"], name="one_copy_per_user"),
        ]

    def __str__(self):
        return f"{self.coupon} held by {self.user}"
