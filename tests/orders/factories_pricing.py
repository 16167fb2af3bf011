"""Factories for what pricing reads: promotions and their tiers / limited prices, shipping
templates and region rates, membership tiers, coupons and held coupons."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from catalog.models import (
    LimitedTimePrice,
    ProductImage,
    Promotion,
    PromotionTier,
    ShippingRegionRate,
    ShippingTemplate,
)
from shop.accounts.models import Coupon, CustomerProfile, HeldCoupon, MembershipTier
from tests.accounts.factories import CustomerProfileFactory, MembershipTierFactory, UserFactory
from tests.catalog.factories import MerchantFactory, ProductFactory, SKUFactory

__all__ = [
    "CouponFactory",
    "CustomerProfileFactory",
    "HeldCouponFactory",
    "LimitedTimePriceFactory",
    "MembershipTierFactory",
    "MerchantFactory",
    "ProductFactory",
    "ProductImageFactory",
    "PromotionFactory",
    "PromotionTierFactory",
    "SKUFactory",
    "ShippingRegionRateFactory",
    "ShippingTemplateFactory",
    "TierFactory",
    "UserFactory",
    "member_profile",
]


def _now():
    return timezone.now()


class PromotionFactory(factory.django.DjangoModelFactory):
    """A running full-reduction promotion over every product of its merchant."""

    class Meta:
        model = Promotion
        skip_postgeneration_save = True

    merchant = factory.SubFactory(MerchantFactory)
    name = factory.Sequence(lambda n: f"Promotion {n}")
    kind = Promotion.Kind.FULL_REDUCTION
    starts_at = factory.LazyFunction(lambda: _now() - timedelta(days=1))
    ends_at = factory.LazyFunction(lambda: _now() + timedelta(days=1))
    is_active = True
    applies_to_all = True
    percent_off = None

    @factory.post_generation
    def products(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.products.set(extracted)


class PromotionTierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PromotionTier

    promotion = factory.SubFactory(PromotionFactory)
    threshold = Decimal("200.00")
    discount = Decimal("20.00")


class LimitedTimePriceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LimitedTimePrice

    promotion = factory.SubFactory(
        PromotionFactory,
        kind=Promotion.Kind.LIMITED_PRICE,
        merchant=factory.SelfAttribute("..sku.product.merchant"),
    )
    sku = factory.SubFactory(SKUFactory)
    price = Decimal("79.00")


class ShippingTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShippingTemplate
        django_get_or_create = ("merchant",)

    merchant = factory.SubFactory(MerchantFactory)
    first_weight_grams = 1000
    first_fee = Decimal("8.00")
    additional_weight_grams = 1000
    additional_fee = Decimal("5.00")
    free_over = None


class ShippingRegionRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShippingRegionRate

    template = factory.SubFactory(ShippingTemplateFactory)
    region = "新疆"
    first_fee = Decimal("20.00")
    additional_fee = Decimal("12.00")


class TierFactory(MembershipTierFactory):
    """A membership tier with a discount ("Gold", 5 %)."""

    class Meta:
        model = MembershipTier
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"gold{n}")
    name = "Gold"
    discount_percent = Decimal("5.00")


def member_profile(*, user=None, tier=None, is_new_customer=True) -> CustomerProfile:
    """A shopper's profile on `tier` (get-or-create, so it also retunes an existing one)."""
    profile = CustomerProfileFactory(user=user or UserFactory())
    profile.tier = tier
    profile.is_new_customer = is_new_customer
    profile.save(update_fields=["tier", "is_new_customer"])
    return profile


class CouponFactory(factory.django.DjangoModelFactory):
    """A platform-wide ¥10-off coupon, valid now, no minimum spend."""

    class Meta:
        model = Coupon
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"SAVE{n:04d}")
    name = factory.Sequence(lambda n: f"¥10 off #{n}")
    kind = Coupon.Kind.FIXED
    value = Decimal("10.00")
    min_spend = Decimal("0.00")
    merchant = None
    valid_from = factory.LazyFunction(lambda: _now() - timedelta(days=1))
    valid_until = factory.LazyFunction(lambda: _now() + timedelta(days=30))
    for_new_customers = False
    is_active = True


class HeldCouponFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HeldCoupon

    user = factory.SubFactory(UserFactory)
    coupon = factory.SubFactory(CouponFactory)
    used_at = None


class ProductImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductImage

    product = factory.SubFactory(ProductFactory)
    image = factory.django.ImageField(color="red", width=10, height=10)
    position = 0
