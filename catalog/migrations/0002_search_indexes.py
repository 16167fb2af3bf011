"""PostgreSQL search: pg_trgm, a trigger that keeps Product.search_document current (so bulk
inserts and admin edits alike are searchable), and GIN indexes for full-text and trigram match.
On SQLite (the `make run` fallback) these are skipped and search uses substring matching."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from shop.db import RunSQLOnPostgres

SEARCH_TRIGGER = """
CREATE OR REPLACE FUNCTION catalog_product_search_document() RETURNS trigger AS $$
BEGIN
    NEW.search_document :=
        setweight(to_tsvector('simple', coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector('simple', coalesce(NEW.subtitle, '')), 'B') ||
        setweight(to_tsvector('simple', coalesce(NEW.description, '')), 'C');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER catalog_product_search_document_trigger
BEFORE INSERT OR UPDATE OF title, subtitle, description ON catalog_product
FOR EACH ROW EXECUTE FUNCTION catalog_product_search_document();
"""

DROP_SEARCH_TRIGGER = """
DROP TRIGGER IF EXISTS catalog_product_search_document_trigger ON catalog_product;
DROP FUNCTION IF EXISTS catalog_product_search_document();
"""


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        TrigramExtension(),
        RunSQLOnPostgres(SEARCH_TRIGGER, DROP_SEARCH_TRIGGER),
        RunSQLOnPostgres(
            "CREATE INDEX product_search_document_gin ON catalog_product "
            "USING gin (search_document);",
            "DROP INDEX IF EXISTS product_search_document_gin;",
        ),
        RunSQLOnPostgres(
            "CREATE INDEX product_title_trgm ON catalog_product USING gin (title gin_trgm_ops);",
            "DROP INDEX IF EXISTS product_title_trgm;",
        ),
        RunSQLOnPostgres(
            "CREATE INDEX product_subtitle_trgm ON catalog_product "
            "USING gin (subtitle gin_trgm_ops);",
            "DROP INDEX IF EXISTS product_subtitle_trgm;",
        ),
    ]
