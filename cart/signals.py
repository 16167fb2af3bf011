"""Receivers the cart connects at start-up (see CartConfig.ready)."""

import logging

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from cart.services import cart_merge_into_user

logger = logging.getLogger(__name__)


@receiver(user_logged_in, dispatch_uid="cart_merge_at_sign_in")
def merge_session_cart_at_sign_in(sender, request, user, **kwargs):
    """The anonymous cart is in the session's data, which Django keeps (under a new key) when
    it signs the user in; move it into the user's cart. A sign-in never fails over the cart."""
    session = getattr(request, "session", None) if request is not None else None
    if session is None:
        return
    try:
        cart_merge_into_user(user=user, session=session)
    except Exception:
        logger.exception("Could not merge the session cart of user %s at sign-in", user.pk)
