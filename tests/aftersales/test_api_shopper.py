"""The shopper's after-sales API: what a sub-order can be asked for, evidence uploads, opening a
request (idempotent), the list and the case page (bounded queries), the shopper's answers
(withdraw, thread, offers, return parcel, appeal), cancelling a paid order; bad input is 400,
another shopper's things 404, a step not allowed now 409; and the OpenAPI schema."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from aftersales import services
from aftersales.models import AfterSalesCase, CaseEvidence, CaseOffer, CaseType
from catalog.actors import actor_for
from tests.accounts.factories import UserFactory
from tests.aftersales.api_helpers import (
    approve,
    ask,
    body_of,
    client_for,
    paid_sub_order,
    photo,
    png_upload,
    receive,
    reject_with_photo,
    sandbox_tracking_no,
    ship_back,
    staff_of,
)

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


def _create(client, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/aftersales/", body, format="json", **headers)


# --- options ---------------------------------------------------------------------------------


def test_options_list_each_lines_room_the_reasons_and_the_window(
    received, django_assert_max_num_queries
):
    # given a received sub-order of 2 units at 100.00 (shipping 10.00)
    sub_order = received(quantities=(2,))
    line = sub_order.lines.get()
    client = client_for(sub_order.order.user)

    # when
    with django_assert_max_num_queries(8):
        response = client.get(f"/api/sub-orders/{sub_order.sub_order_no}/aftersales-options/")

    # then
    assert response.status_code == 200
    body = response.json()
    (row,) = body["lines"]
    assert row["sku_id"] == line.sku_id and row["product_title"] == line.product_title
    assert row["quantity"] == 2 and row["refundable_quantity"] == 2
    assert row["max_refund_amount"] == "200.00"  # received: the shipping stays paid
    assert row["max_refund_amount_seller_fault"] == "210.00"  # unless the seller is at fault
    assert set(row["allowed_types"]) == {"refund_only", "return_refund", "exchange"}
    assert row["open_case_no"] is None
    assert isinstance(row["no_reason_return"], bool)
    codes = {reason["code"]: reason for reason in body["reasons"]}
    assert {"quality", "no-reason-7d", "other"} <= set(codes)
    assert "dont-want" not in codes  # a reason for before the parcel arrives
    assert codes["quality"]["evidence_required"] is True
    assert codes["quality"]["responsibility"] == "merchant"
    assert "received" in codes["quality"]["stages"]
    assert body["window_ends_at"] is not None
    assert body["not_allowed_reason"] is None


def test_options_show_the_open_case_holding_the_units(received):
    # given every unit is in a request
    sub_order = received(quantities=(2,))
    case = ask(sub_order, type=CaseType.RETURN_REFUND, reason="no-reason-7d")

    # when
    response = client_for(sub_order.order.user).get(
        f"/api/sub-orders/{sub_order.sub_order_no}/aftersales-options/"
    )

    # then
    body = response.json()
    (row,) = body["lines"]
    assert row["refundable_quantity"] == 0 and row["open_case_no"] == case.case_no
    assert row["allowed_types"] == []
    assert body["not_allowed_reason"]


def test_another_shoppers_sub_order_options_are_not_found(received):
    sub_order = received()

    response = client_for(UserFactory()).get(
        f"/api/sub-orders/{sub_order.sub_order_no}/aftersales-options/"
    )

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- evidence --------------------------------------------------------------------------------


def test_a_photo_uploads_as_unattached_evidence_with_its_url():
    # given
    shopper = UserFactory()

    # when
    response = client_for(shopper).post(
        "/api/aftersales/evidence/", {"file": png_upload()}, format="multipart"
    )

    # then
    assert response.status_code == 201
    body = response.json()
    evidence = CaseEvidence.objects.get(public_id=body["id"])
    assert evidence.uploaded_by == shopper and evidence.case is None
    assert body["kind"] == "image" and body["size"] == evidence.size > 0
    assert body["url"].endswith(f"/{evidence.public_id}/")


def test_a_file_that_is_not_an_image_is_refused():
    fake = SimpleUploadedFile("photo.png", b"<script>alert(1)</script>" * 4, "image/png")

    response = client_for(UserFactory()).post(
        "/api/aftersales/evidence/", {"file": fake}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_file"
    assert not CaseEvidence.objects.exists()


def test_a_missing_file_is_a_400():
    response = client_for(UserFactory()).post("/api/aftersales/evidence/", {}, format="multipart")

    assert response.status_code == 400


def test_a_photo_over_the_image_limit_is_refused_by_the_service(settings):
    # given a limit below the photo's size but a body cap (the video limit) above it
    settings.AFTERSALES_IMAGE_MAX_BYTES = 20_000
    settings.AFTERSALES_VIDEO_MAX_BYTES = 400_000
    upload = png_upload(size=(120, 120), noise=True)
    assert upload.size > 20_000

    # when
    response = client_for(UserFactory()).post(
        "/api/aftersales/evidence/", {"file": upload}, format="multipart"
    )

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"
    assert not CaseEvidence.objects.exists()


def test_a_body_over_the_cap_is_refused_before_it_is_read(settings, monkeypatch):
    # given a cap (the largest file limit plus multipart overhead) far below the upload
    settings.AFTERSALES_IMAGE_MAX_BYTES = 1_000
    settings.AFTERSALES_VIDEO_MAX_BYTES = 1_000

    def never_called(**kwargs):
        raise AssertionError("the body was read and handed to the service")

    monkeypatch.setattr(services, "evidence_upload", never_called)
    upload = png_upload(size=(200, 200), noise=True)
    assert upload.size > 1_000 + 64 * 1024

    # when
    response = client_for(UserFactory()).post(
        "/api/aftersales/evidence/", {"file": upload}, format="multipart"
    )

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"
    assert not CaseEvidence.objects.exists()


# --- opening a request -----------------------------------------------------------------------


def test_a_return_request_opens_a_case_with_evidence(received):
    # given a received sub-order and a photo of the defect
    sub_order = received(quantities=(2,))
    shopper = sub_order.order.user
    evidence = photo(shopper)
    client = client_for(shopper)

    # when
    response = _create(
        client,
        body_of(sub_order, reason="quality", evidence_ids=[evidence.public_id]),
        key="req-1",
    )

    # then
    assert response.status_code == 201
    body = response.json()
    case = AfterSalesCase.objects.get(case_no=body["case_no"])
    assert case.user == shopper and case.status == Status.REQUESTED
    assert body["type"] == "return_refund" and body["type_label"] == "Return and refund"
    assert body["status"] == "requested" and body["status_label"]
    assert body["reason"]["code"] == "quality"
    assert body["refund_amount"] == "210.00"  # the merchant's fault: shipping back too
    assert body["shipping_refund"] == "10.00"
    assert body["sub_order_no"] == sub_order.sub_order_no
    assert body["order_no"] == sub_order.order.order_no
    assert body["lines"][0]["quantity"] == 2
    assert body["deadline_at"] is not None and body["deadline_action"]
    assert body["next_action"]
    assert [e["id"] for e in body["evidence"]] == [evidence.public_id]
    assert body["events"][0]["action"] == "request" and body["events"][0]["role"] == "shopper"
    assert body["return_address"] is None  # not approved yet


def test_a_partial_amount_is_kept(received):
    sub_order = received(quantities=(2,))

    response = _create(client_for(sub_order.order.user), body_of(sub_order, refund_amount="150.00"))

    assert response.status_code == 201
    assert response.json()["refund_amount"] == "150.00"


def test_a_request_without_an_idempotency_key_is_accepted(received):
    sub_order = received()

    response = _create(client_for(sub_order.order.user), body_of(sub_order))

    assert response.status_code == 201
    assert AfterSalesCase.objects.filter(sub_order=sub_order).count() == 1


def test_replaying_the_idempotency_key_returns_the_same_case(received):
    # given a request that opened a case
    sub_order = received()
    client = client_for(sub_order.order.user)
    first = _create(client, body_of(sub_order), key="same-key")
    assert first.status_code == 201

    # when the app sends it again (a retry after a timeout)
    again = _create(client, body_of(sub_order), key="same-key")

    # then the same case, and nothing more was opened
    assert again.status_code == 200
    assert again.json()["case_no"] == first.json()["case_no"]
    assert AfterSalesCase.objects.filter(sub_order=sub_order).count() == 1


def test_an_overlong_idempotency_key_is_a_400(received):
    sub_order = received()

    response = _create(client_for(sub_order.order.user), body_of(sub_order), key="k" * 65)

    assert response.status_code == 400
    assert not AfterSalesCase.objects.exists()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"quantity": 3}, "invalid_quantity"),
        ({"refund_amount": "200.01"}, "amount_too_high"),
        ({"reason": "no-such-reason"}, "unknown_reason"),
        ({"reason": "dont-want"}, "reason_not_allowed"),  # a reason for before arrival
        ({"reason": "quality"}, "evidence_required"),
    ],
)
def test_bad_requests_are_400_and_open_nothing(received, change, code):
    # given a received sub-order of 2 units at 100.00
    sub_order = received(quantities=(2,))
    body = body_of(sub_order, **{k: v for k, v in change.items() if k != "quantity"})
    if "quantity" in change:
        body["lines"][0]["quantity"] = change["quantity"]

    # when
    response = _create(client_for(sub_order.order.user), body)

    # then
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not AfterSalesCase.objects.exists()


def test_a_type_a_shopper_cannot_ask_for_is_a_400(received):
    sub_order = received()

    response = _create(client_for(sub_order.order.user), body_of(sub_order, type="lost"))

    assert response.status_code == 400
    assert "type" in response.json()["errors"]


def test_a_return_before_the_parcel_arrived_is_not_allowed_at_that_stage(paid):
    # given a paid sub-order that has not shipped
    sub_order = paid()

    # when the shopper asks to send it back
    response = _create(client_for(sub_order.order.user), body_of(sub_order, type="return_refund"))

    # then (aftersales.services raises TransitionNotAllowed: 409, not 400)
    assert response.status_code == 409
    assert response.json()["code"] == "type_not_allowed"
    assert not AfterSalesCase.objects.exists()


def test_a_second_request_on_units_in_an_open_case_is_a_409(received):
    # given the units are in an open request already
    sub_order = received(quantities=(2,))
    case = ask(sub_order, type=CaseType.RETURN_REFUND, reason="no-reason-7d")

    # when
    response = _create(client_for(sub_order.order.user), body_of(sub_order, type="exchange"))

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "units_in_open_case"
    assert response.json()["open_case_no"] == case.case_no
    assert AfterSalesCase.objects.count() == 1


def test_another_shoppers_sub_order_is_not_found(received):
    sub_order = received()

    response = _create(client_for(UserFactory()), body_of(sub_order))

    assert response.status_code == 404
    assert not AfterSalesCase.objects.exists()


def test_a_refund_before_shipping_is_approved_at_once(paid, django_capture_on_commit_callbacks):
    sub_order = paid(quantities=(1,))

    with django_capture_on_commit_callbacks(execute=True):
        response = _create(
            client_for(sub_order.order.user),
            body_of(sub_order, type="refund_only", reason="dont-want"),
        )

    assert response.status_code == 201
    body = response.json()
    assert body["status"] in ("refunding", "refunded")
    assert body["refund_amount"] == "110.00"  # everything before shipping: shipping too
    assert [r["amount"] for r in body["refunds"]] and body["refunds"][0]["refund_no"]


# --- the list and the case page --------------------------------------------------------------


def test_my_requests_newest_first_in_a_fixed_number_of_queries(received):
    # given one request of mine, and one of another shopper's
    shopper = UserFactory()
    first = ask(received(user=shopper), type=CaseType.RETURN_REFUND, reason="no-reason-7d")
    ask(received(), type=CaseType.RETURN_REFUND, reason="no-reason-7d")
    client = client_for(shopper)
    client.get("/api/aftersales/")  # the token's first use

    with CaptureQueriesContext(connection) as one:
        response = client.get("/api/aftersales/")
    assert [c["case_no"] for c in response.json()["results"]] == [first.case_no]

    # when two more of mine exist
    second = ask(received(user=shopper), type=CaseType.EXCHANGE, reason="no-reason-7d")
    third = ask(
        received(user=shopper, quantities=(1, 2)),
        type=CaseType.RETURN_REFUND,
        reason="no-reason-7d",
    )
    with CaptureQueriesContext(connection) as three:
        response = client.get("/api/aftersales/")

    # then newest first, paginated, and the same queries whatever the number of cases
    body = response.json()
    assert body["count"] == 3
    assert [c["case_no"] for c in body["results"]] == [
        third.case_no,
        second.case_no,
        first.case_no,
    ]
    assert len(body["results"][0]["lines"]) == 2
    assert len(three) == len(one) <= 5


def test_the_case_page_has_its_timeline_thread_offers_and_evidence_in_bounded_queries(
    received, django_assert_max_num_queries
):
    # given a case with a message with a photo, two offers (one expired) and its events
    sub_order = received(quantities=(2,))
    shopper = sub_order.order.user
    case = ask(sub_order, type=CaseType.RETURN_REFUND, reason="quality")
    staff = staff_of(case)
    for text in ("Is it scratched?", "Yes, here"):
        services.case_message_post(
            case_no=case.case_no,
            actor=actor_for(shopper),
            text=text,
            evidence_ids=[photo(shopper).public_id],
        )
    services.case_message_post(case_no=case.case_no, actor=actor_for(staff), text="We see it")
    for amount in ("50.00", "80.00"):
        services.case_offer_make(
            case_no=case.case_no,
            actor=actor_for(staff),
            type=CaseType.REFUND_ONLY,
            refund_amount=amount,
            note="Keep it",
        )
    client = client_for(shopper)

    # when
    with django_assert_max_num_queries(14):
        response = client.get(f"/api/aftersales/{case.case_no}/")

    # then
    assert response.status_code == 200
    body = response.json()
    assert [m["text"] for m in body["messages"]] == ["Is it scratched?", "Yes, here", "We see it"]
    assert [m["role"] for m in body["messages"]] == ["shopper", "shopper", "merchant"]
    assert len(body["messages"][0]["evidence"]) == 1
    assert body["messages"][0]["evidence"][0]["url"]
    assert [(o["refund_amount"], o["status"]) for o in body["offers"]] == [
        ("50.00", "expired"),
        ("80.00", "pending"),
    ]
    assert len(body["evidence"]) == 3  # the request's photo and the thread's two
    actions = [e["action"] for e in body["events"]]
    assert actions[0] == "request" and "offer" in actions and "message" in actions
    assert set(body["events"][0]) == {"action", "role", "from", "to", "note", "at"}
    assert body["refunds"] == [] and body["return_parcel"] is None
    assert body["next_action"] == "Waiting for the merchant to answer."


def test_another_shoppers_case_is_not_found(received):
    case = ask(received(), type=CaseType.RETURN_REFUND, reason="no-reason-7d")

    response = client_for(UserFactory()).get(f"/api/aftersales/{case.case_no}/")

    assert response.status_code == 404


def test_the_merchants_staff_do_not_see_a_case_through_the_shoppers_endpoint(received):
    case = ask(received(), type=CaseType.RETURN_REFUND, reason="no-reason-7d")

    response = client_for(staff_of(case)).get(f"/api/aftersales/{case.case_no}/")

    assert response.status_code == 404


# --- the shopper's answers -------------------------------------------------------------------


def test_the_shopper_withdraws_a_request(received):
    case = ask(received(), type=CaseType.RETURN_REFUND, reason="no-reason-7d")

    response = client_for(case.user).post(f"/api/aftersales/{case.case_no}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert AfterSalesCase.objects.get(pk=case.pk).status == Status.CANCELLED


def test_withdrawing_another_shoppers_request_is_not_found(received):
    case = ask(received(), type=CaseType.RETURN_REFUND, reason="no-reason-7d")

    response = client_for(UserFactory()).post(f"/api/aftersales/{case.case_no}/cancel/")

    assert response.status_code == 404
    assert AfterSalesCase.objects.get(pk=case.pk).status == Status.REQUESTED


def test_withdrawing_once_the_goods_are_on_their_way_back_is_a_409(received):
    # given an approved return whose parcel is on its way back
    case = ask(received(), type=CaseType.RETURN_REFUND, reason="no-reason-7d")
    approve(case)
    ship_back(case)

    # when
    response = client_for(case.user).post(f"/api/aftersales/{case.case_no}/cancel/")

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"
    assert AfterSalesCase.objects.get(pk=case.pk).status == Status.AWAITING_RETURN


def test_the_shopper_writes_in_the_thread_with_a_photo(received):
    case = ask(received(), type=CaseType.RETURN_REFUND, reason="no-reason-7d")
    evidence = photo(case.user)

    response = client_for(case.user).post(
        f"/api/aftersales/{case.case_no}/messages/",
        {"text": "Here is the box", "evidence_ids": [evidence.public_id]},
        format="json",
    )

    assert response.status_code == 201
    (message,) = response.json()["messages"]
    assert message["text"] == "Here is the box" and message["role"] == "shopper"
    assert [e["id"] for e in message["evidence"]] == [evidence.public_id]


def test_an_empty_message_and_someone_elses_photo_are_400(received):
    case = ask(received(), type=CaseType.RETURN_REFUND, reason="no-reason-7d")
    client = client_for(case.user)
    foreign = photo(UserFactory())

    empty = client.post(f"/api/aftersales/{case.case_no}/messages/", {"text": ""}, format="json")
    theirs = client.post(
        f"/api/aftersales/{case.case_no}/messages/",
        {"text": "look", "evidence_ids": [foreign.public_id]},
        format="json",
    )

    assert (empty.status_code, empty.json()["code"]) == (400, "text_required")
    assert (theirs.status_code, theirs.json()["code"]) == (400, "invalid_file")
    assert not case.messages.exists()


def _offer(case, amount="80.00", type=CaseType.REFUND_ONLY):
    return services.case_offer_make(
        case_no=case.case_no,
        actor=actor_for(staff_of(case)),
        type=type,
        refund_amount=amount,
        note="Keep it",
    )


def test_the_shopper_accepts_an_offer_and_the_case_goes_on_as_offered(
    received, django_capture_on_commit_callbacks
):
    # given a return request and the merchant's offer of a partial refund without return
    case = ask(received(quantities=(2,)), type=CaseType.RETURN_REFUND, reason="no-reason-7d")
    offer = _offer(case)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(case.user).post(
            f"/api/aftersales/{case.case_no}/offers/{offer.pk}/accept/"
        )

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "refund_only" and body["refund_amount"] == "80.00"
    assert body["status"] in ("refunding", "refunded")
    assert body["offers"][0]["status"] == "accepted"


def test_the_shopper_declines_an_offer(received):
    case = ask(received(), type=CaseType.RETURN_REFUND, reason="no-reason-7d")
    offer = _offer(case)

    response = client_for(case.user).post(
        f"/api/aftersales/{case.case_no}/offers/{offer.pk}/decline/"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "requested"
    assert CaseOffer.objects.get(pk=offer.pk).status == CaseOffer.Status.DECLINED


def test_an_offer_answered_already_is_a_409_and_an_unknown_one_404(received):
    case = ask(received(), type=CaseType.RETURN_REFUND, reason="no-reason-7d")
    offer = _offer(case)
    client = client_for(case.user)
    client.post(f"/api/aftersales/{case.case_no}/offers/{offer.pk}/decline/")

    again = client.post(f"/api/aftersales/{case.case_no}/offers/{offer.pk}/accept/")
    unknown = client.post(f"/api/aftersales/{case.case_no}/offers/{offer.pk + 999}/accept/")

    assert (again.status_code, again.json()["code"]) == (409, "offer_closed")
    assert unknown.status_code == 404


def test_the_shopper_enters_the_return_parcel_after_approval(received):
    # given an approved return: the page shows where to send it
    case = ask(received(), type=CaseType.RETURN_REFUND, reason="no-reason-7d")
    approve(case)
    client = client_for(case.user)
    page = client.get(f"/api/aftersales/{case.case_no}/").json()
    assert page["status"] == "awaiting_return"
    assert "退货路" in page["return_address"]["address"]
    tracking_no = sandbox_tracking_no()

    # when
    response = client.post(
        f"/api/aftersales/{case.case_no}/return-shipment/",
        {"carrier_code": "sandbox", "tracking_no": tracking_no},
        format="json",
    )

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["return_parcel"]["carrier"] == "sandbox"
    assert body["return_parcel"]["tracking_no"] == tracking_no
    assert body["next_action"].startswith("Return on its way")


def test_a_return_parcel_before_approval_is_a_409(received):
    case = ask(received(), type=CaseType.RETURN_REFUND, reason="no-reason-7d")

    response = client_for(case.user).post(
        f"/api/aftersales/{case.case_no}/return-shipment/",
        {"carrier_code": "sandbox", "tracking_no": sandbox_tracking_no()},
        format="json",
    )

    assert response.status_code == 409


def test_the_shopper_appeals_a_rejection(received):
    # given the merchant rejected with a photo
    case = ask(received(), type=CaseType.RETURN_REFUND, reason="no-reason-7d")
    reject_with_photo(case)
    evidence = photo(case.user)

    # when
    response = client_for(case.user).post(
        f"/api/aftersales/{case.case_no}/appeal/",
        {"reason": "The item was new", "evidence_ids": [evidence.public_id]},
        format="json",
    )

    # then
    assert response.status_code == 200
    assert response.json()["status"] == "appealed"
    assert AfterSalesCase.objects.get(pk=case.pk).appeal_reason == "The item was new"


def test_appealing_a_request_not_rejected_is_a_409(received):
    case = ask(received(), type=CaseType.RETURN_REFUND, reason="no-reason-7d")

    response = client_for(case.user).post(
        f"/api/aftersales/{case.case_no}/appeal/", {"reason": "Please"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"


# --- cancelling a paid order -----------------------------------------------------------------


def test_the_shopper_cancels_a_paid_order_before_it_ships(paid, django_capture_on_commit_callbacks):
    sub_order = paid(quantities=(1,))

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(sub_order.order.user).post(
            f"/api/orders/{sub_order.order.order_no}/cancel-paid/",
            {"reason": "Ordered twice"},
            format="json",
        )

    assert response.status_code == 201
    (case,) = response.json()["cases"]
    assert case["type"] == "refund_only" and case["sub_order_no"] == sub_order.sub_order_no
    assert Decimal(case["refund_amount"]) == Decimal("110.00")


def test_cancelling_another_shoppers_order_is_not_found_and_a_shipped_one_409(received):
    sub_order = received()

    theirs = client_for(UserFactory()).post(f"/api/orders/{sub_order.order.order_no}/cancel-paid/")
    shipped = client_for(sub_order.order.user).post(
        f"/api/orders/{sub_order.order.order_no}/cancel-paid/"
    )

    assert theirs.status_code == 404
    assert shipped.status_code == 409
    assert not AfterSalesCase.objects.exists()


# --- schema ----------------------------------------------------------------------------------


def test_the_schema_lists_the_after_sales_paths_and_is_valid():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    validate_schema(schema)
    paths = schema["paths"]
    for path in (
        "/api/sub-orders/{sub_order_no}/aftersales-options/",
        "/api/aftersales/",
        "/api/aftersales/evidence/",
        "/api/aftersales/{case_no}/",
        "/api/aftersales/{case_no}/cancel/",
        "/api/aftersales/{case_no}/messages/",
        "/api/aftersales/{case_no}/offers/{offer_id}/accept/",
        "/api/aftersales/{case_no}/offers/{offer_id}/decline/",
        "/api/aftersales/{case_no}/return-shipment/",
        "/api/aftersales/{case_no}/appeal/",
        "/api/orders/{order_no}/cancel-paid/",
        "/api/merchant/aftersales/",
        "/api/merchant/aftersales/{case_no}/",
        "/api/merchant/aftersales/{case_no}/approve/",
        "/api/merchant/aftersales/{case_no}/reject/",
        "/api/merchant/aftersales/{case_no}/offer/",
        "/api/merchant/aftersales/{case_no}/receive-return/",
        "/api/merchant/aftersales/{case_no}/reship/",
        "/api/merchant/aftersales/{case_no}/messages/",
        "/api/merchant/shipments/out-of-stock/",
    ):
        assert path in paths, path
    create = paths["/api/aftersales/"]["post"]
    assert {"200", "201", "400", "404", "409"} <= set(create["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    upload = paths["/api/aftersales/evidence/"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]


def test_the_schema_endpoint_answers(api_client):
    assert api_client.get("/api/schema/").status_code == 200
