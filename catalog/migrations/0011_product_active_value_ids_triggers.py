"""The triggers that keep `catalog_product.active_value_ids` (0010), and its fill.

Only SKUs and their value links change what a product offers, so statement-level triggers on
those two tables recount the column for the products a statement touched: a bulk insert of
2,000 links is one recount, not 2,000, and a SKU update that moves neither its activity nor its
product recounts nothing. The recount first locks the products' rows: one that waited there for
another transaction editing the same product then reads (a new statement, a new snapshot) what
that one committed, so two concurrent edits of one product cannot leave it stale.

The existing rows are filled by one UPDATE ... FROM of every product's aggregated links. The
SKU and link tables are locked against writes (SHARE) for this migration's transaction, so no
edit is committed between the fill's snapshot and the triggers; storefront reads go on.
"""

from django.db import migrations

from shop.db import RunSQLOnPostgres

ACTIVE_VALUE_IDS_TRIGGERS = """
LOCK TABLE catalog_sku, catalog_sku_attribute_values IN SHARE MODE;

CREATE FUNCTION catalog_product_active_value_ids_recount(product_ids bigint[]) RETURNS void AS $$
BEGIN
    IF cardinality(product_ids) = 0 THEN
        RETURN;
    END IF;
    -- Locked before they are read: after waiting for a concurrent edit of the same product,
    -- the UPDATE below (a new snapshot) sees what that edit committed.
    PERFORM 1 FROM catalog_product WHERE id = ANY(product_ids) ORDER BY id FOR UPDATE;
    UPDATE catalog_product AS product SET active_value_ids = fresh.value_ids
    FROM (
        SELECT touched.id, coalesce(
            array_agg(DISTINCT link.attributevalue_id ORDER BY link.attributevalue_id)
                FILTER (WHERE link.attributevalue_id IS NOT NULL),
            '{}'
        ) AS value_ids
        FROM unnest(product_ids) AS touched(id)
        LEFT JOIN catalog_sku AS sku ON sku.product_id = touched.id AND sku.is_active
        LEFT JOIN catalog_sku_attribute_values AS link ON link.sku_id = sku.id
        GROUP BY touched.id
    ) AS fresh
    WHERE product.id = fresh.id AND product.active_value_ids <> fresh.value_ids;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION catalog_sku_active_value_ids() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM catalog_product_active_value_ids_recount(
            ARRAY(SELECT DISTINCT product_id FROM added_skus)
        );
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM catalog_product_active_value_ids_recount(
            ARRAY(SELECT DISTINCT product_id FROM removed_skus)
        );
    ELSE
        -- Only a SKU that changed activity or product changes what a product offers (a price
        -- or a code edit recounts nothing).
        PERFORM catalog_product_active_value_ids_recount(ARRAY(
            SELECT DISTINCT moved.product_id
            FROM removed_skus AS before_edit
            JOIN added_skus AS after_edit ON after_edit.id = before_edit.id
            CROSS JOIN LATERAL (
                VALUES (before_edit.product_id), (after_edit.product_id)
            ) AS moved(product_id)
            WHERE before_edit.is_active IS DISTINCT FROM after_edit.is_active
               OR before_edit.product_id IS DISTINCT FROM after_edit.product_id
        ));
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION catalog_sku_link_active_value_ids() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM catalog_product_active_value_ids_recount(ARRAY(
            SELECT DISTINCT sku.product_id
            FROM added_links AS link JOIN catalog_sku AS sku ON sku.id = link.sku_id
        ));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM catalog_product_active_value_ids_recount(ARRAY(
            SELECT DISTINCT sku.product_id
            FROM removed_links AS link JOIN catalog_sku AS sku ON sku.id = link.sku_id
        ));
    ELSE
        PERFORM catalog_product_active_value_ids_recount(ARRAY(
            SELECT sku.product_id
            FROM added_links AS link JOIN catalog_sku AS sku ON sku.id = link.sku_id
            UNION
            SELECT sku.product_id
            FROM removed_links AS link JOIN catalog_sku AS sku ON sku.id = link.sku_id
        ));
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER catalog_sku_active_value_ids_insert
AFTER INSERT ON catalog_sku REFERENCING NEW TABLE AS added_skus
FOR EACH STATEMENT EXECUTE FUNCTION catalog_sku_active_value_ids();
CREATE TRIGGER catalog_sku_active_value_ids_update
AFTER UPDATE ON catalog_sku REFERENCING OLD TABLE AS removed_skus NEW TABLE AS added_skus
FOR EACH STATEMENT EXECUTE FUNCTION catalog_sku_active_value_ids();
CREATE TRIGGER catalog_sku_active_value_ids_delete
AFTER DELETE ON catalog_sku REFERENCING OLD TABLE AS removed_skus
FOR EACH STATEMENT EXECUTE FUNCTION catalog_sku_active_value_ids();

CREATE TRIGGER catalog_sku_link_active_value_ids_insert
AFTER INSERT ON catalog_sku_attribute_values REFERENCING NEW TABLE AS added_links
FOR EACH STATEMENT EXECUTE FUNCTION catalog_sku_link_active_value_ids();
CREATE TRIGGER catalog_sku_link_active_value_ids_update
AFTER UPDATE ON catalog_sku_attribute_values
REFERENCING OLD TABLE AS removed_links NEW TABLE AS added_links
FOR EACH STATEMENT EXECUTE FUNCTION catalog_sku_link_active_value_ids();
CREATE TRIGGER catalog_sku_link_active_value_ids_delete
AFTER DELETE ON catalog_sku_attribute_values REFERENCING OLD TABLE AS removed_links
FOR EACH STATEMENT EXECUTE FUNCTION catalog_sku_link_active_value_ids();

UPDATE catalog_product AS product SET active_value_ids = offered.value_ids
FROM (
    SELECT sku.product_id,
           array_agg(DISTINCT link.attributevalue_id ORDER BY link.attributevalue_id) AS value_ids
    FROM catalog_sku AS sku
    JOIN catalog_sku_attribute_values AS link ON link.sku_id = sku.id
    WHERE sku.is_active
    GROUP BY sku.product_id
) AS offered
WHERE product.id = offered.product_id;
"""

NO_ACTIVE_VALUE_IDS_TRIGGERS = """
DROP TRIGGER IF EXISTS catalog_sku_link_active_value_ids_delete ON catalog_sku_attribute_values;
DROP TRIGGER IF EXISTS catalog_sku_link_active_value_ids_update ON catalog_sku_attribute_values;
DROP TRIGGER IF EXISTS catalog_sku_link_active_value_ids_insert ON catalog_sku_attribute_values;
DROP TRIGGER IF EXISTS catalog_sku_active_value_ids_delete ON catalog_sku;
DROP TRIGGER IF EXISTS catalog_sku_active_value_ids_update ON catalog_sku;
DROP TRIGGER IF EXISTS catalog_sku_active_value_ids_insert ON catalog_sku;
DROP FUNCTION IF EXISTS catalog_sku_link_active_value_ids();
DROP FUNCTION IF EXISTS catalog_sku_active_value_ids();
DROP FUNCTION IF EXISTS catalog_product_active_value_ids_recount(bigint[]);
-- Nothing keeps the column now: emptied, so that migrating forwards again fills it from scratch.
UPDATE catalog_product SET active_value_ids = '{}' WHERE active_value_ids <> '{}';
"""


class Migration(migrations.Migration):
    dependencies = [("catalog", "0010_product_active_value_ids")]

    operations = [RunSQLOnPostgres(ACTIVE_VALUE_IDS_TRIGGERS, NO_ACTIVE_VALUE_IDS_TRIGGERS)]
