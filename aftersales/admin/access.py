"""Who may work after-sales pages in the admin (the querysets scope what they see)."""

from catalog.actors import is_platform_staff, staff_merchant


def is_staff_of_a_merchant(request) -> bool:
    return staff_merchant(request.user) is not None


def may_work_cases(request) -> bool:
    """Operations, or a merchant's staff (their own cases only: the querysets see to that)."""
    return is_platform_staff(request.user) or is_staff_of_a_merchant(request)


def may_fulfil(request) -> bool:
    """Shortages are found at picking: whoever may fulfil sub-orders (as logistics' admin)."""
    user = request.user
    return user.is_active and user.is_staff and user.has_perm("orders.change_suborder")
