"""What pricing reads about the shopper: their membership tier and whether they are new, and the
coupon they hold under a code."""

from shop.accounts.models import CustomerProfile, HeldCoupon
from shop.money import ZERO

from .values import CouponOffer, MemberStatus


def member_status_load(user) -> MemberStatus:
    if not getattr(user, "is_authenticated", False):
        return MemberStatus()
    profile = CustomerProfile.objects.filter(user=user).select_related("tier").first()
    if profile is None:  # staff and legacy accounts: no tier, and no order paid yet
        return MemberStatus()
    tier = profile.tier
    return MemberStatus(
        tier_name=tier.name if tier else "",
        discount_percent=tier.discount_percent if tier else ZERO,
        is_new_customer=profile.is_new_customer,
    )


def coupon_offer_load(user, code: str) -> CouponOffer | None:
    if not getattr(user, "is_authenticated", False):
        return None
    held = list(
        HeldCoupon.objects.filter(user=user, coupon__code__iexact=code).select_related(
            "coupon__merchant"
        )
    )
    if not held:
        return None
    held.sort(key=lambda h: (h.coupon.code != code, h.pk))  # an exact match wins
    copy, coupon = held[0], held[0].coupon
    return CouponOffer(
        held_coupon_id=copy.pk,
        code=coupon.code,
        name=coupon.name,
        kind=coupon.kind,
        value=coupon.value,
        valid_from=coupon.valid_from,
        valid_until=coupon.valid_until,
        min_spend=coupon.min_spend,
        merchant_id=coupon.merchant_id,
        merchant_name=coupon.merchant.name if coupon.merchant else "",
        for_new_customers=coupon.for_new_customers,
        is_active=coupon.is_active,
        used_at=copy.used_at,
    )
