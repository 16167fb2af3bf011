"""The cart is an app of its own: its models leave catalog's state here, and cart 0001 takes
over their tables (catalog_cart and catalog_cartitem, with their rows)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_flash_sale"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="CartItem"),
                migrations.DeleteModel(name="Cart"),
            ],
        ),
    ]
