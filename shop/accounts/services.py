"""Account use cases: registration, API tokens, the profile, the new-customer flag and the
address book.

Every write is here; views, the API and the admin only call these functions.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext, pgettext_lazy
from rest_framework.authtoken.models import Token

from shop.accounts.models import Address, CustomerProfile, MembershipTier, phone_validator
from shop.accounts.selectors import address_get_for_user
from shop.errors import InvalidInput
from shop.phones import normalise_mobile
from shop.regions import PROVINCES, RegionMismatch, region_check

User = get_user_model()

ADDRESS_FIELDS = ("recipient", "phone", "province", "city", "district", "detail")
# How the errors name each field (in English, the field's name, as they always have).
_ADDRESS_FIELD_NAMES = {
    "recipient": pgettext_lazy("address field", "Recipient"),
    "phone": pgettext_lazy("address field", "Phone"),
    "province": pgettext_lazy("address field", "Province"),
    "city": pgettext_lazy("address field", "City"),
    "district": pgettext_lazy("address field", "District"),
    "detail": pgettext_lazy("address field", "Detail"),
}


def default_tier() -> MembershipTier:
    """The lowest tier; a fresh database gets a "Regular" tier at 0 %."""
    tier = MembershipTier.objects.order_by("position", "discount_percent", "id").first()
    if tier is None:
        tier, _ = MembershipTier.objects.get_or_create(
            code="regular", defaults={"name": "Regular", "discount_percent": 0, "position": 0}
        )
    return tier


@transaction.atomic
def profile_for(user) -> CustomerProfile:
    """The user's profile, created on first use (staff and legacy users have none yet)."""
    profile = CustomerProfile.objects.filter(user=user).select_related("tier").first()
    if profile is not None:
        return profile
    profile, _ = CustomerProfile.objects.get_or_create(user=user, defaults={"tier": default_tier()})
    return profile


def _validate_phone(phone: str, *, required: bool) -> str:
    phone = normalise_mobile(phone)  # "+86 138-0013-8000" -> "13800138000"
    if not phone:
        if required:
            raise InvalidInput(gettext("Enter a phone number."), code="invalid_phone")
        return ""
    try:
        phone_validator(phone)
    except ValidationError:
        raise InvalidInput(
            gettext("Enter an 11-digit mainland mobile number."), code="invalid_phone"
        )
    return phone


def _validate_email(email: str) -> str:
    """The address trimmed, or "" for none; a malformed or too long one is InvalidInput."""
    email = (email or "").strip()
    if not email:
        return ""
    max_length = User._meta.get_field("email").max_length
    if len(email) > max_length:
        raise InvalidInput(
            gettext("An email address has at most %(max)s characters.") % {"max": max_length},
            code="invalid_email",
        )
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(gettext("Enter a valid email address."), code="invalid_email")
    return email


def _validate_language(language: str) -> str:
    """A language code of settings.LANGUAGES ("zh-hans", "en"); anything else is InvalidInput."""
    language = (language or "").strip().lower()
    if language not in dict(settings.LANGUAGES):
        raise InvalidInput(gettext("Choose one of the shop's languages."), code="invalid_language")
    return language


def supported_language(code: str | None) -> str:
    """`code` (a request's language) when it is one of settings.LANGUAGES, else ""."""
    code = (code or "").lower()
    return code if code in dict(settings.LANGUAGES) else ""


@transaction.atomic
def user_register(
    *, username: str, password: str, email: str = "", phone: str = "", language: str = ""
) -> User:
    """Create a shopper account with its profile on the default tier, new-customer flag on.
    `language` (the page's, at sign-up) words their messages; empty: LANGUAGE_CODE."""
    username = (username or "").strip()
    if not username:
        raise InvalidInput(gettext("Choose a username."), code="invalid_username")
    username_field = User._meta.get_field(User.USERNAME_FIELD)
    try:
        username_field.run_validators(username)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), code="invalid_username")
    if len(username) > username_field.max_length:
        raise InvalidInput(
            gettext("A username has at most %(max)s characters.")
            % {"max": username_field.max_length},
            code="invalid_username",
        )
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput(gettext("That username is taken."), code="username_taken")
    phone = _validate_phone(phone, required=False)
    email = _validate_email(email)
    language = _validate_language(language) if language else settings.LANGUAGE_CODE
    candidate = User(username=username, email=email)
    try:
        validate_password(password or "", user=candidate)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), code="invalid_password")
    candidate.set_password(password)
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError:
        raise InvalidInput(gettext("That username is taken."), code="username_taken")
    CustomerProfile.objects.create(
        user=candidate, phone=phone, tier=default_tier(), is_new_customer=True, language=language
    )
    _grant_new_customer_coupons(user=candidate)
    return candidate


