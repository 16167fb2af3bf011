"""The after-sales storefront as a shopper uses it on a phone: the order page's after-sales
actions, the request form (one case per idempotency key, bad photos refused), the case page and
its actions, my after-sales, the private evidence files, and cancelling a paid order before it
ships. Against the real database, the sandbox gateway and the real templates."""

import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from aftersales import services
from aftersales.models import AfterSalesCase, CaseEvidence, CaseOffer, CaseType
from catalog.actors import actor_for
from tests.aftersales.factories import (
    ask,
    case_refunds,
    fresh,
    merchant_staff,
    ops_user,
    paid_sub_order,
    photo,
    receive,
    sandbox_tracking_no,
)
from tests.aftersales.page_fixtures import (
    fake_png_upload,
    order_of_two_merchants,
    png_upload,
    request_data,
    signed_in,
    stranger,
)

pytestmark = pytest.mark.django_db

Status = AfterSalesCase.Status


def page_text(response) -> str:
    return response.content.decode()


def stored_files() -> set[Path]:
    """Every file in the evidence storage (read from the field: its location is fixed when
    the model loads, so the suite's PRIVATE_MEDIA_ROOT setting does not move it)."""
    location = CaseEvidence._meta.get_field("file").storage.location
    return {p for p in Path(location).rglob("*") if p.is_file()}


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def received(django_capture_on_commit_callbacks):
    """A received sub-order of 2 x ¥100 (+ ¥10 shipping), paid on the sandbox cashier."""
    return receive(paid_sub_order(quantities=(2,), capture=django_capture_on_commit_callbacks))


@pytest.fixture
def requested(received):
    """A return request with a photo (quality problem) on the received sub-order."""
    return ask(received, type=CaseType.RETURN_REFUND, reason="quality")


# --- the order page ------------------------------------------------------------------------------


def test_order_page_offers_a_refund_per_sub_order_and_cancel_in_bounded_queries(
    client, django_assert_max_num_queries
):
    # given a paid order of 2 merchants x 2 lines, not shipped
    order = order_of_two_merchants()
    signed_in(client, order.user)

    # when the shopper opens it: the order page's own queries and one for the after-sales
    # of all its sub-orders (their cases' lines; the order's lines are prefetched already)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("orders:detail", args=[order.order_no]))

    # then each sub-order offers a refund, each line its own request, and the order its cancel
    assert response.status_code == 200
    text = page_text(response)
    assert text.count('data-testid="aftersales-request"') == 2
    assert text.count("Ask for a refund") == 2
    assert text.count('data-testid="line-aftersales"') == 4
    assert "Cancel order and refund" in text
    assert reverse("aftersales:cancel_order", args=[order.order_no]) in text


def test_order_page_links_the_open_case_instead_of_a_second_request(client, requested):
    # given a return request on every unit of the sub-order
    signed_in(client, requested.user)

    # when the shopper opens the order
    response = client.get(reverse("orders:detail", args=[requested.order.order_no]))

    # then the line links to that request, and there is nothing more to ask for
    text = page_text(response)
    assert "In after-sales request" in text
    assert reverse("aftersales:detail", args=[requested.case_no]) in text
    assert 'data-testid="line-aftersales"' not in text
    assert "Every item of this order is refunded or in a request." in text


def test_order_page_says_when_the_after_sales_window_has_ended(client, received):
    # given a received sub-order whose after-sales window has passed
    signed_in(client, received.order.user)

    with time_machine.travel(received.auto_complete_at + timedelta(minutes=1), tick=False):
        response = client.get(reverse("orders:detail", args=[received.order.order_no]))

    # then the shopper reads why there is no after-sales button
    text = page_text(response)
    assert "The after-sales window of this order has ended." in text
    assert 'data-testid="aftersales-request"' not in text


# --- cancelling a paid order before it ships ---------------------------------------------------


