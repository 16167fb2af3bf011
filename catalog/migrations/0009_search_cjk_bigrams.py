"""Chinese query words of one or two characters served by the full-text GIN index.

A word of one or two characters ("茶", "手机") has no trigram, so `UPPER(title) LIKE '%手机%'`
could not use the trigram indexes of 0007 and PostgreSQL read rows until it had enough matches
(the whole table for a rare word). pg_bigm and zhparser are not installed; the search document
now also holds the CJK unigrams and bigrams of the title, subtitle and brand name as lexemes
("华为手机" -> 华为 为手 手机 华 为 手 机, the bigrams at consecutive positions), and
catalog.selectors.listing turns a CJK query word into its unigram or the phrase of its bigrams,
which `product_search_document_gin` serves.

- `catalog_cjk_grams(text)`: the grams of each run of CJK ideographs, as space-separated words;
  each run's bigrams, then its unigrams, so that the bigrams of two runs are never adjacent (a
  phrase cannot match across a run boundary).
- `catalog_product_search_vector(title, subtitle, description, brand)`: the document, one
  definition for the trigger and for the refill of existing rows.
- The product trigger also fires on a change of brand, and renaming a brand rewrites its
  products' documents (the brand's name is in them now).

Also the category pages' indexes: a category's active products in the default and the sales
order (the second also the order of the facets' sample), so that a page of one category is
read in index order and the scan stops after it; the (is_active, category) index made
PostgreSQL read and sort every product of the category.
"""

from django.db import migrations, models

from shop.db import RunSQLOnPostgres

# \u escapes are read by PostgreSQL's regular expression engine (the literal keeps them as
# typed): CJK Unified Ideographs, Extension A and the Compatibility Ideographs; the same
# ranges as catalog.selectors.listing.CJK_WORD.
CJK_GRAMS = r"""
CREATE OR REPLACE FUNCTION catalog_cjk_grams(body text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(string_agg(concat_ws(' ',
        (SELECT string_agg(substr(run.found[1], i, 2), ' ' ORDER BY i)
         FROM generate_series(1, char_length(run.found[1]) - 1) AS i),
        (SELECT string_agg(substr(run.found[1], i, 1), ' ' ORDER BY i)
         FROM generate_series(1, char_length(run.found[1])) AS i)
    ), ' ' ORDER BY run.n), '')
    FROM regexp_matches(
        coalesce(body, ''), '[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+', 'g'
    ) WITH ORDINALITY AS run(found, n)
$$;

CREATE OR REPLACE FUNCTION catalog_product_search_vector(
    title text, subtitle text, description text, brand text
) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT
        setweight(to_tsvector('simple', coalesce(title, '')), 'A') ||
        setweight(to_tsvector('simple', catalog_cjk_grams(title)), 'A') ||
        setweight(to_tsvector('simple', coalesce(subtitle, '')), 'B') ||
        setweight(to_tsvector('simple', catalog_cjk_grams(subtitle)), 'B') ||
        setweight(to_tsvector('simple', coalesce(brand, '')), 'B') ||
        setweight(to_tsvector('simple', catalog_cjk_grams(brand)), 'B') ||
        setweight(to_tsvector('simple', coalesce(description, '')), 'C')
$$;

CREATE OR REPLACE FUNCTION catalog_product_search_document() RETURNS trigger AS $$
BEGIN
    NEW.search_document := catalog_product_search_vector(
        NEW.title, NEW.subtitle, NEW.description,
        (SELECT name FROM catalog_brand WHERE id = NEW.brand_id)
    );
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS catalog_product_search_document_trigger ON catalog_product;
CREATE TRIGGER catalog_product_search_document_trigger
BEFORE INSERT OR UPDATE OF title, subtitle, description, brand_id ON catalog_product
FOR EACH ROW EXECUTE FUNCTION catalog_product_search_document();

CREATE OR REPLACE FUNCTION catalog_brand_search_document() RETURNS trigger AS $$
BEGIN
    -- SET brand_id = brand_id fires the product trigger above for each of its products.
    UPDATE catalog_product SET brand_id = brand_id WHERE brand_id = NEW.id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER catalog_brand_search_document_trigger
AFTER UPDATE OF name ON catalog_brand
FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
EXECUTE FUNCTION catalog_brand_search_document();

UPDATE catalog_product SET search_document = catalog_product_search_vector(
    title, subtitle, description,
    (SELECT name FROM catalog_brand WHERE catalog_brand.id = catalog_product.brand_id)
);
"""

# Back to 0002's document: words of the title, subtitle and description only.
PLAIN_DOCUMENT = """
DROP TRIGGER IF EXISTS catalog_brand_search_document_trigger ON catalog_brand;
DROP FUNCTION IF EXISTS catalog_brand_search_document();

CREATE OR REPLACE FUNCTION catalog_product_search_document() RETURNS trigger AS $$
BEGIN
    NEW.search_document :=
        setweight(to_tsvector('simple', coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector('simple', coalesce(NEW.subtitle, '')), 'B') ||
        setweight(to_tsvector('simple', coalesce(NEW.description, '')), 'C');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS catalog_product_search_document_trigger ON catalog_product;
CREATE TRIGGER catalog_product_search_document_trigger
BEFORE INSERT OR UPDATE OF title, subtitle, description ON catalog_product
FOR EACH ROW EXECUTE FUNCTION catalog_product_search_document();

UPDATE catalog_product SET search_document =
    setweight(to_tsvector('simple', coalesce(title, '')), 'A') ||
    setweight(to_tsvector('simple', coalesce(subtitle, '')), 'B') ||
    setweight(to_tsvector('simple', coalesce(description, '')), 'C');

DROP FUNCTION IF EXISTS catalog_product_search_vector(text, text, text, text);
DROP FUNCTION IF EXISTS catalog_cjk_grams(text);
ANALYZE catalog_product;
"""


class Migration(migrations.Migration):
    dependencies = [("catalog", "0008_admin_names")]

    operations = [
        RunSQLOnPostgres(CJK_GRAMS, PLAIN_DOCUMENT),
        migrations.AddIndex(
            model_name="product",
            index=models.Index(
                condition=models.Q(("is_active", True)),
                fields=["category", "-is_featured", "-sales_count", "-created_at", "-id"],
                name="product_category_default",
            ),
        ),
        migrations.AddIndex(
            model_name="product",
            index=models.Index(
                condition=models.Q(("is_active", True)),
                fields=["category", "-sales_count", "-created_at", "-id"],
                name="product_category_sales",
            ),
        ),
        RunSQLOnPostgres("ANALYZE catalog_product;", migrations.RunSQL.noop),
    ]
