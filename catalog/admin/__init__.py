"""The catalogue admin where merchants and platform operations work all day.

Every admin of merchant data is scoped with catalog.admin_scope: a merchant's staff see and edit
only their own merchant's rows, operations see all. Stock is never saved directly: the stock
record form calls catalog.services.stock, and the ledger (StockMove) is read-only.

- merchants: merchants, their staff, warehouses (platform operations)
- reference: categories, brands, attributes (shared by every merchant)
- products: products with their SKUs and images; imports: the CSV / Excel import page
- stock: stock records (changed through the stock service) and the ledger
- promotions, shipping, flash_sales: what a merchant sells at which price and ships how
"""

from catalog import admin_reviews

from . import flash_sales, merchants, products, promotions, reference, shipping, stock

__all__ = [
    "admin_reviews",
    "flash_sales",
    "merchants",
    "products",
    "promotions",
    "reference",
    "shipping",
    "stock",
]
