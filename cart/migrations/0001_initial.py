"""Cart and CartItem move here from catalog (catalog 0006 lets go of them): the tables
catalog_cart and catalog_cartitem become cart_cart and cart_cartitem with their rows, and the
models' content types (with their permissions) move along."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from shop.db import AdoptTable, move_content_types


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("catalog", "0006_cart_moves_out"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Cart",
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
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                ),
                migrations.CreateModel(
                    name="CartItem",
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
                        ("quantity", models.PositiveIntegerField()),
                        ("added_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "cart",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="items",
                                to="cart.cart",
                            ),
                        ),
                        (
                            "sku",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="catalog.sku",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["added_at", "id"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("cart", "sku"), name="one_cart_line_per_sku"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("quantity__gte", 1)),
                                name="cart_quantity_ge_1",
                            ),
                        ],
                    },
                ),
            ],
        ),
        AdoptTable(model_name="cart", old_table="catalog_cart"),
        AdoptTable(model_name="cartitem", old_table="catalog_cartitem"),
        move_content_types(old_app="catalog", new_app="cart", models=["cart", "cartitem"]),
    ]
