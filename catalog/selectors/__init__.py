"""Read queries of the catalogue, shared by storefront pages, the API and the admin: one module
per kind of read. This package is their public surface."""

from .categories import (
    CategoryIndex,
    CategoryNode,
    category_ancestors,
    category_by_slug,
    category_descendant_ids,
    category_tree,
    resolve_category_ids,
)
from .listing import (
    DEFAULT_ORDERING,
    FACET_SAMPLE_SIZE,
    LISTING_COUNT_CAP,
    ORDERING_CHOICES,
    ORDERING_RELEVANCE,
    ORDERINGS,
    TYPO_SIMILARITY,
    attribute_values_for,
    brands_for,
    facet_sample,
    featured_products,
    listed_products,
    newest_products,
    product_search,
    search_correction,
    search_terms,
    search_terms_all,
)
from .no_reason_return import (
    no_reason_return_allowed,
)
from .product_page import (
    ProductDetail,
    image_spec_url,
    product_detail,
    sku_label,
)
from .stock import (
    product_sellable_expression,
    sku_is_sold,
    sku_sellable,
    sku_sellable_expression,
    stock_ledger_mismatches,
)

__all__ = [
    "CategoryIndex",
    "CategoryNode",
    "DEFAULT_ORDERING",
    "FACET_SAMPLE_SIZE",
    "LISTING_COUNT_CAP",
    "ORDERINGS",
    "ORDERING_CHOICES",
    "ORDERING_RELEVANCE",
    "ProductDetail",
    "TYPO_SIMILARITY",
    "attribute_values_for",
    "brands_for",
    "category_ancestors",
    "category_by_slug",
    "category_descendant_ids",
    "category_tree",
    "facet_sample",
    "featured_products",
    "image_spec_url",
    "listed_products",
    "newest_products",
    "no_reason_return_allowed",
    "product_detail",
    "product_search",
    "product_sellable_expression",
    "resolve_category_ids",
    "search_correction",
    "search_terms",
    "search_terms_all",
    "sku_is_sold",
    "sku_label",
    "sku_sellable",
    "sku_sellable_expression",
    "stock_ledger_mismatches",
]
