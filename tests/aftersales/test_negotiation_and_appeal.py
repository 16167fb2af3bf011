"""Negotiation (协商) and platform intervention (平台介入): offers, the thread, rejection only
after an offer or with evidence, the appeal and operations' final decision."""

from decimal import Decimal

import pytest

from aftersales import services
from aftersales.models import AfterSalesCase, CaseOffer, CaseType
from catalog.actors import actor_for
from orders.models import SubOrder
from shop.errors import Conflict, InvalidInput, NotFound
from tests.aftersales.factories import (
    ask,
    case_refunds,
    fresh,
    merchant_staff,
    ops_user,
    paid_sub_order,
    photo,
    receive,
)

pytestmark = pytest.mark.django_db

Status = AfterSalesCase.Status


@pytest.fixture
def requested(django_capture_on_commit_callbacks):
    """A return request on a received sub-order of 2 x ¥100 (+ ¥10 shipping)."""
    sub_order = receive(paid_sub_order(quantities=(2,), capture=django_capture_on_commit_callbacks))
    return ask(sub_order, type=CaseType.RETURN_REFUND, reason="quality")


def test_an_accepted_offer_refunds_at_once_as_offered(
    requested, django_capture_on_commit_callbacks
):
    # given the merchant offers a partial refund without a return
    staff = merchant_staff(requested.merchant)
    offer = services.case_offer_make(
        case_no=requested.case_no,
        actor=actor_for(staff),
        type=CaseType.REFUND_ONLY,
        refund_amount="60.00",
        note="Keep it, we refund part",
    )

    # when the shopper accepts
    with django_capture_on_commit_callbacks(execute=True):
        services.case_offer_accept(
            case_no=requested.case_no, offer_id=offer.pk, actor=actor_for(requested.user)
        )

    # then the case became that offer and the money is back
    case = fresh(requested)
    assert case.type == CaseType.REFUND_ONLY
    assert case.status == Status.REFUNDED
    assert case.refund_amount == Decimal("60.00")
    assert sum(r.amount for r in case_refunds(case)) == Decimal("60.00")
    offer.refresh_from_db()
    assert offer.status == CaseOffer.Status.ACCEPTED


def test_an_offer_cannot_exceed_what_the_lines_paid(requested):
    with pytest.raises(InvalidInput) as too_much:
        services.case_offer_make(
            case_no=requested.case_no,
            actor=actor_for(merchant_staff(requested.merchant)),
            type=CaseType.REFUND_ONLY,
            refund_amount="999",
        )
    assert too_much.value.code == "amount_too_high"


def test_a_new_offer_replaces_the_pending_one_and_a_declined_offer_cannot_be_accepted(requested):
    staff = merchant_staff(requested.merchant)
    first = services.case_offer_make(
        case_no=requested.case_no,
        actor=actor_for(staff),
        type=CaseType.REFUND_ONLY,
        refund_amount="50",
    )
    second = services.case_offer_make(
        case_no=requested.case_no,
        actor=actor_for(staff),
        type=CaseType.REFUND_ONLY,
        refund_amount="70",
    )
    first.refresh_from_db()
    assert first.status == CaseOffer.Status.EXPIRED

    services.case_offer_decline(
        case_no=requested.case_no, offer_id=second.pk, actor=actor_for(requested.user)
    )

    with pytest.raises(Conflict):
        services.case_offer_accept(
            case_no=requested.case_no, offer_id=second.pk, actor=actor_for(requested.user)
        )
    assert fresh(requested).status == Status.REQUESTED


def test_the_merchant_must_offer_or_show_evidence_before_rejecting(requested):
    staff = merchant_staff(requested.merchant)

    with pytest.raises(InvalidInput) as bare:
        services.case_reject(case_no=requested.case_no, actor=actor_for(staff), reason="Used item")
    assert bare.value.code == "offer_or_evidence_required"

    evidence = photo(staff)
    case = services.case_reject(
        case_no=requested.case_no,
        actor=actor_for(staff),
        reason="Used item",
        evidence_ids=[evidence.public_id],
    )
    assert case.status == Status.REJECTED
    assert case.appeal_by is not None
    evidence.refresh_from_db()
    assert evidence.case_id == case.pk