@transaction.atomic
def profile_update(
    *, user, phone: str | None = None, email: str | None = None, language: str | None = None
) -> CustomerProfile:
    """The shopper changes their own contact details and the language of their messages; None
    leaves a field as it is, "" clears it (the language cannot be cleared).

    Both values are validated before anything is written, so a bad one changes nothing.
    Returns the profile (with `user` and `tier` loaded) as it is after the change."""
    new_phone = None if phone is None else _validate_phone(phone, required=False)
    new_email = None if email is None else _validate_email(email)
    new_language = None if language is None else _validate_language(language)
    profile_for(user)  # staff and legacy users get their profile on first use
    # Lock the profile so two concurrent edits of one shopper apply one after the other.
    profile = (
        CustomerProfile.objects.select_for_update(of=("self",))
        .select_related("user", "tier")
        .get(user=user)
    )
    if new_phone is not None and new_phone != profile.phone:
        profile.phone = new_phone
        profile.save(update_fields=["phone"])
    if new_language is not None and new_language != profile.language:
        profile.language = new_language
        profile.save(update_fields=["language"])
    if new_email is not None and new_email != profile.user.email:
        profile.user.email = new_email
        profile.user.save(update_fields=["email"])
        if user is not profile.user:
            user.email = new_email  # the caller's instance (request.user) shows the new address
    return profile


def profile_language_remember(*, user, language: str) -> bool:
    """The storefront's language switch: the signed-in user's messages follow the language they
    chose. A read, and a write only when the language changes (no page view writes). A user
    without a profile gets one. Returns whether anything changed; a code that is not one of
    settings.LANGUAGES changes nothing."""
    if language not in dict(settings.LANGUAGES) or not getattr(user, "is_authenticated", False):
        return False
    stored = CustomerProfile.objects.filter(user=user).values_list("language", flat=True).first()
    if stored == language:
        return False
    if stored is None:
        profile_for(user)  # staff and legacy users get their profile on first use
    # Conditional: two switches at once leave the last one, and write once each at most.
    CustomerProfile.objects.filter(user=user).exclude(language=language).update(language=language)
    return True


