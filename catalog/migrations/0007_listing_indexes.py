"""Storefront listings read from indexes (issue 12, catalogue part).

- One partial index per storefront order, with its tie-breakers, over active products: the
  (is_active, one column) indexes they replace made PostgreSQL sort every match for a page.
- Trigram GIN indexes on UPPER(title) and UPPER(subtitle): Django's `icontains` is
  `UPPER(col::text) LIKE UPPER(%s)`, which the trigram indexes on the bare columns (0002) never
  served, so every search scanned the table. The index on the bare title stays: the typo match
  (`term <% title`, pg_trgm word similarity) uses it. The one on the bare subtitle served
  nothing and goes.
- ANALYZE at the end, for the planner's statistics of the new expressions.
"""

from django.db import migrations, models

from shop.db import RunSQLOnPostgres


class Migration(migrations.Migration):
    dependencies = [("catalog", "0006_cart_moves_out")]

    operations = [
        migrations.RemoveIndex(model_name="product", name="product_active_price"),
        migrations.RemoveIndex(model_name="product", name="product_active_sales"),
        migrations.RemoveIndex(model_name="product", name="product_active_newest"),
        migrations.AddIndex(
            model_name="product",
            index=models.Index(
                condition=models.Q(("is_active", True)),
                fields=["-is_featured", "-sales_count", "-created_at", "-id"],
                name="product_listed_default",
            ),
        ),
        migrations.AddIndex(
            model_name="product",
            index=models.Index(
                condition=models.Q(("is_active", True)),
                fields=["-sales_count", "-created_at", "-id"],
                name="product_listed_sales",
            ),
        ),
        migrations.AddIndex(
            model_name="product",
            index=models.Index(
                condition=models.Q(("is_active", True)),
                fields=["-created_at", "-id"],
                name="product_listed_new",
            ),
        ),
        migrations.AddIndex(
            model_name="product",
            index=models.Index(
                condition=models.Q(("is_active", True)),
                fields=["price_from", "id"],
                name="product_listed_price",
            ),
        ),
        RunSQLOnPostgres(
            "CREATE INDEX product_title_upper_trgm ON catalog_product "
            "USING gin ((UPPER(title::text)) gin_trgm_ops);",
            "DROP INDEX IF EXISTS product_title_upper_trgm;",
        ),
        RunSQLOnPostgres(
            "CREATE INDEX product_subtitle_upper_trgm ON catalog_product "
            "USING gin ((UPPER(subtitle::text)) gin_trgm_ops);",
            "DROP INDEX IF EXISTS product_subtitle_upper_trgm;",
        ),
        RunSQLOnPostgres(
            "DROP INDEX IF EXISTS product_subtitle_trgm;",
            "CREATE INDEX product_subtitle_trgm ON catalog_product "
            "USING gin (subtitle gin_trgm_ops);",
        ),
        # Statistics of the UPPER() expressions exist only after an ANALYZE; without them the
        # planner guesses how many titles contain a word.
        RunSQLOnPostgres("ANALYZE catalog_product;", migrations.RunSQL.noop),
    ]