def test_appeal_then_ops_approve_a_part_at_the_platforms_cost(
    requested, django_capture_on_commit_callbacks
):
    staff = merchant_staff(requested.merchant)
    services.case_offer_make(
        case_no=requested.case_no,
        actor=actor_for(staff),
        type=CaseType.REFUND_ONLY,
        refund_amount="20",
    )
    services.case_reject(
        case_no=requested.case_no, actor=actor_for(staff), reason="Looks fine to us"
    )
    services.case_appeal(
        case_no=requested.case_no,
        actor=actor_for(requested.user),
        reason="It is broken, see the photo",
        evidence_ids=[photo(requested.user).public_id],
    )
    assert fresh(requested).status == Status.APPEALED

    ops = ops_user()
    services.case_request_evidence(
        case_no=requested.case_no,
        actor=actor_for(ops),
        party="merchant",
        note="Photo of what you shipped",
    )
    assert fresh(requested).evidence_requested_from == "merchant"
    services.case_message_post(
        case_no=requested.case_no,
        actor=actor_for(staff),
        text="Here it is",
        evidence_ids=[photo(staff).public_id],
    )
    assert fresh(requested).evidence_requested_from == ""

    with django_capture_on_commit_callbacks(execute=True):
        services.case_decide(
            case_no=requested.case_no,
            actor=actor_for(ops),
            approve=True,
            refund_amount="150.00",
            platform_funded=True,
            note="Defect visible; platform compensates",
        )

    case = fresh(requested)
    # a return was asked: the shopper sends it back first
    assert case.status == Status.AWAITING_RETURN
    assert case.refund_amount == Decimal("150.00")
    assert case.platform_funded is True


def test_ops_reject_closes_the_case_for_good(requested):
    staff = merchant_staff(requested.merchant)
    services.case_reject(
        case_no=requested.case_no,
        actor=actor_for(staff),
        reason="No",
        evidence_ids=[photo(staff).public_id],
    )
    services.case_appeal(
        case_no=requested.case_no, actor=actor_for(requested.user), reason="Please"
    )

    services.case_decide(
        case_no=requested.case_no, actor=actor_for(ops_user()), approve=False, note="Not a defect"
    )

    case = fresh(requested)
    assert case.status == Status.CLOSED
    sub_order = SubOrder.objects.get(pk=case.sub_order_id)
    assert sub_order.aftersales_open is False


def test_only_the_parties_reach_a_case(requested):
    from tests.catalog.factories import MerchantFactory

    other_staff = merchant_staff(MerchantFactory())

    with pytest.raises(NotFound):
        services.case_approve(case_no=requested.case_no, actor=actor_for(other_staff))
    with pytest.raises(NotFound):
        services.case_message_post(
            case_no=requested.case_no, actor=actor_for(other_staff), text="hi"
        )
    # a shopper cannot answer for the merchant
    with pytest.raises(NotFound):
        services.case_approve(case_no=requested.case_no, actor=actor_for(requested.user))
    # nor a merchant appeal or accept for the shopper
    with pytest.raises(NotFound):
        services.case_appeal(
            case_no=requested.case_no,
            actor=actor_for(merchant_staff(requested.merchant)),
            reason="x",
        )
    assert fresh(requested).status == Status.REQUESTED


def test_messages_form_one_thread_of_all_three_sides(requested):
    staff = merchant_staff(requested.merchant)
    ops = ops_user()
    services.case_message_post(
        case_no=requested.case_no, actor=actor_for(requested.user), text="它坏了"
    )
    services.case_message_post(
        case_no=requested.case_no, actor=actor_for(staff), text="Sorry to hear"
    )
    services.case_message_post(
        case_no=requested.case_no, actor=actor_for(ops), text="Platform here"
    )

    thread = list(fresh(requested).messages.values_list("role", "text"))
    assert thread == [
        ("shopper", "它坏了"),
        ("merchant", "Sorry to hear"),
        ("ops", "Platform here"),
    ]
    with pytest.raises(InvalidInput):
        services.case_message_post(
            case_no=requested.case_no, actor=actor_for(requested.user), text="  "
        )
