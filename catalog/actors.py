"""Who is acting: a user or the system, with the role the shop gives them.

Every service that writes takes `actor: Actor` (required, keyword-only). The edge resolves it
once (a view or API view from `request.user`, an admin action from `request.user`, a Celery
task or gateway callback as `SYSTEM`) and services only ask the value what they need: its
role, the user to record, the merchant it works for. The "who is this user" questions
(platform operations? staff of which merchant?) are answered here and nowhere else.

This lives in catalog because catalog owns merchants and their staff, the lowest module that
can tell a merchant's staff from a shopper.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Merchant, MerchantStaff
from shop.roles import PLATFORM_OPS

_UNSET = object()


class Role(models.TextChoices):
    SHOPPER = "shopper", _("Shopper")
    MERCHANT = "merchant", _("Merchant")
    OPS = "ops", _("Operations")
    SYSTEM = "system", _("System")


@dataclass(frozen=True)
class Actor:
    """A user with a role, or the system (timers, gateways, couriers: no user)."""

    role: str
    user: object = None  # the User for shoppers, merchant staff and operations; None for SYSTEM
    merchant_id: int | None = None  # the merchant a merchant's staff works for

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    @property
    def is_system(self) -> bool:
        return self.role == Role.SYSTEM

    @property
    def is_ops(self) -> bool:
        return self.role == Role.OPS

    @property
    def is_merchant(self) -> bool:
        return self.role == Role.MERCHANT

    @property
    def is_shopper(self) -> bool:
        return self.role == Role.SHOPPER

    @property
    def sees_everything(self) -> bool:
        """Operations and the system reach every merchant's and every shopper's rows."""
        return self.role in (Role.OPS, Role.SYSTEM)

    def reaches_merchant(self, merchant_id: int | None) -> bool:
        """Whether rows of `merchant_id` are this actor's to act on as a merchant."""
        return self.sees_everything or (self.is_merchant and self.merchant_id == merchant_id)

    def reaches_shopper(self, user_id: int | None) -> bool:
        """Whether rows of the shopper `user_id` are this actor's to act on as that shopper."""
        return self.sees_everything or (self.is_shopper and self.user_id == user_id)

    @property
    def pk(self):
        # An Actor is not a user: code written for users (`getattr(actor, "pk", None)`) must fail
        # loudly, never mistake a shopper for the system because the attribute is missing.
        raise TypeError("An Actor is not a user: use actor.user_id or actor.user.")


SYSTEM = Actor(role=Role.SYSTEM)


def actor_for(user) -> Actor:
    """The Actor for a signed-in user (an Actor is returned as it is). Anonymous visitors and None
    are refused: the system acts only where the caller says `SYSTEM`, never by omission."""
    if isinstance(user, Actor):
        return user
    if user is None or not getattr(user, "is_authenticated", False):
        raise ValueError("Only a signed-in user can act; timers and gateways act as SYSTEM.")
    if is_platform_staff(user):
        return Actor(role=Role.OPS, user=user)
    merchant = staff_merchant(user)
    if merchant is not None:
        return Actor(role=Role.MERCHANT, user=user, merchant_id=merchant.pk)
    return Actor(role=Role.SHOPPER, user=user)


def staff_merchant(user) -> Merchant | None:
    """The merchant `user` works for, or None. Cached on the user object for the request."""
    if isinstance(user, Actor):
        user = user.user
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_staff_merchant_cache", _UNSET)
    if cached is _UNSET:
        link = MerchantStaff.objects.select_related("merchant").filter(user_id=user.pk).first()
        cached = link.merchant if link else None
        user._staff_merchant_cache = cached
    return cached


def is_platform_staff(user) -> bool:
    """A superuser or a member of the platform operations group (cached on the user)."""
    if isinstance(user, Actor):
        return user.is_ops
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_platform_staff_cache", _UNSET)
    if cached is _UNSET:
        cached = user.groups.filter(name=PLATFORM_OPS).exists()
        user._is_platform_staff_cache = cached
    return cached
