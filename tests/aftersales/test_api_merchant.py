"""The merchant's after-sales API (its staff by token, as an ERP calls it; operations see every
merchant): the queue with its filters (bounded queries), the case page, approve, reject, offer,
the return's arrival, the exchange's replacement, the thread, and shortages at picking. A
shopper is refused (403) as by every merchant endpoint; another merchant's staff get 404."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales import services
from aftersales.models import AfterSalesCase, CaseOffer, CaseType
from catalog.actors import actor_for
from tests.aftersales.api_helpers import (
    approve,
    ask,
    client_for,
    merchant_staff,
    paid_sub_order,
    photo,
    receive,
    sandbox_tracking_no,
    ship_back,
    staff_of,
)
from tests.aftersales.factories import ops_user
from tests.catalog.factories import MerchantFactory

pytestmark = pytest.mark.django_db

Status = AfterSalesCase.Status


@pytest.fixture
def received(django_capture_on_commit_callbacks):
    def make(**kwargs):
        return receive(paid_sub_order(capture=django_capture_on_commit_callbacks, **kwargs))

    return make


@pytest.fixture
def paid(django_capture_on_commit_callbacks):
    def make(**kwargs):
        return paid_sub_order(capture=django_capture_on_commit_callbacks, **kwargs)

    return make


def _return(sub_order, **kwargs):
    return ask(sub_order, type=CaseType.RETURN_REFUND, reason="no-reason-7d", **kwargs)


def _url(case, action=""):
    return f"/api/merchant/aftersales/{case.case_no}/{action}"


# --- the queue -------------------------------------------------------------------------------


def test_the_queue_has_only_the_merchants_cases_due_soonest_first(received):
    # given two waiting requests and an approved one of mine, and one of another merchant's
    mine = MerchantFactory()
    older = _return(received(merchant=mine))
    newer = ask(received(merchant=mine), type=CaseType.EXCHANGE, reason="no-reason-7d")
    answered = _return(received(merchant=mine))
    approve(answered)
    _return(received())
    client = client_for(merchant_staff(mine))

    # when
    response = client.get("/api/merchant/aftersales/")

    # then the one due first (the oldest request) leads; answered cases come last
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [c["case_no"] for c in body["results"]] == [
        older.case_no,
        newer.case_no,
        answered.case_no,
    ]


def test_the_queue_filters_by_status_type_and_reason(received):
    mine = MerchantFactory()
    waiting = _return(received(merchant=mine))
    exchange = ask(received(merchant=mine), type=CaseType.EXCHANGE, reason="wrong-size")
    answered = _return(received(merchant=mine))
    approve(answered)
    client = client_for(merchant_staff(mine))

    def case_nos(query):
        response = client.get(f"/api/merchant/aftersales/?{query}")
        assert response.status_code == 200
        return {c["case_no"] for c in response.json()["results"]}

    assert case_nos("status=requested") == {waiting.case_no, exchange.case_no}
    assert case_nos("type=exchange") == {exchange.case_no}
    assert case_nos("reason=no-reason-7d") == {waiting.case_no, answered.case_no}
    assert case_nos("status=awaiting_return&type=return_refund") == {answered.case_no}


def test_an_unknown_status_filter_is_a_400(received):
    response = client_for(merchant_staff(MerchantFactory())).get(
        "/api/merchant/aftersales/?status=lost"
    )

    assert response.status_code == 400


def test_the_queue_costs_the_same_queries_for_one_case_or_many(received):
    # given one case
    mine = MerchantFactory()
    _return(received(merchant=mine))
    client = client_for(merchant_staff(mine))
    client.get("/api/merchant/aftersales/")
    with CaptureQueriesContext(connection) as one:
        client.get("/api/merchant/aftersales/")

    # when three more, one with two lines
    _return(received(merchant=mine))
    _return(received(merchant=mine, quantities=(1, 2)))
    ask(received(merchant=mine), type=CaseType.EXCHANGE, reason="no-reason-7d")
    with CaptureQueriesContext(connection) as four:
        response = client.get("/api/merchant/aftersales/")

    # then
    assert response.json()["count"] == 4
    assert len(four) == len(one) <= 8


def test_operations_see_every_merchants_cases(received):
    first, second = _return(received()), _return(received())

    response = client_for(ops_user()).get("/api/merchant/aftersales/")

    assert {c["case_no"] for c in response.json()["results"]} == {first.case_no, second.case_no}


def test_a_shopper_is_refused_the_merchant_endpoints(received):
    case = _return(received())
    client = client_for(case.user)

    assert client.get("/api/merchant/aftersales/").status_code == 403
    assert client.get(_url(case)).status_code == 403
    assert client.post(_url(case, "approve/"), {}, format="json").status_code == 403
    assert AfterSalesCase.objects.get(pk=case.pk).status == Status.REQUESTED


# --- the case page ---------------------------------------------------------------------------


def test_the_merchant_reads_its_case_in_bounded_queries(received, django_assert_max_num_queries):
    # given a case with a thread and an offer
    case = _return(received())
    staff = staff_of(case)
    services.case_message_post(case_no=case.case_no, actor=actor_for(case.user), text="Too small")
    services.case_offer_make(
        case_no=case.case_no,
        actor=actor_for(staff),
        type=CaseType.REFUND_ONLY,
        refund_amount="20.00",
    )
    client = client_for(staff)

    # when
    with django_assert_max_num_queries(16):
        response = client.get(_url(case))

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["case_no"] == case.case_no
    assert body["next_action"] == "Approve, reject or make an offer."
    assert [m["text"] for m in body["messages"]] == ["Too small"]
    assert body["offers"][0]["status"] == "pending"


def test_another_merchants_staff_get_404(received):
    case = _return(received())
    client = client_for(merchant_staff(MerchantFactory()))

    assert client.get(_url(case)).status_code == 404
    assert client.post(_url(case, "approve/"), {}, format="json").status_code == 404
    assert client.post(_url(case, "messages/"), {"text": "hi"}, format="json").status_code == 404
    assert AfterSalesCase.objects.get(pk=case.pk).status == Status.REQUESTED


# --- the answers -----------------------------------------------------------------------------


def test_approving_a_return_asks_the_shopper_to_send_it_back(received):
    case = _return(received())

    response = client_for(staff_of(case)).post(_url(case, "approve/"), {}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "awaiting_return"
    assert body["next_action"] == "Waiting for the shopper's return parcel."
    assert body["return_address"] is not None
    assert body["events"][-1]["action"] in ("approve", "await_return")


def test_approving_a_withdrawn_request_is_a_409(received):
    case = _return(received())
    services.case_cancel(case_no=case.case_no, actor=actor_for(case.user))

    response = client_for(staff_of(case)).post(_url(case, "approve/"), {}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"
    assert AfterSalesCase.objects.get(pk=case.pk).status == Status.CANCELLED


def test_rejecting_needs_an_offer_or_evidence(received):
    case = _return(received())
    client = client_for(staff_of(case))

    response = client.post(_url(case, "reject/"), {"reason": "Used"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "offer_or_evidence_required"
    assert AfterSalesCase.objects.get(pk=case.pk).status == Status.REQUESTED


def test_the_merchant_rejects_with_a_photo(received):
    case = _return(received())
    staff = staff_of(case)
    evidence = photo(staff)

    response = client_for(staff).post(
        _url(case, "reject/"),
        {"reason": "The tag is cut off", "evidence_ids": [evidence.public_id]},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "rejected"
    assert body["deadline_at"] is not None  # the shopper's time to appeal
    assert evidence.public_id in [e["id"] for e in body["evidence"]]


def test_rejecting_twice_is_a_409(received):
    case = _return(received())
    staff = staff_of(case)
    client = client_for(staff)
    body = {"reason": "Used", "evidence_ids": [photo(staff).public_id]}
    client.post(_url(case, "reject/"), body, format="json")

    again = client.post(
        _url(case, "reject/"),
        {"reason": "Used", "evidence_ids": [photo(staff).public_id]},
        format="json",
    )

    assert again.status_code == 409


def test_the_merchant_offers_a_partial_refund(received):
    case = _return(received(quantities=(2,)))

    response = client_for(staff_of(case)).post(
        _url(case, "offer/"),
        {"type": "refund_only", "refund_amount": "60.00", "note": "Keep the item"},
        format="json",
    )

    assert response.status_code == 201
    (offer,) = response.json()["offers"]
    assert (offer["type"], offer["refund_amount"], offer["note"], offer["status"]) == (
        "refund_only",
        "60.00",
        "Keep the item",
        "pending",
    )
    assert CaseOffer.objects.get(pk=offer["id"]).case_id == case.pk


def test_an_offer_above_the_maximum_is_a_400(received):
    case = _return(received(quantities=(2,)))

    response = client_for(staff_of(case)).post(
        _url(case, "offer/"), {"type": "refund_only", "refund_amount": "999.00"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "amount_too_high"
    assert not CaseOffer.objects.exists()


def test_the_merchant_confirms_the_return_and_the_refund_starts(
    received, django_capture_on_commit_callbacks
):
    # given an approved return on its way back
    case = _return(received())
    approve(case)
    ship_back(case)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(staff_of(case)).post(
            _url(case, "receive-return/"), {"resellable": True}, format="json"
        )

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["status"] in ("refunding", "refunded")
    assert body["refunds"] and body["refunds"][0]["amount"] == body["refund_amount"]
    assert AfterSalesCase.objects.get(pk=case.pk).return_resellable is True


def test_confirming_a_return_not_asked_for_yet_is_a_409(received):
    case = _return(received())

    response = client_for(staff_of(case)).post(
        _url(case, "receive-return/"), {"resellable": True}, format="json"
    )

    assert response.status_code == 409


def test_a_receive_return_without_resellable_is_a_400(received):
    case = _return(received())

    response = client_for(staff_of(case)).post(_url(case, "receive-return/"), {}, format="json")

    assert response.status_code == 400


def test_the_merchant_ships_the_exchanges_replacement(received):
    # given an exchange whose return arrived
    case = ask(received(), type=CaseType.EXCHANGE, reason="no-reason-7d")
    approve(case)
    ship_back(case)
    staff = staff_of(case)
    services.case_receive_return(case_no=case.case_no, actor=actor_for(staff), resellable=True)
    tracking_no = sandbox_tracking_no()

    # when
    response = client_for(staff).post(
        _url(case, "reship/"),
        {"carrier_code": "sandbox", "tracking_no": tracking_no},
        format="json",
    )

    # then
    assert response.status_code == 200
    assert response.json()["status"] == "reshipped"
    assert AfterSalesCase.objects.get(pk=case.pk).replacement_shipment.tracking_no == tracking_no


def test_reshipping_a_return_refund_is_a_409(received):
    case = _return(received())

    response = client_for(staff_of(case)).post(
        _url(case, "reship/"),
        {"carrier_code": "sandbox", "tracking_no": sandbox_tracking_no()},
        format="json",
    )

    assert response.status_code == 409


def test_the_merchant_writes_in_the_thread(received):
    case = _return(received())

    response = client_for(staff_of(case)).post(
        _url(case, "messages/"), {"text": "Please send a photo of the label"}, format="json"
    )

    assert response.status_code == 201
    (message,) = response.json()["messages"]
    assert message["role"] == "merchant"


# --- shortages at picking --------------------------------------------------------------------


def test_units_out_of_stock_at_picking_open_a_refund_at_once(
    paid, django_capture_on_commit_callbacks
):
    # given a paid sub-order of 2 units awaiting shipment
    sub_order = paid(quantities=(2,))
    line = sub_order.lines.get()
    client = client_for(merchant_staff(sub_order.merchant))

    # when one unit is missing
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/merchant/shipments/out-of-stock/",
            {"line_id": line.pk, "quantity": 1, "reason": "Last one was damaged"},
            format="json",
        )

    # then
    assert response.status_code == 201
    body = response.json()
    assert body["type"] == "out_of_stock"
    assert body["status"] in ("refunding", "refunded")
    assert body["lines"] == [
        {
            "sku_id": line.sku_id,
            "product_title": line.product_title,
            "quantity": 1,
            "refund_amount": body["refund_amount"],
        }
    ]
    case = AfterSalesCase.objects.get(case_no=body["case_no"])
    assert case.user == sub_order.order.user


def test_out_of_stock_of_another_merchants_line_is_404_and_a_shopper_403(paid):
    sub_order = paid(quantities=(2,))
    line = sub_order.lines.get()
    body = {"line_id": line.pk, "quantity": 1, "reason": "Missing"}

    other = client_for(merchant_staff(MerchantFactory())).post(
        "/api/merchant/shipments/out-of-stock/", body, format="json"
    )
    shopper = client_for(sub_order.order.user).post(
        "/api/merchant/shipments/out-of-stock/", body, format="json"
    )

    assert other.status_code == 404
    assert shopper.status_code == 403
    assert not AfterSalesCase.objects.exists()


def test_more_units_out_of_stock_than_left_to_ship_is_a_400(paid):
    sub_order = paid(quantities=(2,))
    line = sub_order.lines.get()

    response = client_for(merchant_staff(sub_order.merchant)).post(
        "/api/merchant/shipments/out-of-stock/",
        {"line_id": line.pk, "quantity": 3, "reason": "Missing"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_quantity"
    assert not AfterSalesCase.objects.exists()


def test_an_offer_of_a_type_not_possible_at_the_stage_is_a_400(paid):
    # given a refund asked for while the parcel is on its way
    from tests.aftersales.factories import ship

    sub_order = ship(paid(quantities=(1,)))
    case = ask(sub_order, type=CaseType.REFUND_ONLY, reason="not-delivered")

    # when the merchant offers an exchange, which needs the goods received
    response = client_for(staff_of(case)).post(
        _url(case, "offer/"), {"type": "exchange", "refund_amount": "0"}, format="json"
    )

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_type"