def test_cancelling_a_paid_order_opens_refund_cases_and_refunds(
    client, django_capture_on_commit_callbacks
):
    # given a paid sub-order not shipped yet
    sub_order = paid_sub_order(quantities=(1, 2), capture=django_capture_on_commit_callbacks)
    order = sub_order.order
    signed_in(client, order.user)

    # when the shopper cancels it from the order page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("aftersales:cancel_order", args=[order.order_no]), follow=True
        )

    # then one refund-only case for the sub-order, refunded through the gateway
    assert response.redirect_chain[-1][0] == reverse("orders:detail", args=[order.order_no])
    [case] = AfterSalesCase.objects.filter(order=order)
    assert case.type == CaseType.REFUND_ONLY
    assert sum(r.amount for r in case_refunds(case)) == order.payable_amount
    assert any("Order cancelled." in m for m in messages_of(response))
    assert case.case_no in page_text(response)


def test_cancelling_another_shoppers_order_is_a_404(client, django_capture_on_commit_callbacks):
    sub_order = paid_sub_order(capture=django_capture_on_commit_callbacks)
    stranger(client)

    response = client.post(reverse("aftersales:cancel_order", args=[sub_order.order.order_no]))

    assert response.status_code == 404
    assert not AfterSalesCase.objects.exists()


def test_cancelling_a_shipped_order_shows_why_not(client, received):
    signed_in(client, received.order.user)

    response = client.post(
        reverse("aftersales:cancel_order", args=[received.order.order_no]), follow=True
    )

    assert response.status_code == 200
    assert messages_of(response) == [
        "Everything of this order has shipped: ask for a refund on the parcel instead."
    ]
    assert not AfterSalesCase.objects.exists()


# --- the request form ---------------------------------------------------------------------------


def test_request_form_offers_what_applies_now(client, received):
    # given the product of the received line is not returnable without a reason
    line = received.lines.get()
    product = line.sku.product
    product.no_reason_return = False
    product.save(update_fields=["no_reason_return"])
    signed_in(client, received.order.user)

    # when the shopper opens the form
    response = client.get(reverse("aftersales:request", args=[received.sub_order_no]))

    # then the three types, the reasons of a received parcel, up to 2 units and ¥200 are offered
    assert response.status_code == 200
    text = page_text(response)
    for label in ("Refund only", "Return and refund", "Exchange"):
        assert label in text
    assert "质量问题 · Quality problem" in text
    assert "不想要了" not in text  # a reason for before it arrives
    assert "Up to 2" in text
    assert "¥200.00" in text
    assert "7-day no-reason returns do not apply to this item." in text
    assert 'name="idempotency_key"' in text


def test_request_form_of_another_shoppers_sub_order_is_a_404(client, received):
    stranger(client)

    response = client.get(reverse("aftersales:request", args=[received.sub_order_no]))

    assert response.status_code == 404


def test_a_request_through_the_form_makes_one_case_even_when_sent_twice(client, received):
    # given the filled-in form with one photo
    shopper = received.order.user
    signed_in(client, shopper)
    key = uuid.uuid4().hex
    url = reverse("aftersales:request", args=[received.sub_order_no])

    def submit():
        data = request_data(
            received,
            type=CaseType.RETURN_REFUND,
            reason="quality",
            key=key,
            refund_amount="200.00",
            description="The seam is torn",
            photos=[png_upload()],
        )
        return client.post(url, data, follow=True)

    # when it is submitted twice with the same key (a double click)
    first = submit()
    second = submit()

    # then there is one case, with its photo, and both land on its page
    [case] = AfterSalesCase.objects.filter(sub_order=received)
    assert case.type == CaseType.RETURN_REFUND and case.description == "The seam is torn"
    # a quality problem is the merchant's: the shipping share comes back too
    assert case.refund_amount == Decimal("210.00") and case.shipping_refund == Decimal("10.00")
    for response in (first, second):
        assert response.redirect_chain[-1][0] == reverse("aftersales:detail", args=[case.case_no])
    assert f"Request {case.case_no} sent." in messages_of(first)
    # the second submit's copy of the photo was not kept
    assert list(CaseEvidence.objects.values_list("case_id", flat=True)) == [case.pk]


