import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shop.regions import PROVINCE_CHOICES

phone_validator = RegexValidator(r"^1\d{10}$", _("Enter an 11-digit mainland mobile number."))


def default_language() -> str:
    """LANGUAGE_CODE when the account was made (a callable: the migration holds no setting)."""
    return settings.LANGUAGE_CODE


class MembershipTier(models.Model):
    """A membership level (regular, silver, gold): a data row, so ops can add or retune one."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    # Percent off the goods after promotions, e.g. 5.00 means the member pays 95 %.
    discount_percent = models.DecimalField(
        _("discount (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("membership tier")
        verbose_name_plural = _("membership tiers")

    def __str__(self):
        return self.name


class CustomerProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("user"),
    )
    phone = models.CharField(_("mobile"), max_length=11, blank=True, validators=[phone_validator])
    tier = models.ForeignKey(
        MembershipTier,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("membership tier"),
    )
    # The language pushes, SMS and inbox messages are worded in: a Celery worker words them with
    # no request to ask. Set at sign-up, by the storefront's language switch and on the profile.
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=default_language,
        help_text=_("The language of your messages: pushes, SMS and the inbox."),
    )
    # True until the shopper's first paid order; unlocks new-customer benefits.
    is_new_customer = models.BooleanField(_("new customer"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("customer profile")
        verbose_name_plural = _("customer profiles")

    def __str__(self):
        return _("Profile of %(user)s") % {"user": self.user}


class Address(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="addresses",
        verbose_name=_("user"),
    )
    # What pages and the API name an address by: the pk stays internal (never enumerable).
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    recipient = models.CharField(_("recipient"), max_length=64)
    phone = models.CharField(_("mobile"), max_length=11, validators=[phone_validator])
    province = models.CharField(_("province"), max_length=16, choices=PROVINCE_CHOICES)
    city = models.CharField(_("city"), max_length=64)
    district = models.CharField(_("district"), max_length=64, blank=True)
    detail = models.CharField(_("street address"), max_length=255)
    is_default = models.BooleanField(_("default address"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_default=True), name="one_default_address_per_user"
            )
        ]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self):
        return f"{self.recipient} {self.province}{self.city}{self.district}{self.detail}"

    @property
    def one_line(self) -> str:
        return f"{self.province} {self.city} {self.district} {self.detail}".replace("  ", " ")


class Coupon(models.Model):
    """A coupon definition. Shoppers hold copies of it (HeldCoupon); each copy is used once."""

    class Kind(models.TextChoices):
        FIXED = "fixed", _("Fixed amount off")
        PERCENT = "percent", _("Percent off")

    code = models.CharField(_("coupon code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # Yuan off for FIXED, percent off for PERCENT.
    value = models.DecimalField(
        _("value"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    min_spend = models.DecimalField(
        _("minimum spend"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    # Null: platform-wide; otherwise only the goods of that merchant count and are discounted.
    merchant = models.ForeignKey(
        "catalog.Merchant",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="coupons",
        verbose_name=_("merchant"),
    )
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    # Granted automatically to every new account; usable only while the shopper is new.
    for_new_customers = models.BooleanField(_("new customers only"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
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
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="held_coupons",
        verbose_name=_("user"),
    )
    coupon = models.ForeignKey(
        Coupon, on_delete=models.CASCADE, related_name="held_copies", verbose_name=_("coupon")
    )
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    used_on_order_no = models.CharField(_("used on order"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("held coupon")
        verbose_name_plural = _("held coupons")
        constraints = [
            models.UniqueConstraint(fields=["user", "coupon"], name="one_copy_per_user"),
        ]

    def __str__(self):
        return _("%(coupon)s held by %(user)s") % {"coupon": self.coupon, "user": self.user}
