"""Each product's active attribute values in a column of its own (kept by the triggers of 0011).

`catalog_product.active_value_ids` (bigint[], sorted, distinct) holds the ids of the attribute
values that the product's active SKUs carry: what the values facet offers for it. The listing's
walk of the sales index reads it with each match, so the facet of a broad search is the union of
arrays the walk read anyway, instead of a second statement joining 1,000 products' SKUs and value
links (5-7 ms at 100,200 products, docs/benchmarks.md (b)).

The column is not a model field: Django never writes it (the default gives a new product an
empty array, the triggers do the rest) and only the listing's walk reads it. On SQLite (the
`make run` fallback) there is no column, and the facet is read by the query it always was.

Added in a migration of its own: a column with a constant default changes only PostgreSQL's
system catalog, but under the table's exclusive lock, which would otherwise be held (every
storefront read waiting) until 0011's fill of every row committed.
"""

from django.db import migrations

from shop.db import RunSQLOnPostgres

ACTIVE_VALUE_IDS = """
ALTER TABLE catalog_product ADD COLUMN active_value_ids bigint[] NOT NULL DEFAULT '{}';
COMMENT ON COLUMN catalog_product.active_value_ids IS
    'Attribute value ids of the product''s active SKUs, sorted; kept by the triggers of '
    'catalog_sku and catalog_sku_attribute_values (catalog migration 0011).';
"""


class Migration(migrations.Migration):
    dependencies = [("catalog", "0009_search_cjk_bigrams")]

    operations = [
        RunSQLOnPostgres(
            ACTIVE_VALUE_IDS,
            "ALTER TABLE catalog_product DROP COLUMN IF EXISTS active_value_ids;",
        )
    ]