def test_a_racing_second_submit_keeps_no_copy_of_the_photos(client, received, monkeypatch):
    # given the first submit of the form made a case of 1 of the 2 units
    signed_in(client, received.order.user)
    line = received.lines.get()
    url = reverse("aftersales:request", args=[received.sub_order_no])

    def submit():
        data = request_data(
            received,
            type=CaseType.RETURN_REFUND,
            reason="quality",
            key="same-key",
            quantities={line.pk: 1},
            photos=[png_upload()],
        )
        return client.post(url, data)

    submit()
    [case] = AfterSalesCase.objects.all()

    # when the second one got past the page's look-up before the first committed (a race)
    monkeypatch.setattr("aftersales.views._case_of_key", lambda user, key: None)
    files_before = stored_files()
    response = submit()

    # then case_create answered with the first case, and the second copy of the photo is gone
    assert response.status_code == 302
    assert response["Location"] == reverse("aftersales:detail", args=[case.case_no])
    assert AfterSalesCase.objects.count() == 1
    assert list(CaseEvidence.objects.values_list("case_id", flat=True)) == [case.pk]
    assert stored_files() == files_before


def test_a_lower_amount_is_asked_for_as_typed(client, received):
    signed_in(client, received.order.user)
    data = request_data(
        received,
        type=CaseType.RETURN_REFUND,
        reason="wrong-size",
        key=uuid.uuid4().hex,
        refund_amount="150.00",
    )

    client.post(reverse("aftersales:request", args=[received.sub_order_no]), data)

    assert AfterSalesCase.objects.get(sub_order=received).refund_amount == Decimal("150.00")


def test_a_bad_photo_shows_a_message_and_creates_nothing(client, received):
    # given a real photo and a fake one in the same request
    signed_in(client, received.order.user)
    data = request_data(
        received,
        type=CaseType.RETURN_REFUND,
        reason="quality",
        key=uuid.uuid4().hex,
        photos=[png_upload(), fake_png_upload()],
    )

    files_before = stored_files()

    # when it is submitted
    response = client.post(reverse("aftersales:request", args=[received.sub_order_no]), data)

    # then the form comes back with the reason, and no case, evidence row or file exists
    assert response.status_code == 200
    assert messages_of(response) == ["Upload a photo (JPEG, PNG, WebP, GIF) or a short MP4 video."]
    assert 'data-testid="request-form"' in page_text(response)
    assert not AfterSalesCase.objects.exists()
    assert not CaseEvidence.objects.exists()
    assert stored_files() == files_before  # the good photo's file was removed again


def test_the_service_refusing_the_request_shows_its_message(client, received):
    # given a reason that needs a photo, sent without one
    signed_in(client, received.order.user)
    data = request_data(received, type=CaseType.RETURN_REFUND, reason="quality", key="k1")

    response = client.post(reverse("aftersales:request", args=[received.sub_order_no]), data)

    assert response.status_code == 200
    assert messages_of(response) == ["This reason needs a photo of the problem."]
    assert not AfterSalesCase.objects.exists()


def test_request_page_after_the_window_says_so(client, received):
    signed_in(client, received.order.user)

    with time_machine.travel(received.auto_complete_at + timedelta(minutes=1), tick=False):
        response = client.get(reverse("aftersales:request", args=[received.sub_order_no]))

    assert response.status_code == 200
    assert "The after-sales window of this order has ended." in page_text(response)
    assert 'data-testid="request-form"' not in page_text(response)


# --- the case page ------------------------------------------------------------------------------


def test_case_page_shows_status_next_step_deadline_and_thread(
    client, requested, django_assert_max_num_queries
):
    # given a message with a photo in the thread
    shopper = requested.user
    services.case_message_post(
        case_no=requested.case_no,
        actor=actor_for(shopper),
        text="Here is the seam",
        evidence_ids=[photo(shopper).public_id],
    )
    signed_in(client, shopper)

    # when the shopper opens the case (session, user, header badges, the case with its lines,
    # thread and its photos, offers, the request's photos, refunds, timeline)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("aftersales:detail", args=[requested.case_no]))

    # then the status, what happens next, the deadline and the thread with its photo show
    assert response.status_code == 200
    text = page_text(response)
    assert "Awaiting the merchant" in text
    assert "Waiting for the merchant to answer." in text
    assert (
        requested.respond_by.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d %H:%M")
        in text
    )
    assert "then approved automatically" in text
    assert 'data-testid="countdown"' in text
    assert "Here is the seam" in text
    assert text.count('data-testid="evidence-link"') == 2  # the request's photo and the message's
    assert "Request sent" in text  # the timeline
    assert "Withdraw request" in text


