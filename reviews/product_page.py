"""The reviews section of the product page (registered with catalog.product_page)."""

from reviews.selectors import product_reviews_summary


def product_reviews_section(product) -> tuple[str, dict]:
    """The rating summary and the newest reviews: no query for a product without reviews."""
    return "reviews/_reviews.html", {"reviews": product_reviews_summary(product)}
