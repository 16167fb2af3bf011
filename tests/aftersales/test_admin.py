"""After-sales in the admin, by URL as staff use it: the merchant's queue (own cases only, due
soonest first, constant queries) and its buttons calling the services, operations' queue with
their decision, the shortage and lost-parcel pages, cases opened for a shopper on the phone, the
reasons ops maintain and the merchants' return addresses. A domain error is a message, never a
500; another merchant's case is not found."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from aftersales.models import (
    AfterSalesCase,
    CaseEvidence,
    CaseMessage,
    CaseOffer,
    CaseReason,
    CaseType,
    ReturnAddress,
)
from catalog.actors import actor_for
from logistics.models import Shipment, ShortageRecord
from orders.models import SubOrder
from payments.models import Refund
from tests.aftersales.admin_fixtures import (
    CASES,
    OPS_QUEUE,
    act_url,
    appealed,
    change_url,
    exchange_back_with_merchant,
    outbound_parcel,
    page_messages,
    png_upload,
    refund_in_transit,
    requested_return,
    returned_by_shopper,
    signed_in,
    staff_of,
)
from tests.aftersales.factories import (
    ask,
    case_refunds,
    fresh,
    merchant_staff,
    ops_user,
    paid_sub_order,
    sandbox_tracking_no,
    ship,
)
from tests.catalog.factories import MerchantFactory, WarehouseFactory
from tests.orders.factories import stock_of

pytestmark = pytest.mark.django_db

Status = AfterSalesCase.Status


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


# --- the merchant's queue -----------------------------------------------------------------------


def test_a_merchant_sees_only_its_own_cases_due_soonest_first(client, capture):
    # given two of my requests and one of another merchant's
    mine = MerchantFactory()
    older = requested_return(merchant=mine, capture=capture)
    newer = requested_return(merchant=mine, capture=capture)
    foreign = requested_return(capture=capture)
    signed_in(client, merchant_staff(mine))

    # when
    response = client.get(reverse(CASES))

    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert older.case_no in html and newer.case_no in html
    assert foreign.case_no not in html
    assert html.index(older.case_no) < html.index(newer.case_no)  # due first


def test_another_merchants_case_and_its_buttons_are_not_found(client, capture):
    # given
    foreign = requested_return(capture=capture)
    signed_in(client, merchant_staff(MerchantFactory()))

    # when
    page = client.get(change_url(foreign))
    approve = client.post(act_url(foreign, "approve"), {})

    # then the admin says it does not exist (a redirect to the index) and nothing changed
    assert page.status_code in (302, 404)
    assert foreign.case_no not in page.content.decode()
    assert approve.status_code == 404
    assert fresh(foreign).status == Status.REQUESTED


def test_ops_see_every_merchants_cases_and_the_operations_queue(client, capture):
    a, b = requested_return(capture=capture), requested_return(capture=capture)
    appealed(b)
    signed_in(client, ops_user())

    cases = client.get(reverse(CASES)).content.decode()
    queue = client.get(reverse(OPS_QUEUE))

    assert a.case_no in cases and b.case_no in cases
    assert queue.status_code == 200
    assert b.case_no in queue.content.decode() and a.case_no not in queue.content.decode()


def test_the_operations_queue_is_for_operations_only(client, capture):
    case = appealed(requested_return(capture=capture))
    signed_in(client, staff_of(case))

    assert client.get(reverse(OPS_QUEUE)).status_code == 403
    assert client.get(change_url(case, queue=True)).status_code == 403
    decide = {"decision": "approve", "note": "mine"}
    assert client.post(act_url(case, "decide", queue=True), decide).status_code == 404
    assert client.post(act_url(case, "decide"), decide).status_code == 404
    assert fresh(case).status == Status.APPEALED


def test_the_overdue_filter_and_highlight(client, capture):
    # given a request the merchant did not answer in time (the sweep has not run yet)
    case = requested_return(capture=capture)
    answered = requested_return(merchant=case.merchant, capture=capture)
    returned_by_shopper(answered)
    signed_in(client, staff_of(case))

    with time_machine.travel(case.respond_by + timedelta(minutes=5), tick=False):
        response = client.get(reverse(CASES) + "?overdue=yes")

    html = response.content.decode()
    assert case.case_no in html and answered.case_no not in html
    assert 'data-testid="overdue"' in html


def test_the_queue_filters_by_type_status_and_reason_and_searches_numbers(client, capture):
    mine = MerchantFactory()
    waiting = requested_return(merchant=mine, capture=capture)
    other = requested_return(merchant=mine, capture=capture, reason="no-reason-7d")
    returned_by_shopper(other)
    signed_in(client, merchant_staff(mine))

    by_status = client.get(reverse(CASES) + "?status=requested").content.decode()
    reason = CaseReason.objects.get(code="no-reason-7d")
    by_reason = client.get(reverse(CASES) + f"?reason__id__exact={reason.pk}").content.decode()
    by_order = client.get(reverse(CASES) + f"?q={other.order.order_no}").content.decode()

    assert waiting.case_no in by_status and other.case_no not in by_status
    assert other.case_no in by_reason and waiting.case_no not in by_reason
    assert other.case_no in by_order and waiting.case_no not in by_order


def test_the_queue_costs_a_bounded_number_of_queries_for_ten_cases(
    client, capture, django_assert_max_num_queries
):
    # given ten cases of one merchant, at different stages
    mine = MerchantFactory()
    cases = [requested_return(merchant=mine, capture=capture) for _ in range(10)]
    returned_by_shopper(cases[0])
    appealed(cases[1])
    signed_in(client, merchant_staff(mine))

    # when
    with django_assert_max_num_queries(15):
        response = client.get(reverse(CASES))

    # then
    html = response.content.decode()
    assert all(case.case_no in html for case in cases)


# --- the case page and its buttons ---------------------------------------------------------------


def test_a_request_shows_the_merchants_answers_only(client, capture):
    case = requested_return(capture=capture)
    signed_in(client, staff_of(case))

    response = client.get(change_url(case))

    html = response.content.decode()
    assert response.status_code == 200
    for shown in ("approve", "offer", "reject", "message"):
        assert f'data-testid="action-{shown}"' in html
    for hidden in ("receive_return", "reship", "decide", "request_evidence"):
        assert f'data-testid="action-{hidden}"' not in html
    assert 'data-testid="evidence"' in html  # the shopper's photo
    assert 'name="intercept"' not in html  # nothing to intercept once received


def test_approve_asks_the_shopper_to_send_the_goods_back(client, capture):
    case = requested_return(capture=capture)
    signed_in(client, staff_of(case))

    response = client.post(act_url(case, "approve"), {"note": "OK"})

    assert response.status_code == 302 and response.url == change_url(case)
    assert fresh(case).status == Status.AWAITING_RETURN
    assert any("approved" in text for text in page_messages(response))


def test_approve_a_refund_in_transit_intercepts_the_parcel(client, capture):
    case = refund_in_transit(capture=capture)
    signed_in(client, staff_of(case))
    assert 'name="intercept"' in client.get(change_url(case)).content.decode()

    client.post(act_url(case, "approve"), {"intercept": "on"})

    case = fresh(case)
    assert case.status == Status.INTERCEPTING
    assert case.shipment_id == outbound_parcel(case.sub_order).pk


def test_reject_needs_an_offer_or_evidence_and_says_so(client, capture):
    # given
    case = requested_return(capture=capture)
    staff = staff_of(case)
    signed_in(client, staff)

    # when rejected with only a reason
    refused = client.post(act_url(case, "reject"), {"reason": "Used"})

    # then the service's error is the page's message, and the case still waits
    assert refused.status_code == 302
    assert any("offer first, or add evidence" in text for text in page_messages(refused))
    assert fresh(case).status == Status.REQUESTED

    # when rejected with a photo
    client.post(act_url(case, "reject"), {"reason": "Used", "photos": [png_upload()]})

    # then
    case = fresh(case)
    assert case.status == Status.REJECTED and case.reject_reason == "Used"
    assert CaseEvidence.objects.filter(case=case, uploaded_by=staff).count() == 1


def test_a_bad_photo_is_an_error_and_leaves_nothing(client, capture):
    from tests.aftersales.page_fixtures import fake_png_upload

    case = requested_return(capture=capture)
    staff = staff_of(case)
    signed_in(client, staff)

    response = client.post(act_url(case, "reject"), {"reason": "x", "photos": [fake_png_upload()]})

    assert response.status_code == 302 and page_messages(response)
    assert fresh(case).status == Status.REQUESTED
    assert not CaseEvidence.objects.filter(uploaded_by=staff).exists()


def test_make_an_offer(client, capture):
    case = requested_return(capture=capture)
    signed_in(client, staff_of(case))

    response = client.post(
        act_url(case, "offer"),
        {"type": CaseType.REFUND_ONLY, "refund_amount": "50.00", "note": "Keep it"},
    )

    offer = CaseOffer.objects.get(case=case)
    assert (offer.type, offer.refund_amount, offer.status) == (
        CaseType.REFUND_ONLY,
        Decimal("50.00"),
        CaseOffer.Status.PENDING,
    )
    assert any("Offer sent" in text for text in page_messages(response))


def test_an_offer_above_what_was_paid_is_an_error_message(client, capture):
    case = requested_return(capture=capture)
    signed_in(client, staff_of(case))

    response = client.post(
        act_url(case, "offer"), {"type": CaseType.REFUND_ONLY, "refund_amount": "9999"}
    )

    assert response.status_code == 302
    assert any("can be refunded" in text for text in page_messages(response))
    assert not CaseOffer.objects.filter(case=case).exists()


def test_a_button_pressed_on_a_stale_page_is_an_error_message_not_a_500(client, capture):
    case = requested_return(capture=capture)
    returned_by_shopper(case)
    signed_in(client, staff_of(case))

    response = client.post(act_url(case, "approve"), {})

    assert response.status_code == 302
    assert page_messages(response)
    assert fresh(case).status == Status.AWAITING_RETURN


def test_confirm_a_resellable_return_puts_stock_back_and_refunds(client, capture):
    # given the shopper sent the goods back
    case = requested_return(capture=capture)
    returned_by_shopper(case)
    line = case.sub_order.lines.get()
    on_hand = stock_of(line.sku).on_hand
    signed_in(client, staff_of(case))
    assert 'data-testid="action-receive_return"' in client.get(change_url(case)).content.decode()

    # when
    with capture(execute=True):
        client.post(act_url(case, "receive_return"), {"resellable": "yes"})

    # then
    case = fresh(case)
    assert case.status == Status.REFUNDED and case.return_resellable is True
    assert stock_of(line.sku).on_hand == on_hand + 2
    assert sum(r.amount for r in case_refunds(case)) == case.refund_amount


def test_confirm_a_damaged_return_leaves_stock_alone(client, capture):
    case = requested_return(capture=capture)
    returned_by_shopper(case)
    line = case.sub_order.lines.get()
    on_hand = stock_of(line.sku).on_hand
    signed_in(client, staff_of(case))

    client.post(act_url(case, "receive_return"), {"resellable": "no"})

    case = fresh(case)
    assert case.return_resellable is False
    assert case.status in (Status.REFUNDING, Status.REFUNDED)
    assert stock_of(line.sku).on_hand == on_hand


def test_reship_an_exchange(client, capture):
    case = exchange_back_with_merchant(capture=capture)
    signed_in(client, staff_of(case))
    assert 'data-testid="action-reship"' in client.get(change_url(case)).content.decode()

    response = client.post(
        act_url(case, "reship"), {"carrier": "sandbox", "tracking_no": sandbox_tracking_no()}
    )

    case = fresh(case)
    assert case.status == Status.RESHIPPED
    assert case.replacement_shipment.direction == Shipment.Direction.REPLACEMENT
    assert any("shipped" in text for text in page_messages(response))


def test_post_a_message_with_a_photo_shows_in_the_thread(client, capture):
    case = requested_return(capture=capture)
    staff = staff_of(case)
    signed_in(client, staff)

    client.post(act_url(case, "message"), {"text": "Please send a photo of the label"})
    client.post(act_url(case, "message"), {"text": "", "photos": [png_upload()]})
    page = client.get(change_url(case)).content.decode()

    messages = list(CaseMessage.objects.filter(case=case).order_by("pk"))
    assert [m.role for m in messages] == ["merchant", "merchant"]
    evidence = messages[1].evidence.get()
    assert reverse("aftersales:evidence", args=[evidence.public_id]) in page
    assert "Please send a photo of the label" in page


# --- operations -----------------------------------------------------------------------------------


def test_ops_decide_an_appeal_for_part_of_the_amount_at_the_platforms_cost(client, capture):
    # given
    case = appealed(requested_return(capture=capture))
    signed_in(client, ops_user())
    page = client.get(change_url(case, queue=True)).content.decode()
    assert 'data-testid="action-decide"' in page
    assert 'data-testid="action-approve"' not in page  # the merchant's answers stay theirs

    # when
    response = client.post(
        act_url(case, "decide", queue=True),
        {
            "decision": "approve",
            "refund_amount": "150.00",
            "platform_funded": "on",
            "note": "Defect visible; platform compensates",
        },
    )

    # then a return was asked: the shopper sends it back first
    assert response.url == change_url(case, queue=True)
    case = fresh(case)
    assert case.status == Status.AWAITING_RETURN
    assert case.refund_amount == Decimal("150.00") and case.platform_funded is True
    assert any("approved at the platform's cost" in text for text in page_messages(response))


def test_ops_reject_an_appeal_and_the_case_closes(client, capture):
    case = appealed(requested_return(capture=capture))
    signed_in(client, ops_user())

    client.post(
        act_url(case, "decide", queue=True), {"decision": "reject", "note": "Photos show wear"}
    )

    case = fresh(case)
    assert case.status == Status.CLOSED
    assert "Photos show wear" in case.decision_note


def test_a_decision_without_a_note_is_refused(client, capture):
    case = appealed(requested_return(capture=capture))
    signed_in(client, ops_user())

    response = client.post(act_url(case, "decide", queue=True), {"decision": "approve"})

    assert page_messages(response)
    assert fresh(case).status == Status.APPEALED


def test_ops_ask_the_shopper_for_evidence(client, capture):
    case = appealed(requested_return(capture=capture))
    signed_in(client, ops_user())

    response = client.post(
        act_url(case, "request_evidence", queue=True),
        {"party": "shopper", "note": "A photo of the serial number"},
    )

    case = fresh(case)
    assert case.evidence_requested_from == "shopper"
    assert case.evidence_request_note == "A photo of the serial number"
    assert case.evidence_due_by is not None
    assert any("Evidence asked of the shopper" in text for text in page_messages(response))


def test_the_appeal_page_shows_both_sides_evidence_and_the_thread(client, capture):
    case = requested_return(capture=capture)
    staff = staff_of(case)
    signed_in(client, staff)
    client.post(act_url(case, "reject"), {"reason": "Used", "photos": [png_upload()]})
    from aftersales import services

    services.case_appeal(case_no=case.case_no, actor=actor_for(case.user), reason="It was broken")
    services.case_message_post(
        case_no=case.case_no, actor=actor_for(case.user), text="See my photos"
    )
    signed_in(client, ops_user())

    html = client.get(change_url(case, queue=True)).content.decode()

    shopper = html[html.index('data-testid="shopper-evidence"') :]
    merchant = html[html.index('data-testid="merchant-evidence"') :]
    shopper_photo = CaseEvidence.objects.get(case=case, uploaded_by=case.user)
    merchant_photo = CaseEvidence.objects.get(case=case, uploaded_by=staff)
    assert shopper_photo.public_id in shopper.split('data-testid="merchant-evidence"')[0]
    assert merchant_photo.public_id in merchant
    assert "See my photos" in html and "It was broken" in html


def test_the_operations_queue_tabs(client, capture):
    # given an appeal, a request past its deadline and a case whose refund failed
    appeal = appealed(requested_return(capture=capture))
    late = requested_return(capture=capture)
    failed = ask(paid_sub_order(capture=capture), type=CaseType.REFUND_ONLY, reason="dont-want")
    assert fresh(failed).status == Status.REFUNDING  # approved at once before shipping
    Refund.objects.filter(idempotency_key__startswith=f"{failed.case_no}-").update(
        status=Refund.Status.FAILED
    )
    quiet = requested_return(capture=capture)
    signed_in(client, ops_user())

    def listed(query):
        with time_machine.travel(late.respond_by + timedelta(minutes=1), tick=False):
            # the other requests were made at the same moment: answer them in time
            AfterSalesCase.objects.filter(pk=quiet.pk).update(
                respond_by=timezone.now() + timedelta(hours=1)
            )
            html = client.get(reverse(OPS_QUEUE) + query).content.decode()
        return {c.case_no for c in (appeal, late, failed, quiet) if c.case_no in html}

    assert listed("?queue=appeals") == {appeal.case_no}
    assert listed("?queue=overdue") == {late.case_no}
    assert listed("?queue=refund_failed") == {failed.case_no}
    assert listed("") == {appeal.case_no, late.case_no, failed.case_no}


# --- shortages at picking and lost parcels ----------------------------------------------------


def test_out_of_stock_at_picking_opens_a_case_that_refunds(client, capture):
    # given
    sub_order = paid_sub_order(quantities=(3,), capture=capture)
    line = sub_order.lines.get()
    signed_in(client, merchant_staff(sub_order.merchant))
    url = reverse("admin:aftersales_out_of_stock", args=[sub_order.pk])
    assert client.get(url).status_code == 200

    # when
    with capture(execute=True):
        response = client.post(
            url, {"line": line.pk, "quantity": 1, "reason": "Damaged in the warehouse"}
        )

    # then
    case = AfterSalesCase.objects.get(sub_order=sub_order)
    assert (case.type, fresh(case).status) == (CaseType.OUT_OF_STOCK, Status.REFUNDED)
    assert page_messages(response) == [
        f"1 unit(s) out of stock: case {case.case_no} refunds ¥{case.refund_amount:,.2f} "
        "to the shopper."
    ]
    assert ShortageRecord.objects.get(order_line=line).quantity == 1
    assert SubOrder.objects.get(pk=sub_order.pk).status == SubOrder.Status.AWAITING_SHIPMENT


def test_out_of_stock_for_more_than_is_left_is_an_error_message(client, capture):
    sub_order = paid_sub_order(quantities=(1,), capture=capture)
    line = sub_order.lines.get()
    signed_in(client, ops_user())
    url = reverse("admin:aftersales_out_of_stock", args=[sub_order.pk])

    response = client.post(url, {"line": line.pk, "quantity": 5, "reason": "None left"})

    assert response.status_code == 200 and page_messages(response)
    assert not AfterSalesCase.objects.filter(sub_order=sub_order).exists()


def test_another_merchants_sub_order_has_no_out_of_stock_page(client, capture):
    sub_order = paid_sub_order(capture=capture)
    signed_in(client, merchant_staff(MerchantFactory()))
    url = reverse("admin:aftersales_out_of_stock", args=[sub_order.pk])
    line = sub_order.lines.get()

    assert client.get(url).status_code == 404
    assert client.post(url, {"line": line.pk, "quantity": 1, "reason": "x"}).status_code == 404
    assert not AfterSalesCase.objects.filter(sub_order=sub_order).exists()


def test_ops_refund_a_lost_parcel(client, capture):
    # given a parcel the carrier lost (ops found out on the phone)
    sub_order = ship(paid_sub_order(quantities=(1,), capture=capture))
    parcel = outbound_parcel(sub_order)
    Shipment.objects.filter(pk=parcel.pk).update(status=Shipment.Status.LOST)
    signed_in(client, ops_user())
    url = reverse("admin:aftersales_lost_parcel", args=[parcel.pk])
    assert 'data-testid="lost-parcel-form"' in client.get(url).content.decode()

    # when
    with capture(execute=True):
        response = client.post(url)

    # then
    case = AfterSalesCase.objects.get(sub_order=sub_order, type=CaseType.LOST)
    assert response.url == change_url(case)
    assert fresh(case).status == Status.REFUNDED
    assert Shipment.objects.get(pk=parcel.pk).lost_settled_at is not None
    assert any(case.case_no in text for text in page_messages(response))


def test_a_lost_parcels_page_leads_ops_to_its_refund_and_merchants_do_not_see_the_way(
    client, capture
):
    sub_order = ship(paid_sub_order(quantities=(1,), capture=capture))
    parcel = outbound_parcel(sub_order)
    Shipment.objects.filter(pk=parcel.pk).update(status=Shipment.Status.LOST)
    shipment_page = reverse("admin:logistics_shipment_change", args=[parcel.pk])
    refund_page = reverse("admin:aftersales_lost_parcel", args=[parcel.pk])

    signed_in(client, ops_user())
    assert refund_page in client.get(shipment_page).content.decode()

    signed_in(client, merchant_staff(sub_order.merchant))
    page = client.get(shipment_page)
    assert page.status_code == 200 and refund_page not in page.content.decode()


def test_a_parcel_not_lost_cannot_be_refunded_as_lost_and_merchants_cannot_at_all(client, capture):
    sub_order = ship(paid_sub_order(quantities=(1,), capture=capture))
    parcel = outbound_parcel(sub_order)
    url = reverse("admin:aftersales_lost_parcel", args=[parcel.pk])

    signed_in(client, merchant_staff(sub_order.merchant))
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404

    signed_in(client, ops_user())
    response = client.post(url)
    assert response.status_code == 200 and page_messages(response)
    assert not AfterSalesCase.objects.filter(sub_order=sub_order).exists()


# --- cases ops open for a shopper ---------------------------------------------------------------


def test_ops_open_a_refund_for_a_shopper_who_called_to_cancel(client, capture):
    # given a paid order not shipped yet, and the shopper on the phone
    sub_order = paid_sub_order(quantities=(2,), capture=capture)
    line = sub_order.lines.get()
    ops = ops_user()
    signed_in(client, ops)
    url = reverse("admin:aftersales_open_for_shopper")
    page = client.get(url + f"?sub_order_no={sub_order.sub_order_no}").content.decode()
    assert 'data-testid="open-form"' in page and 'data-testid="cancel-form"' in page

    # when
    response = client.post(
        url,
        {
            "sub_order_no": sub_order.sub_order_no,
            "type": CaseType.REFUND_ONLY,
            "reason": "dont-want",
            f"quantity_{line.pk}": "1",
            "description": "Called the hotline",
            "idempotency_key": "phone-1",
        },
    )

    # then a refund-only case of the shopper's, approved at once
    case = AfterSalesCase.objects.get(sub_order=sub_order)
    assert response.status_code == 302 and response.url == change_url(case)
    assert (case.user_id, case.opened_by_id) == (sub_order.order.user_id, ops.pk)
    assert case.type == CaseType.REFUND_ONLY
    assert fresh(case).status == Status.REFUNDING
    assert case.lines.get().quantity == 1


def test_ops_cancel_a_paid_order_for_the_shopper(client, capture):
    sub_order = paid_sub_order(quantities=(2,), capture=capture)
    signed_in(client, ops_user())

    with capture(execute=True):
        response = client.post(
            reverse("admin:aftersales_cancel_paid_order"),
            {"order_no": sub_order.order.order_no, "reason": "Called the hotline"},
        )

    case = AfterSalesCase.objects.get(sub_order=sub_order)
    assert fresh(case).status == Status.REFUNDED
    assert SubOrder.objects.get(pk=sub_order.pk).status == SubOrder.Status.CLOSED
    assert any("cancelled for the shopper" in text for text in page_messages(response))


def test_opening_for_a_shopper_is_for_operations_only(client, capture):
    sub_order = paid_sub_order(capture=capture)
    signed_in(client, merchant_staff(sub_order.merchant))

    assert client.get(reverse("admin:aftersales_open_for_shopper")).status_code == 403
    response = client.post(
        reverse("admin:aftersales_cancel_paid_order"), {"order_no": sub_order.order.order_no}
    )
    assert response.status_code == 403
    assert not AfterSalesCase.objects.filter(sub_order=sub_order).exists()


# --- reasons and return addresses ---------------------------------------------------------------


def test_merchants_read_the_reasons_and_ops_edit_them_with_checkboxes(client):
    reason = CaseReason.objects.get(code="other")
    url = reverse("admin:aftersales_casereason_change", args=[reason.pk])
    data = {
        "code": "other",
        "label": "Other",
        "stages": ["received", "not_shipped"],
        "types": ["refund_only"],
        "responsibility": "buyer",
        "is_active": "on",
        "position": "5",
    }

    signed_in(client, merchant_staff(MerchantFactory()))
    assert client.get(reverse("admin:aftersales_casereason_changelist")).status_code == 200
    client.post(url, data)
    reason.refresh_from_db()
    assert reason.label != "Other"

    signed_in(client, ops_user())
    assert 'type="checkbox"' in client.get(url).content.decode()
    assert client.post(url, data).status_code == 302
    reason.refresh_from_db()
    assert (reason.label, reason.stages, reason.types) == (
        "Other",
        ["not_shipped", "received"],
        ["refund_only"],
    )


def test_a_merchant_keeps_only_its_own_return_addresses(client):
    # given
    mine, theirs = MerchantFactory(), MerchantFactory()
    my_warehouse = WarehouseFactory(merchant=mine)
    their_warehouse = WarehouseFactory(merchant=theirs)
    their_address = ReturnAddress.objects.create(
        merchant=theirs, recipient="B", phone="1", address="Their street"
    )
    signed_in(client, merchant_staff(mine))

    # when
    listing = client.get(reverse("admin:aftersales_returnaddress_changelist")).content.decode()
    form = client.get(reverse("admin:aftersales_returnaddress_add")).content.decode()
    other = client.get(reverse("admin:aftersales_returnaddress_change", args=[their_address.pk]))
    address = {"warehouse": my_warehouse.pk, "recipient": "售后", "phone": "021"}
    tampered = client.post(
        reverse("admin:aftersales_returnaddress_add"),
        {**address, "merchant": theirs.pk, "address": "Tampered street"},
    )
    added = client.post(
        reverse("admin:aftersales_returnaddress_add"),
        {**address, "merchant": mine.pk, "address": "My street"},
    )

    # then
    assert "Their street" not in listing
    assert f'value="{my_warehouse.pk}"' in form and f'value="{their_warehouse.pk}"' not in form
    assert other.status_code in (302, 404) and "Their street" not in other.content.decode()
    assert tampered.status_code == 200  # not one of the choices: the form says so
    assert not ReturnAddress.objects.filter(address="Tampered street").exists()
    assert added.status_code == 302
    assert ReturnAddress.objects.get(address="My street").merchant == mine


def test_a_return_address_warehouse_must_be_the_merchants_own(client):
    mine, theirs = MerchantFactory(), MerchantFactory()
    their_warehouse = WarehouseFactory(merchant=theirs)
    signed_in(client, ops_user())

    response = client.post(
        reverse("admin:aftersales_returnaddress_add"),
        {
            "merchant": mine.pk,
            "warehouse": their_warehouse.pk,
            "recipient": "售后",
            "phone": "021",
            "address": "Wrong warehouse",
        },
    )

    assert response.status_code == 200
    assert "Choose one of this merchant&#x27;s warehouses." in response.content.decode()
    assert not ReturnAddress.objects.filter(address="Wrong warehouse").exists()