def test_case_page_of_another_shopper_is_a_404(client, requested):
    stranger(client)

    assert client.get(reverse("aftersales:detail", args=[requested.case_no])).status_code == 404
    response = client.post(reverse("aftersales:cancel", args=[requested.case_no]))
    assert response.status_code == 404
    assert fresh(requested).status == Status.REQUESTED


def test_case_page_needs_a_sign_in(client, requested):
    response = client.get(reverse("aftersales:detail", args=[requested.case_no]))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_merchants_staff_read_the_case_page_without_the_shoppers_buttons(client, requested):
    signed_in(client, merchant_staff(requested.merchant))

    response = client.get(reverse("aftersales:detail", args=[requested.case_no]))

    assert response.status_code == 200
    text = page_text(response)
    assert "Approve, reject or make an offer." in text
    assert "Withdraw request" not in text


def test_accepting_the_merchants_offer_from_the_page(
    client, requested, django_capture_on_commit_callbacks
):
    # given the merchant offers ¥60 without a return
    offer = services.case_offer_make(
        case_no=requested.case_no,
        actor=actor_for(merchant_staff(requested.merchant)),
        type=CaseType.REFUND_ONLY,
        refund_amount="60.00",
        note="Keep it, we refund part",
    )
    signed_in(client, requested.user)
    page = page_text(client.get(reverse("aftersales:detail", args=[requested.case_no])))
    assert "Keep it, we refund part" in page and "¥60.00" in page
    assert reverse("aftersales:offer_accept", args=[requested.case_no, offer.pk]) in page

    # when the shopper taps Accept
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("aftersales:offer_accept", args=[requested.case_no, offer.pk]), follow=True
        )

    # then the case became the offer and its refund is listed on the page
    case = fresh(requested)
    assert case.type == CaseType.REFUND_ONLY and case.refund_amount == Decimal("60.00")
    assert case.status in (Status.REFUNDING, Status.REFUNDED)
    assert "Offer accepted." in messages_of(response)
    [refund] = case_refunds(case)
    assert refund.refund_no in page_text(response)


def test_accepting_a_declined_offer_shows_why_not(client, requested):
    offer = services.case_offer_make(
        case_no=requested.case_no,
        actor=actor_for(merchant_staff(requested.merchant)),
        type=CaseType.REFUND_ONLY,
        refund_amount="60.00",
    )
    signed_in(client, requested.user)
    declined = client.post(
        reverse("aftersales:offer_decline", args=[requested.case_no, offer.pk]), follow=True
    )
    assert "Offer declined." in messages_of(declined)[0]

    response = client.post(
        reverse("aftersales:offer_accept", args=[requested.case_no, offer.pk]), follow=True
    )

    assert response.status_code == 200
    assert messages_of(response) == ["This offer is “Declined”."]
    offer.refresh_from_db()
    assert offer.status == CaseOffer.Status.DECLINED


def test_withdrawing_a_request_from_the_page(client, requested):
    signed_in(client, requested.user)

    response = client.post(reverse("aftersales:cancel", args=[requested.case_no]), follow=True)

    assert fresh(requested).status == Status.CANCELLED
    assert "Request withdrawn." in messages_of(response)
    assert "Withdrawn" in page_text(response)


def test_a_message_with_a_photo_from_the_page(client, requested):
    signed_in(client, requested.user)

    response = client.post(
        reverse("aftersales:message", args=[requested.case_no]),
        {"text": "Another angle", "photos": [png_upload()]},
        follow=True,
    )

    assert "Message sent." in messages_of(response)
    [message] = requested.messages.all()
    assert message.text == "Another angle" and message.evidence.count() == 1
    assert "Another angle" in page_text(response)


