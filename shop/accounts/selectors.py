"""Read queries of accounts, shared by pages, the API and pricing."""

import uuid
from datetime import datetime
from decimal import Decimal

from django.db.models import Q, QuerySet

from shop.accounts.models import Address, CustomerProfile, HeldCoupon
from shop.errors import NotFound


def addresses_for_user(user) -> QuerySet[Address]:
    """The user's address book, default first, newest next."""
    return Address.objects.filter(user=user).order_by("-is_default", "-id")


def address_get_for_user(*, user, public_id, for_update: bool = False) -> Address:
    """One of the user's addresses by its public id; another user's, a missing or a malformed
    id raises NotFound. `for_update` locks the row (address services, in their transaction)."""
    try:
        public_id = uuid.UUID(str(public_id))
    except (TypeError, ValueError):
        raise NotFound("Address not found.") from None
    addresses = Address.objects.select_for_update() if for_update else Address.objects
    address = addresses.filter(public_id=public_id, user=user).first()
    if address is None:
        raise NotFound("Address not found.")
    return address


def default_address_for_user(user) -> Address | None:
    return addresses_for_user(user).first()


def profile_get(user) -> CustomerProfile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return CustomerProfile.objects.filter(user=user).select_related("tier").first()


def member_discount_rate(user) -> Decimal:
    """The tier discount as a fraction of the goods (0.05 for a 5 % tier); 0 without a tier."""
    profile = profile_get(user)
    return tier_discount_rate(profile.tier if profile else None)


def tier_discount_rate(tier) -> Decimal:
    """A tier's discount as a fraction (0.05 for 5 %); 0 for no tier. No query."""
    if tier is None:
        return Decimal("0")
    return (tier.discount_percent / Decimal(100)).quantize(Decimal("0.0001"))


def is_new_customer(user) -> bool:
    profile = profile_get(user)
    return True if profile is None else profile.is_new_customer


def held_coupons_usable(user, at: datetime) -> QuerySet[HeldCoupon]:
    """The user's unused coupons valid at `at`; new-customer coupons only while the user is new.
    Spending thresholds and merchant scope are checked by pricing against the order."""
    if not getattr(user, "is_authenticated", False):
        return HeldCoupon.objects.none()
    held = HeldCoupon.objects.filter(
        user=user,
        used_at__isnull=True,
        coupon__is_active=True,
        coupon__valid_from__lte=at,
        coupon__valid_until__gt=at,
    ).select_related("coupon", "coupon__merchant")
    if not is_new_customer(user):
        held = held.filter(Q(coupon__for_new_customers=False))
    return held.order_by("coupon__valid_until", "id")


def held_coupons_by_state(user, at: datetime) -> dict[str, list[HeldCoupon]]:
    """ "My coupons": the user's coupons as {"usable", "used", "expired"} (one query). Usable as
    held_coupons_usable decides; a new-customer coupon of a customer no longer new is expired."""
    held = list(
        HeldCoupon.objects.filter(user=user)
        .select_related("coupon", "coupon__merchant")
        .order_by("coupon__valid_until", "id")
    )
    usable_ids = set(held_coupons_usable(user, at).values_list("pk", flat=True))
    states: dict[str, list[HeldCoupon]] = {"usable": [], "used": [], "expired": []}
    for coupon in held:
        if coupon.used_at is not None:
            states["used"].append(coupon)
        elif coupon.pk in usable_ids:
            states["usable"].append(coupon)
        elif coupon.coupon.valid_from > at and coupon.coupon.is_active:
            states["usable"].append(coupon)  # not yet valid: shown with its start
        else:
            states["expired"].append(coupon)
    return states
