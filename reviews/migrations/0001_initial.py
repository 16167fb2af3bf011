"""Review and ReviewImage, now an app above orders (a review is of an order line).

On a database where catalog 0003 created them (every database migrated before the move), the
tables catalog_review and catalog_reviewimage become reviews_review and reviews_reviewimage with
their rows, and the models' content types (with their permissions) move along; on a fresh
database the tables are created here, and catalog's history no longer depends on orders.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from shop.db import AdoptTable, move_content_types


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("catalog", "0006_cart_moves_out"),
        ("orders", "0002_suborder_aftersales_open"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Review",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("rating", models.PositiveSmallIntegerField()),
                        ("text", models.TextField(blank=True)),
                        ("is_visible", models.BooleanField(default=True)),
                        ("merchant_reply", models.TextField(blank=True)),
                        ("replied_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "order_line",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="review",
                                to="orders.orderline",
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reviews",
                                to="catalog.product",
                            ),
                        ),
                        (
                            "replied_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reviews",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-created_at", "-id"],
                        "indexes": [
                            models.Index(
                                condition=models.Q(("is_visible", True)),
                                fields=["product", "-created_at"],
                                name="review_visible_newest",
                            ),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("rating__gte", 1), ("rating__lte", 5)),
                                name="review_rating_1_to_5",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ReviewImage",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("image", models.ImageField(upload_to="reviews/%Y/%m/")),
                        ("position", models.PositiveSmallIntegerField(default=0)),
                        (
                            "review",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="images",
                                to="reviews.review",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["position", "id"],
                    },
                ),
            ],
        ),
        AdoptTable(model_name="review", old_table="catalog_review"),
        AdoptTable(model_name="reviewimage", old_table="catalog_reviewimage"),
        move_content_types(old_app="catalog", new_app="reviews", models=["review", "reviewimage"]),
    ]
