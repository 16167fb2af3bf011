"""Row locks on after-sales cases, composed with orders' lock order (orders.lock_objects): the
parent order, then the sub-order, then the case(s). A tracking push, a refund and a merchant's
answer on the same order take their locks in this order, so they queue instead of deadlocking.
"""

from django.utils.translation import gettext as _

from orders.lock_objects import lock_sub_order_by_id
from shop.errors import NotFound

from .models import AfterSalesCase, CaseType


def lock_case(*, case_no: str | None = None, case_id: int | None = None) -> AfterSalesCase:
    """Lock the case's order, sub-order, then the case; NotFound when there is none."""
    lookup = {"case_no": case_no} if case_no is not None else {"pk": case_id}
    ids = AfterSalesCase.objects.filter(**lookup).values_list("pk", "sub_order_id").first()
    if ids is None:
        raise NotFound(_("After-sales case not found."))
    sub_order = lock_sub_order_by_id(ids[1])
    case = AfterSalesCase.objects.select_for_update().select_related("reason").get(pk=ids[0])
    case.sub_order = sub_order
    case.order = sub_order.order
    return case


def lock_cases_on_parcel(*, shipment_id: int, statuses) -> list[AfterSalesCase]:
    """The cases about an outbound parcel in `statuses`, locked by pk. The caller holds the
    parcel's sub-order lock (lock_sub_order_by_id) already."""
    return list(
        AfterSalesCase.objects.select_for_update()
        .select_related("reason")
        .filter(shipment_id=shipment_id, status__in=statuses)
        .order_by("pk")
    )


def lock_cases_on_return_parcel(*, shipment_id: int) -> list[AfterSalesCase]:
    """The cases a return parcel carries goods back for, locked by pk (the caller holds the
    sub-order lock)."""
    return list(
        AfterSalesCase.objects.select_for_update()
        .select_related("reason")
        .filter(return_shipment_id=shipment_id)
        .order_by("pk")
    )


def lock_refunds_awaiting_parcel(*, sub_order_id: int) -> list[AfterSalesCase]:
    """Refund-only cases of the sub-order waiting for its outbound parcel to come back (being
    intercepted, or sent back by the shopper), locked by pk; the caller holds the sub-order."""
    return list(
        AfterSalesCase.objects.select_for_update()
        .filter(
            sub_order_id=sub_order_id,
            type=CaseType.REFUND_ONLY,
            status__in=[AfterSalesCase.Status.AWAITING_RETURN, AfterSalesCase.Status.INTERCEPTING],
            return_shipment__isnull=True,
        )
        .order_by("pk")
    )