def test_the_return_address_and_the_return_parcel_from_the_page(client, requested):
    # given the merchant approved the return
    services.case_approve(
        case_no=requested.case_no, actor=actor_for(merchant_staff(requested.merchant))
    )
    signed_in(client, requested.user)

    page = page_text(client.get(reverse("aftersales:detail", args=[requested.case_no])))
    assert "上海市浦东新区退货路 1 号" in page
    assert 'data-testid="return-form"' in page

    # when the shopper enters the sandbox parcel
    response = client.post(
        reverse("aftersales:return_shipment", args=[requested.case_no]),
        {"carrier": "sandbox", "tracking_no": sandbox_tracking_no()},
        follow=True,
    )

    # then the case waits for the merchant to confirm
    case = fresh(requested)
    assert case.return_shipment_id is not None
    assert "Return on its way; the merchant confirms when it arrives." in page_text(response)


def test_an_appeal_after_a_rejection_from_the_page(client, requested):
    # given the merchant rejected with evidence
    staff = merchant_staff(requested.merchant)
    services.case_reject(
        case_no=requested.case_no,
        actor=actor_for(staff),
        reason="Used and washed",
        evidence_ids=[photo(staff).public_id],
    )
    signed_in(client, requested.user)
    page = page_text(client.get(reverse("aftersales:detail", args=[requested.case_no])))
    assert "The merchant's reason: Used and washed" in page
    assert 'data-testid="appeal"' in page

    response = client.post(
        reverse("aftersales:appeal", args=[requested.case_no]),
        {"reason": "It was torn on arrival"},
        follow=True,
    )

    assert fresh(requested).status == Status.APPEALED
    assert "The platform is reviewing the case." in page_text(response)


# --- my after-sales -----------------------------------------------------------------------------


def test_my_after_sales_lists_my_cases_newest_first_in_bounded_queries(
    client, received, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    # given three cases of the shopper and one of another shopper
    shopper = received.order.user
    line = received.lines.get()
    first = ask(
        received, type=CaseType.RETURN_REFUND, reason="wrong-size", quantities={line.sku_id: 1}
    )
    second = ask(received, type=CaseType.EXCHANGE, reason="wrong-size", quantities={line.sku_id: 1})
    other = ask(
        receive(paid_sub_order(capture=django_capture_on_commit_callbacks, user=shopper)),
        type=CaseType.REFUND_ONLY,
        reason="other",
    )
    someone_else = ask(
        receive(paid_sub_order(capture=django_capture_on_commit_callbacks)),
        type=CaseType.REFUND_ONLY,
        reason="other",
    )
    signed_in(client, shopper)

    # when the shopper opens My after-sales
    with django_assert_max_num_queries(7):
        response = client.get(reverse("aftersales:list"))

    # then their three cases, newest first
    text = page_text(response)
    positions = [text.index(case.case_no) for case in (other, second, first)]
    assert positions == sorted(positions)
    assert someone_else.case_no not in text
    assert "Exchange" in text and "Awaiting the merchant" in text
    assert "My after-sales" in text


def test_my_after_sales_without_cases(client):
    stranger(client)

    response = client.get(reverse("aftersales:list"))

    assert "You have no after-sales requests." in page_text(response)


# --- evidence files -----------------------------------------------------------------------------


def test_evidence_is_served_to_the_case_parties_only(client, requested):
    evidence = requested.evidence.get()
    url = reverse("aftersales:evidence", args=[evidence.public_id])

    # the shopper
    signed_in(client, requested.user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == "inline"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")

    # the merchant's staff and operations
    for user in (merchant_staff(requested.merchant), ops_user()):
        signed_in(client, user)
        assert client.get(url).status_code == 200

    # another shopper and another merchant's staff
    from tests.catalog.factories import MerchantFactory

    for user in (None, merchant_staff(MerchantFactory())):
        stranger(client) if user is None else signed_in(client, user)
        assert client.get(url).status_code == 404


def test_an_unattached_upload_is_its_uploaders_only(client, received):
    evidence = photo(received.order.user)
    url = reverse("aftersales:evidence", args=[evidence.public_id])

    signed_in(client, received.order.user)
    assert client.get(url).status_code == 200
    stranger(client)
    assert client.get(url).status_code == 404
    assert client.get(reverse("aftersales:evidence", args=["nosuchfile"])).status_code == 404


def test_base_navigation_links_my_after_sales(client, received):
    signed_in(client, received.order.user)

    response = client.get(reverse("orders:list"))

    assert reverse("aftersales:list") in page_text(response)
    assert "My after-sales" in page_text(response)
