"""What the after-sales admin tests share: staff signed in to the admin, the admin's URLs of a
case, the messages a page was left with, and cases brought to each state the buttons act on
through the services (as the shopper and the merchant would)."""

from django.contrib.messages import get_messages
from django.urls import reverse

from aftersales import services
from aftersales.models import AfterSalesCase, CaseType
from catalog.actors import actor_for
from logistics.models import Shipment
from tests.aftersales.factories import (
    ask,
    merchant_staff,
    paid_sub_order,
    photo,
    receive,
    sandbox_tracking_no,
    ship,
)
from tests.aftersales.page_fixtures import png_upload

__all__ = ["png_upload"]

CASES = "admin:aftersales_aftersalescase_changelist"
OPS_QUEUE = "admin:aftersales_appealqueue_changelist"


def signed_in(client, user):
    client.force_login(user)
    return client


def change_url(case: AfterSalesCase, *, queue: bool = False) -> str:
    model = "appealqueue" if queue else "aftersalescase"
    return reverse(f"admin:aftersales_{model}_change", args=[case.pk])


def act_url(case: AfterSalesCase, action: str, *, queue: bool = False) -> str:
    model = "appealqueue" if queue else "aftersalescase"
    return reverse(f"admin:aftersales_{model}_act", args=[case.pk, action])


def page_messages(response) -> list[str]:
    """The messages the admin queued for the next page (error and success alike)."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def staff_of(case: AfterSalesCase):
    return merchant_staff(case.merchant)


# --- cases in each state -------------------------------------------------------------------------


def requested_return(*, merchant=None, capture=None, reason="quality") -> AfterSalesCase:
    """A return request of 2 x ¥100 (+ ¥10 shipping) on a received sub-order, waiting for the
    merchant (reason quality: the shopper's photo comes with it)."""
    sub_order = receive(paid_sub_order(quantities=(2,), merchant=merchant, capture=capture))
    return ask(sub_order, type=CaseType.RETURN_REFUND, reason=reason)


def rejected_after_offer(case: AfterSalesCase) -> AfterSalesCase:
    staff = staff_of(case)
    services.case_offer_make(
        case_no=case.case_no, actor=actor_for(staff), type=CaseType.REFUND_ONLY, refund_amount="20"
    )
    return services.case_reject(
        case_no=case.case_no, actor=actor_for(staff), reason="Looks fine to us"
    )


def appealed(case: AfterSalesCase) -> AfterSalesCase:
    """Rejected after an offer, then appealed with the shopper's photo."""
    rejected_after_offer(case)
    return services.case_appeal(
        case_no=case.case_no,
        actor=actor_for(case.user),
        reason="It is broken, see the photo",
        evidence_ids=[photo(case.user).public_id],
    )


def returned_by_shopper(case: AfterSalesCase) -> AfterSalesCase:
    """Approved, and the shopper sent the goods back with a tracking number."""
    services.case_approve(case_no=case.case_no, actor=actor_for(staff_of(case)))
    return services.case_return_ship(
        case_no=case.case_no,
        actor=actor_for(case.user),
        carrier_code="sandbox",
        tracking_no=sandbox_tracking_no(),
    )


def exchange_back_with_merchant(*, capture=None) -> AfterSalesCase:
    """An exchange whose return the merchant has confirmed: the replacement is next."""
    sub_order = receive(paid_sub_order(quantities=(1,), capture=capture))
    case = ask(sub_order, type=CaseType.EXCHANGE, reason="wrong-size")
    returned_by_shopper(case)
    return services.case_receive_return(
        case_no=case.case_no, actor=actor_for(staff_of(case)), resellable=True
    )


def refund_in_transit(*, capture=None) -> AfterSalesCase:
    """A refund-only request while the parcel is on its way."""
    sub_order = ship(paid_sub_order(quantities=(1,), capture=capture))
    return ask(sub_order, type=CaseType.REFUND_ONLY, reason="not-delivered")


def outbound_parcel(sub_order) -> Shipment:
    return Shipment.objects.select_related("carrier").get(
        sub_order=sub_order, direction=Shipment.Direction.OUTBOUND
    )
