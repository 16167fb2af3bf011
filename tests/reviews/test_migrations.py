"""Carts and reviews keep every row when they move out of catalog: a database migrated before
the move (the tables catalog_cart, catalog_cartitem, catalog_review and catalog_reviewimage)
migrates forward to the same rows, ids and permissions in the cart and reviews apps."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from cart.models import Cart
from reviews.models import Review, ReviewImage
from tests.reviews.factories import received_line

# Catalog's last migration before the move; unapplying what follows it takes cart 0001 and
# reviews 0001 back too, and their tables get their catalog names back.
BEFORE_THE_MOVE = ("catalog", "0005_flash_sale")


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    return executor


def _migrate_to_today() -> None:
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _insert_old_review(*, line, text: str) -> tuple[int, int]:
    """A review with one picture as catalog stored them before the move (no model of today
    maps those tables, so plain SQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO catalog_review (product_id, order_line_id, user_id, rating, text, "
            "is_visible, merchant_reply, created_at) "
            "VALUES (%s, %s, %s, 4, %s, true, '', now()) RETURNING id",
            [line.sku.product_id, line.pk, line.order.user_id, text],
        )
        review_id = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO catalog_reviewimage (review_id, image, position) "
            "VALUES (%s, 'reviews/2026/12/before-the-move.png', 0) RETURNING id",
            [review_id],
        )
        return review_id, cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_move_keeps_its_carts_and_reviews():
    # given: an order line to review and a SKU to buy (made with today's schema)
    line = received_line()
    shopper = line.order.user
    try:
        # and the database as it was before the move
        executor = _migrate([BEFORE_THE_MOVE])
        tables = connection.introspection.table_names()
        assert {"catalog_cart", "catalog_cartitem", "catalog_review", "catalog_reviewimage"} <= (
            set(tables)
        )
        assert not {"cart_cart", "reviews_review"} & set(tables)
        old = executor.loader.project_state(BEFORE_THE_MOVE).apps
        old_cart = old.get_model("catalog", "Cart").objects.create(user_id=shopper.pk)
        old_item = old.get_model("catalog", "CartItem").objects.create(
            cart_id=old_cart.pk, sku_id=line.sku_id, quantity=3
        )
        review_id, image_id = _insert_old_review(line=line, text="Kept across the move")
        # a permission given on the old model, to a user directly
        shopper.user_permissions.add(
            Permission.objects.get(content_type__app_label="catalog", codename="change_review")
        )

        # when
        _migrate_to_today()
    finally:
        _migrate_to_today()  # whatever happened, the tests after this one get today's schema

    # then: the same rows, with the same ids, through the new models
    cart = Cart.objects.get(user=shopper)
    assert cart.pk == old_cart.pk
    item = cart.items.get()
    assert (item.pk, item.sku_id, item.quantity) == (old_item.pk, line.sku_id, 3)
    review = Review.objects.get(pk=review_id)
    assert (review.order_line_id, review.user_id, review.rating, review.text) == (
        line.pk,
        shopper.pk,
        4,
        "Kept across the move",
    )
    assert [(image.pk, image.image.name) for image in review.images.all()] == [
        (image_id, "reviews/2026/12/before-the-move.png")
    ]
    assert line.__class__.objects.get(pk=line.pk).review == review
    # the permission moved with its content type
    shopper = shopper.__class__.objects.get(pk=shopper.pk)
    assert shopper.has_perm("reviews.change_review")
    assert not ContentType.objects.filter(app_label="catalog", model__in=["review", "cart"])
    # and new rows take ids after the old ones
    assert ReviewImage.objects.create(review=review, image="reviews/x.png").pk > image_id


def test_catalog_migrations_depend_on_no_app_above_catalog():
    # given
    loader = MigrationLoader(None, ignore_no_migrations=True)
    above = {"cart", "orders", "reviews", "payments", "logistics", "aftersales"}

    # when
    depended_on = {
        parent[0]
        for key, migration in loader.disk_migrations.items()
        if key[0] == "catalog"
        for parent in migration.dependencies
    }

    # then: the old cycle (catalog 0003 -> orders 0002 -> catalog 0002) is gone
    assert not depended_on & above
