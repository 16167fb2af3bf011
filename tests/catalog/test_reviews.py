"""Reviews: a shopper reviews each received line once (rating, text, up to six real pictures);
the product page shows them with the average; the merchant answers once in the admin."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Review, ReviewImage
from catalog.services.reviews import review_create, review_hide, review_reply, review_show
from orders.services import sub_order_complete
from shop.errors import Conflict, InvalidInput, NotFound
from tests.accounts.factories import UserFactory
from tests.catalog.factories import MerchantFactory
from tests.catalog.factories_admin import merchant_staff_user, ops_user
from tests.catalog.factories_reviews import (
    ReviewFactory,
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
    sub_order_complete(sub_order_id=line.sub_order_id)

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
