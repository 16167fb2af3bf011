"""The product's rating columns.

This migration used to create the review tables too, which made catalog's history depend on
orders (a review is of an order line). Reviews are an app of their own now: reviews 0001
creates their tables on a fresh database and, on a database where this migration created them
as catalog_review and catalog_reviewimage, takes those tables over with their rows. Unapplied,
this migration still drops them if they are there, as it always did.
"""

from decimal import Decimal

from django.db import migrations, models

DROP_OLD_REVIEW_TABLES = [
    "DROP TABLE IF EXISTS catalog_reviewimage;",
    "DROP TABLE IF EXISTS catalog_review;",
]


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_search_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="rating_average",
            field=models.DecimalField(decimal_places=2, default=Decimal("0.00"), max_digits=3),
        ),
        migrations.AddField(
            model_name="product",
            name="rating_count",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunSQL(migrations.RunSQL.noop, DROP_OLD_REVIEW_TABLES),
    ]
