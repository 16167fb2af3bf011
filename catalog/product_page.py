"""Sections that apps above catalog add to the product page (the reviews, for one).

Catalog sits below the apps that say more about a product, so it cannot import them: each
registers a section here at start-up (its AppConfig.ready) and the product page renders the
sections in turn (`{% product_sections product %}`, catalog_tags), as if it included them.
"""

from collections.abc import Callable

from catalog.models import Product

# product -> (template name, context for it), or None to show nothing for this product.
ProductSection = Callable[[Product], tuple[str, dict] | None]

_sections: list[ProductSection] = []


def register_product_section(section: ProductSection) -> None:
    """Add a section under the product's details (idempotent: ready() may run twice)."""
    if section not in _sections:
        _sections.append(section)


def product_sections_for(product: Product) -> list[tuple[str, dict]]:
    """The registered sections of `product` as (template name, context), in registration
    order."""
    rendered = (section(product) for section in _sections)
    return [part for part in rendered if part is not None]
