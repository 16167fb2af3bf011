"""Return and refund (退货退款) and exchange (换货) after receipt: the return address, the
shopper's return parcel, the merchant's confirmation (resellable goods back to stock), the
refund, the replacement parcel, and an exchange that turns into a refund."""

from decimal import Decimal

import pytest

from aftersales import selectors, services
from aftersales.models import AfterSalesCase, CaseType
from catalog.actors import actor_for
from logistics.models import Shipment
from orders.models import SubOrder
from payments.models import Refund
from shop.errors import InvalidInput, NotFound, TransitionNotAllowed
from tests.aftersales.factories import (
    ask,
    case_refunds,
    fresh,
    merchant_staff,
    paid_sub_order,
    receive,
    sandbox_tracking_no,
)
from tests.orders.factories import stock_of

pytestmark = pytest.mark.django_db

Status = AfterSalesCase.Status


@pytest.fixture
def received(django_capture_on_commit_callbacks):
    def make(**kwargs):
        return receive(paid_sub_order(capture=django_capture_on_commit_callbacks, **kwargs))

    return make


def _approve(case):
    return services.case_approve(
        case_no=case.case_no, actor=actor_for(merchant_staff(case.sub_order.merchant))
    )


def test_a_return_is_refunded_once_the_merchant_confirms_the_goods_are_back(
    received, django_capture_on_commit_callbacks
):
    # given a received sub-order of 2 units and a no-reason return of both
    sub_order = received(quantities=(2,), shipping_fee="10.00")
    line = sub_order.lines.get()
    on_hand_before = stock_of(line.sku).on_hand
    case = ask(sub_order, type=CaseType.RETURN_REFUND, reason="no-reason-7d")
    assert fresh(case).refund_amount == Decimal("200.00")  # no-reason: no shipping back

    # when the merchant approves, the shopper sees where to send it
    _approve(case)
    case = fresh(case)
    assert case.status == Status.AWAITING_RETURN
    address = selectors.return_address_for(case)
    assert address is not None and "退货路" in address.address

    # and the shopper ships it back with a tracking number
    services.case_return_ship(
        case_no=case.case_no,
        actor=actor_for(sub_order.order.user),
        carrier_code="sandbox",
        tracking_no=sandbox_tracking_no(),
    )
    case = fresh(case)
    assert case.return_shipment.direction == Shipment.Direction.RETURN
    assert case.return_ship_by is None and case.receive_by is not None

    # and the merchant confirms it arrived in a resellable state
    staff = merchant_staff(sub_order.merchant)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_receive_return(case_no=case.case_no, actor=actor_for(staff), resellable=True)

    # then the goods are sellable again and the money is back
    case = fresh(case)
    assert case.status == Status.REFUNDED
    assert stock_of(line.sku).on_hand == on_hand_before + 2
    [refund] = case_refunds(case)
    assert refund.status == Refund.Status.SUCCEEDED and refund.amount == Decimal("200.00")
    sub_order = SubOrder.objects.get(pk=sub_order.pk)
    assert sub_order.status == SubOrder.Status.CLOSED  # every unit refunded


def test_damaged_returns_do_not_go_back_to_stock(received, django_capture_on_commit_callbacks):
    sub_order = received(quantities=(1,))
    line = sub_order.lines.get()
    on_hand_before = stock_of(line.sku).on_hand
    case = ask(sub_order, type=CaseType.RETURN_REFUND, reason="quality")
    _approve(case)

    with django_capture_on_commit_callbacks(execute=True):
        services.case_receive_return(
            case_no=case.case_no,
            actor=actor_for(merchant_staff(sub_order.merchant)),
            resellable=False,
        )

    assert fresh(case).status == Status.REFUNDED
    assert stock_of(line.sku).on_hand == on_hand_before


def test_an_exchange_ships_a_replacement_and_refunds_nothing(
    received, django_capture_on_commit_callbacks
):
    sub_order = received(quantities=(1,))
    line = sub_order.lines.get()
    case = ask(sub_order, type=CaseType.EXCHANGE, reason="wrong-size")
    assert fresh(case).refund_amount == Decimal("0.00")
    staff = merchant_staff(sub_order.merchant)
    _approve(case)
    services.case_receive_return(case_no=case.case_no, actor=actor_for(staff), resellable=True)
    sellable_before = stock_of(line.sku).on_hand - stock_of(line.sku).allocated

    services.case_reship(
        case_no=case.case_no,
        actor=actor_for(staff),
        carrier_code="sandbox",
        tracking_no=sandbox_tracking_no(),
    )

    case = fresh(case)
    assert case.status == Status.RESHIPPED
    assert case.replacement_shipment.direction == Shipment.Direction.REPLACEMENT
    assert stock_of(line.sku).on_hand - stock_of(line.sku).allocated == sellable_before - 1
    assert case_refunds(case) == []
    sub_order = SubOrder.objects.get(pk=sub_order.pk)
    assert sub_order.aftersales_open is False


