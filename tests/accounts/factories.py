from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from shop.accounts.models import Address, Coupon, CustomerProfile, HeldCoupon, MembershipTier

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class MembershipTierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembershipTier
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"tier{n}")
    name = factory.LazyAttribute(lambda t: t.code.title())


class CustomerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerProfile
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    phone = "13800138000"


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    recipient = "张三"
    phone = "13800138000"
    province = "上海"
    city = "上海市"
    district = "浦东新区"
    detail = "世纪大道 100 号"
    is_default = False


class CouponFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coupon
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"COUPON{n}")
    name = factory.LazyAttribute(lambda c: f"Coupon {c.code}")
    kind = Coupon.Kind.FIXED
    value = Decimal("10.00")
    min_spend = Decimal("0.00")
    valid_from = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    valid_until = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    for_new_customers = False


class HeldCouponFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HeldCoupon

    user = factory.SubFactory(UserFactory)
    coupon = factory.SubFactory(CouponFactory)
