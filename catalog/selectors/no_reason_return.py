"""7-day no-reason return (七天无理由退货): which SKUs the rule allows, from their categories."""

import logging

from django.db import connection
from django.db.models import (
    BooleanField,
)
from django.db.models.expressions import RawSQL

from catalog.models import (
    SKU,
    Category,
    Product,
)

logger = logging.getLogger(__name__)


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "sku": quote(SKU._meta.db_table),
        "product": quote(Product._meta.db_table),
        "category": quote(Category._meta.db_table),
    }


def categories_allow_no_reason(*, product_id: int) -> RawSQL:
    """True when no category from the product's up to the root switches 7-day no-reason return
    off: a subquery of the product query, so the product page needs no query of its own. UNION
    (not UNION ALL) ends the walk even if the admin ever saved a cycle of parents."""
    t = _tables()
    return RawSQL(
        f"""NOT EXISTS (
            WITH RECURSIVE up (id, parent_id, allowed) AS (
                SELECT c.id, c.parent_id, c.no_reason_return FROM {t["category"]} c
                WHERE c.id = (SELECT p.category_id FROM {t["product"]} p WHERE p.id = %s)
              UNION
                SELECT c.id, c.parent_id, c.no_reason_return
                FROM {t["category"]} c JOIN up ON c.id = up.parent_id
            )
            SELECT 1 FROM up WHERE NOT up.allowed
        )""",
        [product_id],
        output_field=BooleanField(),
    )


def no_reason_return_allowed(*, sku_ids: list[int]) -> dict[int, bool]:
    """{sku_id: may it be returned within 7 days without a reason (七天无理由退货)}, in one
    query: only when its product allows it and so do its category and every category above it
    (food, custom goods switch it off for a product or a whole branch). SKU ids that do not
    exist are left out."""
    ids = sorted({int(pk) for pk in sku_ids})
    if not ids:
        return {}
    t = _tables()
    placeholders = ", ".join(["%s"] * len(ids))
    # chain: one row per SKU and category on its way up, `allowed` 1 or 0 (the first row also
    # carries the product's own flag); a SKU is allowed when every row of it is.
    sql = f"""
        WITH RECURSIVE chain (sku_id, parent_id, allowed) AS (
            SELECT s.id, c.parent_id,
                   CASE WHEN p.no_reason_return AND c.no_reason_return THEN 1 ELSE 0 END
            FROM {t["sku"]} s
            JOIN {t["product"]} p ON p.id = s.product_id
            JOIN {t["category"]} c ON c.id = p.category_id
            WHERE s.id IN ({placeholders})
          UNION
            SELECT chain.sku_id, c.parent_id, CASE WHEN c.no_reason_return THEN 1 ELSE 0 END
            FROM chain JOIN {t["category"]} c ON c.id = chain.parent_id
        )
        SELECT sku_id, MIN(allowed) FROM chain GROUP BY sku_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        return {sku_id: bool(allowed) for sku_id, allowed in cursor.fetchall()}
