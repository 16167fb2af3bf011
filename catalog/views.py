"""Storefront pages of the catalogue: home, category, search and product.

Views read through catalog.selectors; anything a shopper can get wrong becomes a message on the
page, never a 500.
"""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from catalog.filters import SEARCH_MAX_LENGTH, search_arguments, storefront_filter
from catalog.pagination import CappedPaginator
from catalog.promotion_selectors import offers_for_products
from catalog.selectors import (
    LISTING_COUNT_CAP,
    ORDERING_CHOICES,
    CategoryIndex,
    card_thumbnails,
    category_ancestors,
    category_by_slug,
    category_tree,
    featured_products,
    newest_products,
    product_detail,
    search_correction,
    sku_label,
    storefront_listing,
)
from shop.errors import NotFound

PAGE_SIZE = 20


def home(request):
    featured, newest = featured_products(limit=8), newest_products(limit=12)
    return render(
        request,
        "catalog/home.html",
        {
            "categories": category_tree(),
            "featured": featured,
            "newest": newest,
            "offers": offers_for_products([*featured, *newest]),
            "thumbnails": card_thumbnails([*featured, *newest]),
        },
    )


def search(request):
    return _listing(request, categories=CategoryIndex.load(), category=None)


def category(request, slug):
    categories = CategoryIndex.load()
    try:
        current = category_by_slug(slug, categories=categories)
    except NotFound:
        raise Http404("No such category.")
    return _listing(request, categories=categories, category=current)


def _listing(request, *, categories: CategoryIndex, category):
    product_filter = storefront_filter(
        request.GET, category_slug=category.slug if category else None
    )
    product_filter.is_valid()
    cleaned = getattr(product_filter.form, "cleaned_data", {})
    query = cleaned.get("search") or ""
    listing = storefront_listing(
        search_arguments(cleaned, categories=categories), cap=LISTING_COUNT_CAP
    )
    paginator = CappedPaginator(
        listing.products, PAGE_SIZE, cap=LISTING_COUNT_CAP, counted=listing.counted
    )
    page = paginator.get_page(request.GET.get("page"))
    # Facets come from the query and category alone, so choosing a brand keeps the others.
    brands, attributes = listing.brands, listing.attributes
    tree = categories.tree()
    if category is not None:
        subcategories = _children_of(tree, category.pk)
        breadcrumbs = categories.ancestors(category)
    else:
        subcategories, breadcrumbs = tree, []
    title = category.name if category else (f"“{query}”" if query else _("All products"))
    typed = request.GET.get("q", request.GET.get("search", ""))
    return render(
        request,
        "catalog/listing.html",
        {
            "category": category,
            "breadcrumbs": breadcrumbs,
            "subcategories": subcategories,
            "query": query,
            "page": page,
            "products": page.object_list,
            "offers": offers_for_products(page.object_list),
            "thumbnails": card_thumbnails(page.object_list),
            "brands": brands,
            "attributes": attributes,
            "chosen_brands": cleaned.get("brand") or [],
            "chosen_values": cleaned.get("attribute_values") or [],
            "min_price": cleaned.get("min_price"),
            "max_price": cleaned.get("max_price"),
            "in_stock": bool(cleaned.get("in_stock")),
            "ordering": cleaned.get("ordering") or "relevance",
            "ordering_choices": ORDERING_CHOICES,
            "filter_errors": product_filter.errors,
            "search_shortened": len(typed) > SEARCH_MAX_LENGTH,
            "search_correction": (
                search_correction(query, [p.title for p in page.object_list]) if query else ""
            ),
            "price_range_swapped": getattr(product_filter, "price_range_swapped", False),
            "page_title": title,
        },
    )


def _children_of(nodes, pk):
    for node in nodes:
        if node.id == pk:
            return node.children
        found = _children_of(node.children, pk)
        if found is not None:
            return found
    return None


def product(request, pk):
    try:
        detail = product_detail(pk)
    except NotFound:
        raise Http404("No such product.")
    skus = [sku for sku in detail.skus if sku.is_active]
    picker = [
        {
            "id": sku.pk,
            "code": sku.code,
            "label": sku_label(sku),
            "price": str(sku.price),
            "market_price": str(sku.market_price) if sku.market_price is not None else "",
            "available": sku.stock_available,
            "values": [value.pk for value in sku.option_values],
        }
        for sku in skus
    ]
    return render(
        request,
        "catalog/product.html",
        {
            "detail": detail,
            "product": detail.product,
            "skus": skus,
            "default_sku": detail.default_sku,
            "breadcrumbs": category_ancestors(detail.product.category),
            "picker": picker,
            "checkout_url": reverse("orders:checkout"),
            "product_offers": offers_for_products([detail.product]).get(detail.product.pk, []),
            # Without JS any SKU may be chosen, so the quantity box allows the largest stock.
            "max_available": max([sku.stock_available for sku in skus] + [1]),
        },
    )