@transaction.atomic
def user_token_revoke(*, user) -> int:
    """Sign the user out of the API: delete their token, so it answers 401 from now on.

    DRF keeps one token per user, so every API client of this user is signed out; the next
    `POST /api/auth/token/` issues a fresh key. Idempotent: without a token nothing happens.
    Returns how many tokens were deleted (0 or 1)."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted


def _grant_new_customer_coupons(*, user) -> None:
    """Give a new account a copy of each active new-customer coupon that is still valid."""
    from django.utils import timezone

    from shop.accounts.models import Coupon, HeldCoupon

    now = timezone.now()
    coupons = Coupon.objects.filter(for_new_customers=True, is_active=True, valid_until__gt=now)
    HeldCoupon.objects.bulk_create(
        [HeldCoupon(user=user, coupon=coupon) for coupon in coupons], ignore_conflicts=True
    )


@transaction.atomic
def customer_mark_first_paid(*, user_id: int) -> None:
    """The shopper has paid an order: no longer a new customer. Idempotent."""
    updated = CustomerProfile.objects.filter(user_id=user_id, is_new_customer=True).update(
        is_new_customer=False
    )
    if not updated and not CustomerProfile.objects.filter(user_id=user_id).exists():
        CustomerProfile.objects.create(user_id=user_id, tier=default_tier(), is_new_customer=False)


def _clean_address(data: dict, *, partial: bool = False) -> dict:
    cleaned: dict = {}
    for field in ADDRESS_FIELDS:
        if field not in data:
            if partial:
                continue
            if field == "district":
                cleaned[field] = ""
                continue
            raise InvalidInput(
                gettext("%(field)s is required.") % {"field": _ADDRESS_FIELD_NAMES[field]},
                code=f"invalid_{field}",
            )
        value = data[field]
        value = "" if value is None else str(value).strip()
        cleaned[field] = value
    if "phone" in cleaned:
        cleaned["phone"] = _validate_phone(cleaned["phone"], required=True)
    if "province" in cleaned and cleaned["province"] not in PROVINCES:
        raise InvalidInput(gettext("Choose a province from the list."), code="invalid_province")
    limits = {f: Address._meta.get_field(f).max_length for f in ADDRESS_FIELDS}
    labels = {
        "recipient": pgettext_lazy("address field", "Recipient"),
        "city": pgettext_lazy("address field", "City"),
        "detail": pgettext_lazy("address field", "Street address"),
    }
    for field, label in labels.items():
        if field in cleaned and not cleaned[field]:
            raise InvalidInput(
                gettext("%(field)s is required.") % {"field": label}, code=f"invalid_{field}"
            )
    for field, value in cleaned.items():
        if len(value) > limits[field]:
            raise InvalidInput(
                gettext("%(field)s has at most %(max)s characters.")
                % {"field": _ADDRESS_FIELD_NAMES[field], "max": limits[field]},
                code=f"invalid_{field}",
            )
    return cleaned


def _checked_region(values: dict) -> dict:
    """City and district as the national division data names them (杭州 -> 杭州市), or a clear
    error when the city is not in the province or the district not in the city."""
    try:
        region = region_check(
            province=values["province"], city=values["city"], district=values.get("district", "")
        )
    except RegionMismatch as mismatch:
        raise InvalidInput(mismatch.message, code=f"invalid_{mismatch.field}") from None
    return {"city": region.city, "district": region.district}


def _locked_address(*, user, public_id) -> Address:
    return address_get_for_user(user=user, public_id=public_id, for_update=True)


def _lock_user_addresses(user) -> list[Address]:
    """Serialise address-book writes of one user: lock the user row (present even before the
    first address exists), then read the addresses."""
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()
    return list(Address.objects.filter(user=user).order_by("pk"))


@transaction.atomic
def address_create(
    *,
    user,
    recipient: str,
    phone: str,
    province: str,
    city: str,
    detail: str,
    district: str = "",
    is_default: bool = False,
) -> Address:
    cleaned = _clean_address(
        {
            "recipient": recipient,
            "phone": phone,
            "province": province,
            "city": city,
            "district": district,
            "detail": detail,
        }
    )
    cleaned.update(_checked_region(cleaned))
    existing = _lock_user_addresses(user)
    # Counted under the lock of the user's rows, so parallel requests cannot pass the cap.
    if len(existing) >= settings.ADDRESS_BOOK_MAX:
        raise InvalidInput(
            gettext(
                "Your address book is full (%(max)s addresses): delete one you no longer use to "
                "add another."
            )
            % {"max": settings.ADDRESS_BOOK_MAX},
            code="address_book_full",
        )
    make_default = is_default or not any(a.is_default for a in existing)
    if make_default:
        Address.objects.filter(user=user, is_default=True).update(is_default=False)
    return Address.objects.create(user=user, is_default=make_default, **cleaned)


@transaction.atomic
def address_update(*, user, public_id, is_default: bool | None = None, **fields) -> Address:
    """Change some fields of one of the user's addresses (partial update)."""
    unknown = set(fields) - set(ADDRESS_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown field: {', '.join(sorted(unknown))}.", code="invalid")
    _lock_user_addresses(user)
    address = _locked_address(user=user, public_id=public_id)
    cleaned = _clean_address(fields, partial=True)
    if {"province", "city", "district"} & set(cleaned):
        # Checked as the address will be: a new city must fit the province it keeps, and so on.
        current = {f: getattr(address, f) for f in ("province", "city", "district")}
        cleaned.update(_checked_region({**current, **cleaned}))
    for field, value in cleaned.items():
        setattr(address, field, value)
    if cleaned:
        address.save(update_fields=list(cleaned))
    if is_default:
        return address_set_default(user=user, public_id=address.public_id)
    return address


@transaction.atomic
def address_delete(*, user, public_id) -> None:
    """Delete one address; if it was the default, the newest remaining one becomes default."""
    _lock_user_addresses(user)
    address = _locked_address(user=user, public_id=public_id)
    was_default = address.is_default
    address.delete()
    if was_default:
        successor = Address.objects.filter(user=user).order_by("-id").first()
        if successor is not None:
            successor.is_default = True
            successor.save(update_fields=["is_default"])


@transaction.atomic
def address_set_default(*, user, public_id) -> Address:
    _lock_user_addresses(user)
    address = _locked_address(user=user, public_id=public_id)
    if address.is_default:
        return address
    Address.objects.filter(user=user, is_default=True).update(is_default=False)
    address.is_default = True
    address.save(update_fields=["is_default"])
    return address