def test_an_exchange_whose_replacement_is_out_of_stock_becomes_a_refund(
    received, django_capture_on_commit_callbacks
):
    sub_order = received(quantities=(1,), on_hand=1)
    staff = merchant_staff(sub_order.merchant)
    case = ask(sub_order, type=CaseType.EXCHANGE, reason="wrong-size")
    _approve(case)
    services.case_receive_return(case_no=case.case_no, actor=actor_for(staff), resellable=False)

    with django_capture_on_commit_callbacks(execute=True):
        services.case_reship(
            case_no=case.case_no,
            actor=actor_for(staff),
            carrier_code="sandbox",
            tracking_no=sandbox_tracking_no(),
        )

    case = fresh(case)
    assert case.type == CaseType.RETURN_REFUND
    assert case.status == Status.REFUNDED
    assert case.refund_amount == Decimal("100.00")


def test_returns_and_exchanges_wait_until_the_parcel_has_arrived(
    django_capture_on_commit_callbacks,
):
    sub_order = paid_sub_order(capture=django_capture_on_commit_callbacks)

    with pytest.raises(TransitionNotAllowed) as early:
        ask(sub_order, type=CaseType.RETURN_REFUND, reason="quality")

    assert early.value.code == "type_not_allowed"


def test_a_no_reason_return_is_refused_for_goods_marked_not_returnable(received):
    sub_order = received(quantities=(1,))
    product = sub_order.lines.get().sku.product
    product.no_reason_return = False
    product.save(update_fields=["no_reason_return"])

    with pytest.raises(InvalidInput) as refused:
        ask(sub_order, type=CaseType.RETURN_REFUND, reason="no-reason-7d")

    assert refused.value.code == "no_reason_not_allowed"
    # a quality problem is still accepted
    assert ask(sub_order, type=CaseType.RETURN_REFUND, reason="quality").status == Status.REQUESTED


def test_bad_requests_are_refused_with_a_clear_code_and_write_nothing(received):
    sub_order = received(quantities=(2,))
    sku_id = sub_order.lines.get().sku_id
    cases = [
        ({"reason": "no-such-reason"}, InvalidInput, "unknown_reason"),
        ({"reason": "dont-want"}, InvalidInput, "reason_not_allowed"),
        ({"quantities": {sku_id: 3}}, InvalidInput, "invalid_quantity"),
        ({"quantities": {sku_id + 999: 1}}, InvalidInput, "unknown_line"),
        ({"type": "lost"}, InvalidInput, "invalid_type"),
        ({"reason": "quality", "evidence_ids": []}, InvalidInput, "evidence_required"),
        ({"refund_amount": "-1"}, InvalidInput, "invalid_amount"),
        ({"refund_amount": "abc"}, InvalidInput, "invalid_amount"),
    ]
    for fields, error, code in cases:
        kwargs = {"type": CaseType.RETURN_REFUND, "reason": "no-reason-7d", **fields}
        with pytest.raises(error) as raised:
            ask(sub_order, **kwargs)
        assert raised.value.code == code, fields
    assert not AfterSalesCase.objects.exists()


def test_after_the_window_no_request_is_taken(received):
    from datetime import timedelta

    from django.utils import timezone

    sub_order = received(quantities=(1,))
    SubOrder.objects.filter(pk=sub_order.pk).update(
        auto_complete_at=timezone.now() - timedelta(minutes=1)
    )

    with pytest.raises(TransitionNotAllowed) as late:
        ask(sub_order.__class__.objects.get(pk=sub_order.pk), reason="quality")

    assert late.value.code == "window_ended"


def test_only_the_shopper_enters_the_return_parcel_and_only_the_merchant_confirms_it(received):
    from tests.catalog.factories import MerchantFactory

    sub_order = received(quantities=(1,))
    case = ask(sub_order, type=CaseType.RETURN_REFUND, reason="quality")
    _approve(case)
    other_merchants_staff = merchant_staff(MerchantFactory())
    stranger = received(quantities=(1,)).order.user

    with pytest.raises(NotFound):
        services.case_return_ship(
            case_no=case.case_no,
            actor=actor_for(stranger),
            carrier_code="sandbox",
            tracking_no=sandbox_tracking_no(),
        )
    for outsider in (stranger, other_merchants_staff):
        with pytest.raises(NotFound):
            services.case_receive_return(
                case_no=case.case_no, actor=actor_for(outsider), resellable=True
            )
    assert fresh(case).status == Status.AWAITING_RETURN
