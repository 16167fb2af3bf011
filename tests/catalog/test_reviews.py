"""Reviews: a shopper reviews each received line once (rating, text, up to six real pictures);
the product page shows them with the average; the merchant answers once in the admin."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.actors import SYSTEM
from catalog.models import Review, ReviewImage
from catalog.review_selectors import review_state_for_order, reviewable_lines_for_user
from catalog.services.reviews import review_create, review_hide, review_reply, review_show
from orders.services import order_line_record_refund, sub_order_complete
from shop.errors import Conflict, InvalidInput, NotFound
from tests.accounts.factories import UserFactory
from tests.catalog.factories import MerchantFactory
from tests.catalog.factories_admin import merchant_staff_user, ops_user
from tests.catalog.factories_reviews import (
    gif_upload,
    jpeg_upload,
    oversized_png,
    png_upload,
    received_line,
    text_disguised_as_jpeg,
    unreceived_line,
)

pytestmark = pytest.mark.django_db


def _review(line, **kwargs):
    kwargs.setdefault("rating", 5)
    kwargs.setdefault("text", "Lovely.")
    return review_create(user=line.order.user, order_line_id=line.pk, **kwargs)


# --- Who may review what, and when ----------------------------------------------------------


def test_a_received_line_is_reviewed_and_the_product_rating_follows():
    # given
    line = received_line()
    product = line.sku.product

    # when
    review = _review(line, rating=4, text="  Sturdy, arrived quickly.  ")

    # then
    product.refresh_from_db()
    assert (review.rating, review.text, review.is_visible) == (4, "Sturdy, arrived quickly.", True)
    assert review.product == product
    assert (product.rating_count, product.rating_average) == (1, Decimal("4.00"))


def test_a_completed_line_can_still_be_reviewed():
    # given
    line = received_line()
    sub_order_complete(sub_order_id=line.sub_order_id, actor=SYSTEM)

    # when
    review = _review(line)

    # then
    assert review.pk


def test_the_average_covers_every_line_of_the_product():
    # given: two shoppers bought the same SKU
    first = received_line()
    second = received_line(sku=first.sku)

    # when
    _review(first, rating=5)
    _review(second, rating=2)

    # then
    first.sku.product.refresh_from_db()
    assert first.sku.product.rating_count == 2
    assert first.sku.product.rating_average == Decimal("3.50")


def test_another_shoppers_line_is_not_found():
    # given
    line = received_line()
    stranger = UserFactory()

    # when / then
    with pytest.raises(NotFound):
        review_create(user=stranger, order_line_id=line.pk, rating=5, text="")
    with pytest.raises(NotFound):
        review_create(user=stranger, order_line_id="not-a-number", rating=5, text="")
    assert not Review.objects.exists()


def test_a_line_is_reviewed_only_after_receipt():
    # given: paid, not shipped
    line = unreceived_line()

    # when / then
    with pytest.raises(Conflict) as error:
        _review(line)
    assert error.value.code == "not_received"
    assert not Review.objects.exists()


def test_a_line_is_reviewed_once():
    # given
    line = received_line()
    _review(line, rating=5)

    # when / then
    with pytest.raises(Conflict) as error:
        _review(line, rating=1)
    assert error.value.code == "already_reviewed"
    line.sku.product.refresh_from_db()
    assert (line.sku.product.rating_count, line.sku.product.rating_average) == (1, Decimal("5.00"))


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_reviews_of_one_line_make_one():
    # given
    line = received_line()
    results = []
    barrier = threading.Barrier(2)

    def attempt(rating):
        try:
            barrier.wait()
            _review(line, rating=rating)
            results.append("created")
        except Conflict:
            results.append("conflict")
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=attempt, args=(r,)) for r in (5, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then
    assert sorted(results) == ["conflict", "created"]
    assert Review.objects.filter(order_line=line).count() == 1
    line.sku.product.refresh_from_db()
    assert line.sku.product.rating_count == 1


@pytest.mark.parametrize("rating", [0, 6, -1, "five", "", None, True, "4.5"])
def test_a_rating_outside_one_to_five_is_refused(rating):
    # given
    line = received_line()

    # when / then
    with pytest.raises(InvalidInput) as error:
        _review(line, rating=rating)
    assert error.value.code == "invalid_rating"
    assert not Review.objects.exists()


@pytest.mark.parametrize("rating", [1, 5, "3"])
def test_ratings_from_one_to_five_are_accepted(rating):
    review = _review(received_line(), rating=rating)
    assert review.rating == int(rating)


def test_an_overlong_text_is_refused():
    with pytest.raises(InvalidInput) as error:
        _review(received_line(), text="好" * 2001)
    assert "2000" in error.value.detail


def test_a_line_refunded_in_full_cannot_be_reviewed():
    # given
    line = received_line()
    order_line_record_refund(line_id=line.pk, amount=line.paid_amount, quantity=line.quantity)

    # when / then
    with pytest.raises(Conflict) as error:
        _review(line)
    assert error.value.code == "refunded"
    assert list(reviewable_lines_for_user(line.order.user)) == []


def test_the_lines_waiting_for_a_review_are_the_received_unreviewed_ones():
    # given: one received line reviewed, one received, one not yet shipped
    user = UserFactory()
    reviewed, waiting = received_line(user=user), received_line(user=user)
    unreceived_line(user=user)
    _review(reviewed)

    # when
    lines = list(reviewable_lines_for_user(user))
    states = review_state_for_order(waiting.order) + review_state_for_order(reviewed.order)

    # then
    assert lines == [waiting]
    assert [(s.line_id, s.reviewed) for s in states] == [(waiting.pk, False), (reviewed.pk, True)]


# --- Pictures ---------------------------------------------------------------------------------


def test_a_real_png_is_stored_with_a_thumbnail():
    # given
    line = received_line()

    # when
    review = _review(line, images=[png_upload(), jpeg_upload()])

    # then
    pictures = list(review.images.all())
    assert [p.position for p in pictures] == [0, 1]
    assert pictures[0].image.name.endswith(".png")
    assert pictures[1].image.name.endswith(".jpg")
    thumbnail = pictures[0].thumbnail
    thumbnail.generate()
    assert thumbnail.url.endswith(".jpg")
    assert (thumbnail.width, thumbnail.height) == (160, 160)


def test_seven_pictures_are_too_many():
    with pytest.raises(InvalidInput) as error:
        _review(received_line(), images=[png_upload(f"p{n}.png") for n in range(7)])
    assert error.value.code == "too_many_images"
    assert not Review.objects.exists()


def test_six_pictures_are_fine():
    review = _review(received_line(), images=[png_upload(f"p{n}.png") for n in range(6)])
    assert review.images.count() == 6


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (text_disguised_as_jpeg, "invalid_image_type"),
        (gif_upload, "invalid_image_type"),
        (oversized_png, "image_too_large"),
    ],
)
def test_a_picture_that_is_not_a_small_jpeg_png_or_webp_is_refused(upload, code):
    # given
    line = received_line()

    # when / then: nothing is kept, not even the good picture sent with it
    with pytest.raises(InvalidInput) as error:
        _review(line, images=[png_upload(), upload()])
    assert error.value.code == code
    assert not Review.objects.exists()
    assert not ReviewImage.objects.exists()


# --- Product page -----------------------------------------------------------------------------


def test_the_product_page_shows_the_average_count_reviews_pictures_and_reply(client):
    # given
    first = received_line()
    product = first.sku.product
    second = received_line(sku=first.sku)
    review = _review(first, rating=5, text="Excellent kettle", images=[png_upload()])
    _review(second, rating=4, text="Good value")
    review_reply(review_id=review.pk, actor=ops_user(), text="Thank you for buying!")

    # when
    html = client.get(reverse("catalog:product", args=[product.pk])).content.decode()

    # then
    assert 'data-testid="rating-average">4.5<' in html
    assert 'data-testid="rating-count">2 reviews<' in html
    assert html.index("Good value") < html.index("Excellent kettle")  # newest first
    assert html.count('data-testid="review-image"') == 1
    assert "Thank you for buying!" in html


def test_a_hidden_review_leaves_the_page_and_the_average():
    # given
    line, other = received_line(), None
    other = received_line(sku=line.sku)
    bad = _review(line, rating=1, text="spam spam")
    _review(other, rating=5)
    ops = ops_user()

    # when
    review_hide(review_id=bad.pk, actor=ops)

    # then
    product = line.sku.product
    product.refresh_from_db()
    assert (product.rating_count, product.rating_average) == (1, Decimal("5.00"))

    # and when shown again
    review_show(review_id=bad.pk, actor=ops)
    product.refresh_from_db()
    assert (product.rating_count, product.rating_average) == (2, Decimal("3.00"))


def test_only_operations_hide_reviews():
    # given
    review = _review(received_line())
    merchant_staff = merchant_staff_user(review.product.merchant)

    # when / then
    with pytest.raises(PermissionDenied):
        review_hide(review_id=review.pk, actor=merchant_staff)
    review.refresh_from_db()
    assert review.is_visible


def test_a_product_without_reviews_says_so(client):
    line = received_line()
    html = client.get(reverse("catalog:product", args=[line.sku.product_id])).content.decode()
    assert 'data-testid="no-reviews"' in html


def test_the_product_page_shows_the_newest_ten_and_links_to_all(client):
    # given
    first = received_line()
    for n in range(11):
        line = first if n == 0 else received_line(sku=first.sku)
        _review(line, rating=3, text=f"Review number {n}")

    # when
    page = client.get(reverse("catalog:product", args=[first.sku.product_id])).content.decode()
    all_url = reverse("catalog:product_reviews", args=[first.sku.product_id])
    full = client.get(all_url).content.decode()

    # then
    assert page.count('data-testid="review"') == 10
    assert "Review number 0" not in page
    assert all_url in page
    assert full.count('data-testid="review"') == 11


def test_the_product_page_query_count_does_not_grow_with_reviews(
    client, django_assert_max_num_queries
):
    # given: one review with a picture, then eleven
    first = received_line()
    product = first.sku.product
    _review(first, images=[png_upload()])
    url = reverse("catalog:product", args=[product.pk])
    client.get(url)  # thumbnails are generated on the first view
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    with_one = len(captured)  # read now: the next request clears the query log

    # when
    for _ in range(10):
        _review(received_line(sku=first.sku), images=[png_upload(), jpeg_upload()])
    client.get(url)

    # then
    with django_assert_max_num_queries(with_one):
        response = client.get(url)
    assert response.content.decode().count('data-testid="review-image"') == 20


# --- The invitation on the order page and the form --------------------------------------------


def test_the_order_page_invites_a_review_until_the_line_is_reviewed(client):
    # given
    line = received_line()
    client.force_login(line.order.user)
    order_url = reverse("orders:detail", args=[line.order.order_no])
    form_url = reverse("catalog:review_create", args=[line.order.order_no, line.pk])

    # when
    before = client.get(order_url).content.decode()
    form = client.get(form_url)
    response = client.post(
        form_url, {"rating": "4", "text": "Nice", "images": [png_upload()]}, follow=True
    )

    # then
    assert 'data-testid="review-invite"' in before
    assert form_url in before
    assert form.status_code == 200
    assert line.product_title in form.content.decode()
    after = response.content.decode()
    assert "Thank you for your review." in after
    assert 'data-testid="review-invite"' not in after
    review = Review.objects.get(order_line=line)
    assert (review.rating, review.text, review.images.count()) == (4, "Nice", 1)


def test_no_invitation_before_receipt(client):
    line = unreceived_line()
    client.force_login(line.order.user)
    html = client.get(reverse("orders:detail", args=[line.order.order_no])).content.decode()
    assert 'data-testid="review-invite"' not in html


def test_the_form_shows_a_bad_picture_as_a_message_and_keeps_the_text(client):
    # given
    line = received_line()
    client.force_login(line.order.user)
    url = reverse("catalog:review_create", args=[line.order.order_no, line.pk])

    # when
    response = client.post(
        url, {"rating": "5", "text": "Keep me", "images": [text_disguised_as_jpeg()]}
    )

    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert "is not a JPEG, PNG or WebP picture" in html
    assert "Keep me" in html
    assert not Review.objects.exists()


def test_the_form_of_another_shoppers_line_is_not_found(client):
    line = received_line()
    client.force_login(UserFactory())
    url = reverse("catalog:review_create", args=[line.order.order_no, line.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"rating": "5"}).status_code == 404


def test_the_form_before_receipt_sends_the_shopper_back_to_the_order(client):
    line = unreceived_line()
    client.force_login(line.order.user)
    url = reverse("catalog:review_create", args=[line.order.order_no, line.pk])
    response = client.get(url, follow=True)
    assert "once you have confirmed receipt" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("orders:detail", args=[line.order.order_no])


# --- API ------------------------------------------------------------------------------------------


def test_api_creates_a_review_with_pictures(api_client):
    # given
    line = received_line()
    api_client.force_authenticate(line.order.user)

    # when
    response = api_client.post(
        "/api/reviews/",
        {"order_line_id": line.pk, "rating": 5, "text": "Great", "images": [png_upload()]},
        format="multipart",
    )

    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["rating"], body["text"], len(body["images"])) == (5, "Great", 1)
    assert body["images"][0]["thumbnail"].startswith("http")
    listed = api_client.get(f"/api/products/{line.sku.product_id}/reviews/").json()
    assert listed["count"] == 1
    assert listed["results"][0]["id"] == body["id"]


def test_api_errors_are_400_404_409(api_client):
    # given
    line = received_line()
    api_client.force_authenticate(line.order.user)
    post = lambda **data: api_client.post("/api/reviews/", data, format="multipart")  # noqa: E731

    # then
    bad = post(order_line_id=line.pk, rating=9)
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_rating")
    too_many = post(order_line_id=line.pk, rating=5, images=[png_upload() for _ in range(7)])
    assert (too_many.status_code, too_many.json()["code"]) == (400, "too_many_images")
    fake = post(order_line_id=line.pk, rating=5, images=[text_disguised_as_jpeg()])
    assert (fake.status_code, fake.json()["code"]) == (400, "invalid_image_type")
    assert post(rating=5).status_code == 400
    assert post(order_line_id=received_line().pk, rating=5).status_code == 404
    assert post(order_line_id=unreceived_line(user=line.order.user).pk, rating=5).status_code == 409
    assert post(order_line_id=line.pk, rating=5).status_code == 201
    again = post(order_line_id=line.pk, rating=4)
    assert (again.status_code, again.json()["code"]) == (409, "already_reviewed")
    assert api_client.post("/api/reviews/", [1, 2], format="json").status_code == 400


def test_api_needs_a_signed_in_shopper_and_an_existing_product(api_client):
    assert api_client.post("/api/reviews/", {"rating": 5}).status_code in (401, 403)
    assert api_client.get("/api/products/999999/reviews/").status_code == 404


# --- Merchant reply and the admin -----------------------------------------------------------------


def _change_url(review):
    return reverse("admin:catalog_review_change", args=[review.pk])


def test_the_merchant_replies_once_and_a_second_reply_is_refused():
    # given
    merchant = MerchantFactory()
    review = _review(received_line(merchant=merchant))
    staff = merchant_staff_user(merchant)

    # when
    review_reply(review_id=review.pk, actor=staff, text="  Thanks!  ")

    # then
    review.refresh_from_db()
    assert (review.merchant_reply, review.replied_by, review.has_reply) == ("Thanks!", staff, True)
    with pytest.raises(Conflict):
        review_reply(review_id=review.pk, actor=staff, text="Changed my mind")
    review.refresh_from_db()
    assert review.merchant_reply == "Thanks!"


def test_another_merchant_and_a_shopper_cannot_reply():
    # given
    review = _review(received_line(merchant=MerchantFactory()))
    other_staff = merchant_staff_user(MerchantFactory())

    # when / then
    with pytest.raises(NotFound):
        review_reply(review_id=review.pk, actor=other_staff, text="Buy ours instead")
    with pytest.raises(NotFound):
        review_reply(review_id=review.pk, actor=review.user, text="Replying to myself")
    with pytest.raises(InvalidInput):
        review_reply(review_id=review.pk, actor=ops_user(), text="   ")
    review.refresh_from_db()
    assert not review.has_reply


def test_merchant_staff_reply_in_the_admin_and_then_the_reply_is_read_only(client):
    # given
    merchant = MerchantFactory()
    review = _review(received_line(merchant=merchant), text="Does the job")
    client.force_login(merchant_staff_user(merchant))

    # when
    listing = client.get(reverse("admin:catalog_review_changelist")).content.decode()
    response = client.post(_change_url(review), {"merchant_reply": "Glad it helps"}, follow=True)

    # then
    assert "Does the job" in listing
    assert response.status_code == 200
    assert "Your reply is published under the review." in response.content.decode()
    review.refresh_from_db()
    assert review.merchant_reply == "Glad it helps"
    page = client.get(_change_url(review)).content.decode()
    assert 'name="merchant_reply"' not in page
    client.post(_change_url(review), {"merchant_reply": "Edited"})
    review.refresh_from_db()
    assert review.merchant_reply == "Glad it helps"


def test_merchant_b_cannot_see_or_answer_merchant_as_reviews_in_the_admin(client):
    # given
    review = _review(received_line(merchant=MerchantFactory(name="Shop A")), text="From A")
    client.force_login(merchant_staff_user(MerchantFactory(name="Shop B")))

    # when
    listing = client.get(reverse("admin:catalog_review_changelist"))
    page = client.get(_change_url(review))
    client.post(_change_url(review), {"merchant_reply": "Sneaky"})

    # then
    assert listing.status_code == 200
    assert "From A" not in listing.content.decode()
    assert page.status_code == 302  # the admin says it does not exist
    review.refresh_from_db()
    assert not review.has_reply


def test_operations_hide_and_show_reviews_with_admin_actions(client):
    # given
    line = received_line()
    review = _review(line, rating=1)
    client.force_login(ops_user())
    url = reverse("admin:catalog_review_changelist")

    # when
    client.post(url, {"action": "hide_reviews", "_selected_action": [review.pk]})

    # then
    review.refresh_from_db()
    line.sku.product.refresh_from_db()
    assert not review.is_visible
    assert line.sku.product.rating_count == 0
    client.post(url, {"action": "show_reviews", "_selected_action": [review.pk]})
    review.refresh_from_db()
    assert review.is_visible


def test_merchant_staff_have_no_hide_action(client):
    merchant = MerchantFactory()
    _review(received_line(merchant=merchant))
    client.force_login(merchant_staff_user(merchant))
    html = client.get(reverse("admin:catalog_review_changelist")).content.decode()
    assert "hide_reviews" not in html


def _review_changelist_queries(client, reviews: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(reviews):
        _review(received_line())  # no pictures: picture_total is 0
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("admin:catalog_review_changelist")).status_code == 200
    return len(queries)


def test_the_review_changelist_does_not_count_pictures_row_by_row(client):
    # given
    client.force_login(ops_user())

    # when: the list shows 1 review, then 6
    one = _review_changelist_queries(client, 1)
    six = _review_changelist_queries(client, 5)

    # then
    assert six == one
