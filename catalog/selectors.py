"""Read queries of the catalogue, shared by storefront pages, the API and the admin."""

import difflib
import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy

from catalog.models import (
    SKU,
    AttributeValue,
    Brand,
    Category,
    Product,
    ProductImage,
    StockMove,
    StockRecord,
)
from shop.errors import NotFound

logger = logging.getLogger(__name__)

# Ordering values shared by the pages, the API and the filter form.
ORDERING_RELEVANCE = "relevance"
ORDERING_CHOICES = [
    (ORDERING_RELEVANCE, gettext_lazy("Best match")),
    ("sales", gettext_lazy("Best selling")),
    ("newest", gettext_lazy("Newest")),
    ("price", gettext_lazy("Price: low to high")),
    ("-price", gettext_lazy("Price: high to low")),
]
ORDERINGS = {
    "sales": ("-sales_count", "-created_at", "-id"),
    "newest": ("-created_at", "-id"),
    "price": ("price_from", "id"),
    "-price": ("-price_from", "-id"),
}
# Without a query, "best match" is the storefront's default mix: featured, then best selling.
DEFAULT_ORDERING = ("-is_featured", "-sales_count", "-created_at", "-id")
# A query word must be this similar (pg_trgm word_similarity) to a title word to match a typo.
TYPO_SIMILARITY = 0.5
# A listing counts at most this many matches ("1,000+ products") and pages through them: an
# exact count read every match of a broad search on every page (1.2 s at 100k products), and
# nobody pages past the 50th page of 20 (docs/benchmarks.md, storefront).
LISTING_COUNT_CAP = 1000
# Facets (brands, attribute values) are read from the best-selling matches only, so their cost
# does not follow the catalogue; every value offered occurs among the matches, so none leads
# to an empty page.
FACET_SAMPLE_SIZE = 1000


def stock_ledger_mismatches() -> list[dict]:
    """Stock records whose on_hand/allocated differ from the sums of their StockMoves."""
    moves = StockMove.objects.filter(
        sku_id=OuterRef("sku_id"), warehouse_id=OuterRef("warehouse_id")
    )
    ledger_on_hand = moves.values("sku_id").annotate(total=Sum("on_hand_delta")).values("total")
    ledger_allocated = moves.values("sku_id").annotate(total=Sum("allocated_delta")).values("total")
    zero = Value(0, output_field=IntegerField())
    rows = StockRecord.objects.annotate(
        ledger_on_hand=Coalesce(Subquery(ledger_on_hand, output_field=IntegerField()), zero),
        ledger_allocated=Coalesce(Subquery(ledger_allocated, output_field=IntegerField()), zero),
    ).values("sku_id", "warehouse_id", "on_hand", "allocated", "ledger_on_hand", "ledger_allocated")
    return [
        row
        for row in rows
        if row["on_hand"] != row["ledger_on_hand"] or row["allocated"] != row["ledger_allocated"]
    ]


# --- Stock --------------------------------------------------------------------------------


def _sellable_sum(records: QuerySet, group_by: str) -> Coalesce:
    total = (
        records.filter(warehouse__is_active=True)
        .values(group_by)
        .annotate(total=Sum(F("on_hand") - F("allocated")))
        .values("total")
    )
    return Coalesce(
        Subquery(total, output_field=IntegerField()), Value(0, output_field=IntegerField())
    )


def sku_sellable_expression() -> Coalesce:
    """Sellable stock of the SKU in the outer query: on_hand - allocated over active
    warehouses."""
    return _sellable_sum(StockRecord.objects.filter(sku_id=OuterRef("pk")), "sku_id")


def product_sellable_expression() -> Coalesce:
    """Sellable stock of the product in the outer query, over its active SKUs."""
    return _sellable_sum(
        StockRecord.objects.filter(sku__product_id=OuterRef("pk"), sku__is_active=True),
        "sku__product_id",
    )


def sku_is_sold(sku: SKU) -> bool:
    """Whether a shopper may buy the SKU: it, its product and its merchant are all active
    (expects `product__merchant` loaded)."""
    product = sku.product
    return sku.is_active and product.is_active and product.merchant.is_active


def sku_sellable(sku_id: int) -> int:
    """Sellable stock of one SKU (one query)."""
    total = StockRecord.objects.filter(sku_id=sku_id, warehouse__is_active=True).aggregate(
        total=Sum(F("on_hand") - F("allocated"))
    )["total"]
    return max(total or 0, 0)


# --- Categories ---------------------------------------------------------------------------


@dataclass
class CategoryNode:
    category: Category
    children: list["CategoryNode"] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.category.pk

    @property
    def name(self) -> str:
        return self.category.name

    @property
    def slug(self) -> str:
        return self.category.slug


class CategoryIndex:
    """All categories from one query, for the pages that need the tree, a category's
    descendants and its breadcrumbs together."""

    def __init__(self, categories: list[Category]):
        self.categories = categories
        self.by_id = {category.pk: category for category in categories}
        self.children: dict[int | None, list[Category]] = {}
        for category in categories:
            self.children.setdefault(category.parent_id, []).append(category)

    @classmethod
    def load(cls) -> "CategoryIndex":
        return cls(list(Category.objects.order_by("position", "name", "id")))

    def tree(self) -> list[CategoryNode]:
        """Active categories as a forest; a category under an inactive parent is hidden."""

        def nodes(parent_id):
            return [
                CategoryNode(category, nodes(category.pk))
                for category in self.children.get(parent_id, [])
                if category.is_active
            ]

        return nodes(None)

    def descendant_ids(self, category_ids: list[int]) -> list[int]:
        """The given categories and everything below them."""
        found: list[int] = []
        stack = list(category_ids)
        while stack:
            pk = stack.pop()
            if pk in found:
                continue
            found.append(pk)
            stack.extend(child.pk for child in self.children.get(pk, []))
        return found

    def ancestors(self, category: Category) -> list[Category]:
        """The path from the root down to `category`, for breadcrumbs."""
        path: list[Category] = []
        current = self.by_id.get(category.pk)
        while current is not None and current not in path:
            path.append(current)
            current = self.by_id.get(current.parent_id)
        return list(reversed(path))

    def active_by_slug(self, slug: str) -> Category | None:
        return next((c for c in self.categories if c.slug == slug and c.is_active), None)

    def resolve(self, value: str | int | None) -> list[int] | None:
        """A category filter value (slug or id) -> [that active category's id], [] when there
        is none, None when no category was asked for."""
        if value in (None, ""):
            return None
        value = str(value).strip()
        if value.isdigit():
            category = self.by_id.get(int(value))
            return [category.pk] if category is not None and category.is_active else []
        category = self.active_by_slug(value)
        return [category.pk] if category is not None else []


def category_tree() -> list[CategoryNode]:
    """Active categories as a forest, in display order (one query)."""
    return CategoryIndex.load().tree()


def category_descendant_ids(category_ids: list[int]) -> list[int]:
    """The given categories and everything below them (one query)."""
    return CategoryIndex.load().descendant_ids(category_ids)


def category_by_slug(slug: str, *, categories: CategoryIndex | None = None) -> Category:
    if categories is not None:
        category = categories.active_by_slug(slug)
    else:
        category = Category.objects.filter(slug=slug, is_active=True).first()
    if category is None:
        raise NotFound("No such category.", code="unknown_category")
    return category


def category_ancestors(category: Category) -> list[Category]:
    """The path from the root down to `category`, for breadcrumbs (one query)."""
    return CategoryIndex.load().ancestors(category)


def resolve_category_ids(
    value: str | int | None, *, categories: CategoryIndex | None = None
) -> list[int] | None:
    """A category filter value (slug or id) -> that category's id, or [] when there is none."""
    if value in (None, ""):
        return None
    return (categories or CategoryIndex.load()).resolve(value)


# --- Product listings and search ---------------------------------------------------------


def _card_images() -> Prefetch:
    return Prefetch("images", queryset=ProductImage.objects.order_by("position", "id"))


def _shown(products: QuerySet) -> QuerySet:
    """What a product card shows. `stock_available` is a subquery in the SELECT list, which
    PostgreSQL evaluates after ORDER BY ... LIMIT, i.e. for the page's products only."""
    return (
        products.select_related("merchant", "brand")
        .prefetch_related(_card_images())
        .annotate(stock_available=product_sellable_expression())
    )


def _listed() -> QuerySet:
    """Products a shopper may see: active, of an active merchant, with an active SKU."""
    return Product.objects.filter(is_active=True, merchant__is_active=True).filter(
        Exists(SKU.objects.filter(product_id=OuterRef("pk"), is_active=True))
    )


def listed_products() -> QuerySet:
    """Products a shopper may see (active, of an active merchant, with at least one active
    SKU), with what a product card shows."""
    return _shown(_listed())


def search_correction(query: str, titles: list[str]) -> str:
    """What a misspelt search was matched as ("iphnoe" -> "iphone"): each query word that no
    title contains replaced by the closest word of those titles; "" when every word was
    found as typed (or nothing close was)."""
    words = {w.lower() for title in titles for w in search_terms_all(title)}
    corrected, changed = [], False
    for term in search_terms(query):
        lowered = term.lower()
        if any(lowered in title.lower() for title in titles):
            corrected.append(term)
            continue
        close = difflib.get_close_matches(lowered, words, n=1, cutoff=0.6)
        corrected.append(close[0] if close else term)
        changed = changed or bool(close)
    return " ".join(corrected) if changed else ""


def search_terms_all(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text or "")


def search_terms(query: str) -> list[str]:
    """The words of a search box entry (letters, digits and CJK; punctuation dropped)."""
    return re.findall(r"[^\W_]+", query or "")[:8]


def _group_attribute_values(value_ids: list[int]) -> list[list[int]]:
    """Chosen attribute values grouped by attribute: values of one attribute are alternatives,
    different attributes must all match (Colour Red or Blue, and Size M)."""
    groups: dict[int, list[int]] = {}
    for pk, attribute_id in AttributeValue.objects.filter(pk__in=value_ids).values_list(
        "pk", "attribute_id"
    ):
        groups.setdefault(attribute_id, []).append(pk)
    if not groups and value_ids:
        # Only unknown values (a link to a deleted colour): nothing has them, rather than
        # dropping the filter and showing the whole catalogue.
        return [[]]
    return list(groups.values())


def product_search(
    *,
    query: str = "",
    category_slug: str | None = None,
    category_ids: list[int] | None = None,
    brand_ids: list[int] | None = None,
    min_price: Decimal | None = None,
    max_price: Decimal | None = None,
    in_stock_only: bool = False,
    attribute_value_ids: list[int] | None = None,
    ordering: str | None = None,
    categories: CategoryIndex | None = None,
    ranked_candidates: int | None = None,
) -> QuerySet:
    """Active products matching a search and filters, annotated with `stock_available` (and
    `relevance` when there is a query), in the requested order.

    On PostgreSQL a product matches when every query word is in its title or subtitle
    (substring, so Chinese without word breaks and partial words such as "iph" are found), or
    the words match its search document as prefixes, or a word is a near miss of a title word
    (pg_trgm). Relevance adds full-text rank, trigram word similarity and a bonus for a title
    that contains the whole query. On SQLite (local fallback) it is substring matching only.
    `categories` lets a page that already loaded the categories reuse them.

    `ranked_candidates` (the storefront pages): a search in "best match" order ranks only that
    many matches, the best-selling ones, instead of computing the rank of every match of a
    broad word before showing 20 (the pages count and show at most LISTING_COUNT_CAP anyway).
    """
    products = _listed()

    if category_slug or category_ids is not None:
        categories = categories or CategoryIndex.load()
        if category_slug:
            category_ids = categories.resolve(category_slug)
        products = products.filter(category_id__in=categories.descendant_ids(category_ids))
    if brand_ids:
        products = products.filter(brand_id__in=brand_ids)
    if min_price is not None:
        products = products.filter(price_from__gte=min_price)
    if max_price is not None:
        products = products.filter(price_from__lte=max_price)
    if attribute_value_ids:
        for group in _group_attribute_values(attribute_value_ids):
            products = products.filter(
                Exists(
                    SKU.objects.filter(
                        product_id=OuterRef("pk"), is_active=True, attribute_values__in=group
                    )
                )
            )
    if in_stock_only:
        # Same as stock_available > 0 (no record goes below zero), but a semi-join PostgreSQL
        # stops at the first record with stock instead of summing every product's records.
        # 25,200 products: price order 523 -> 107 ms, a search 2,120 -> 316 ms (count + page).
        products = products.filter(
            Exists(
                StockRecord.objects.filter(
                    sku__product_id=OuterRef("pk"),
                    sku__is_active=True,
                    warehouse__is_active=True,
                    on_hand__gt=F("allocated"),
                )
            )
        )

    terms = search_terms(query)
    if not terms and query.strip():
        # Only punctuation ("%", "?"): nothing to look for, so nothing matches (it used to
        # list the whole catalogue as if it had).
        return _shown(products.none())
    if terms:
        products = products.filter(_match_filter(terms))
        if ordering not in ORDERINGS and ranked_candidates:
            best_selling = products.order_by(*ORDERINGS["sales"]).values("pk")
            products = Product.objects.filter(pk__in=best_selling[:ranked_candidates])
        products = products.annotate(relevance=_relevance(query.strip(), terms))

    products = _shown(products)
    if ordering in ORDERINGS:
        return products.order_by(*ORDERINGS[ordering])
    if terms:
        return products.order_by("-relevance", "-sales_count", "-id")
    return products.order_by(*DEFAULT_ORDERING)


def _match_filter(terms: list[str]) -> Q:
    """Every word in the title or subtitle (or, on PostgreSQL, a near miss of a title word);
    or, on PostgreSQL, all words prefix-matching the search document (description included).
    Each branch is served by a GIN index (0002, 0006), so PostgreSQL ORs index scans instead
    of reading every product; words shorter than 3 characters have no trigram and are read
    from the rows."""
    postgres = connection.vendor == "postgresql"
    every_word = Q()
    for term in terms:
        word = Q(title__icontains=term) | Q(subtitle__icontains=term)
        if postgres and len(term) >= 3:
            word |= Q(title__trigram_word_similar=term)
        every_word &= word
    if not postgres:
        return every_word
    return every_word | Q(search_document=_full_text(terms))


def _full_text(terms: list[str]) -> SearchQuery:
    return SearchQuery(
        " & ".join(f"{term}:*" for term in terms), config="simple", search_type="raw"
    )


def _relevance(query: str, terms: list[str]):
    title_bonus = Case(
        When(title__icontains=query, then=Value(1.0)), default=Value(0.0), output_field=FloatField()
    )
    if connection.vendor != "postgresql":
        return title_bonus
    return (
        SearchRank(F("search_document"), _full_text(terms))
        + Greatest(
            TrigramWordSimilarity(Value(query), "title"),
            TrigramWordSimilarity(Value(query), "subtitle") * Value(0.5),
        )
        + title_bonus
    )


def featured_products(*, limit: int = 8) -> list[Product]:
    return list(listed_products().filter(is_featured=True).order_by(*DEFAULT_ORDERING)[:limit])


def newest_products(*, limit: int = 12) -> list[Product]:
    return list(listed_products().order_by("-created_at", "-id")[:limit])


def facet_sample(products: QuerySet) -> QuerySet:
    """The ids of the FACET_SAMPLE_SIZE best-selling of `products` (read in the sales index's
    order), the matches the facets are read from."""
    return products.order_by(*ORDERINGS["sales"]).values("pk")[:FACET_SAMPLE_SIZE]


def brands_for(products: QuerySet) -> list[Brand]:
    """Brands that occur among the best-selling FACET_SAMPLE_SIZE of `products` (for the brand
    filter), one query."""
    sampled = Product.objects.filter(pk__in=facet_sample(products), brand_id__isnull=False)
    return list(Brand.objects.filter(pk__in=sampled.values("brand_id")).order_by("name"))


def attribute_values_for(products: QuerySet) -> list[tuple]:
    """[(attribute, [values])] that active SKUs of the best-selling FACET_SAMPLE_SIZE of
    `products` carry, one query."""
    values = (
        AttributeValue.objects.filter(
            skus__is_active=True, skus__product_id__in=facet_sample(products)
        )
        .select_related("attribute")
        .distinct()
        .order_by("attribute__name", "attribute_id", "value")
    )
    grouped: dict[int, tuple] = {}
    for value in values:
        grouped.setdefault(value.attribute_id, (value.attribute, []))[1].append(value)
    return list(grouped.values())


# --- Product page ------------------------------------------------------------------------


@dataclass
class ProductDetail:
    product: Product
    skus: list[SKU]  # active and inactive; each with .stock_available and .option_values
    images: list[ProductImage]
    # [(attribute, [values])] that the active SKUs are made of, for the SKU picker
    attributes: list[tuple]

    @property
    def stock_available(self) -> int:
        return sum(sku.stock_available for sku in self.skus if sku.is_active)

    @property
    def no_reason_return(self) -> bool:
        """七天无理由退货 is offered: the product and its category (and every category above
        it) allow it (no_reason_return_allowed, answered by the product query itself)."""
        return bool(self.product.no_reason_return and self.product.categories_allow_no_reason)

    @property
    def default_sku(self) -> SKU | None:
        """The SKU preselected on the page: the cheapest one in stock, else the cheapest."""
        active = [sku for sku in self.skus if sku.is_active]
        in_stock = [sku for sku in active if sku.stock_available > 0]
        candidates = in_stock or active
        return min(candidates, key=lambda s: (s.price, s.pk)) if candidates else None


def product_detail(pk: int) -> ProductDetail:
    """A product with its SKUs (attribute values, sellable stock) and images, in four queries
    whatever the number of SKUs or images. Unknown or inactive -> NotFound."""
    if not 0 < int(pk) < 2**63:  # beyond bigint: no such row, and no database error
        raise NotFound("No such product.", code="unknown_product")
    product = (
        Product.objects.filter(pk=pk, is_active=True, merchant__is_active=True)
        .select_related("merchant", "category", "brand")
        .annotate(categories_allow_no_reason=_categories_allow_no_reason(product_id=int(pk)))
        .prefetch_related(
            _card_images(),
            Prefetch(
                "skus",
                queryset=SKU.objects.annotate(stock_available=sku_sellable_expression())
                .prefetch_related(
                    Prefetch(
                        "attribute_values",
                        queryset=AttributeValue.objects.select_related("attribute").order_by(
                            "attribute__name", "attribute_id", "value"
                        ),
                    )
                )
                .order_by("price", "id"),
            ),
        )
        .first()
    )
    if product is None:
        raise NotFound("No such product.", code="unknown_product")
    skus = list(product.skus.all())
    attributes: dict[int, tuple] = {}
    for sku in skus:
        sku.stock_available = max(sku.stock_available, 0)
        sku.option_values = list(sku.attribute_values.all())
        if not sku.is_active:
            continue
        for value in sku.option_values:
            entry = attributes.setdefault(value.attribute_id, (value.attribute, []))
            if value not in entry[1]:
                entry[1].append(value)
    for _attribute, values in attributes.values():
        values.sort(key=lambda v: v.value)
    return ProductDetail(
        product=product,
        skus=skus,
        images=list(product.images.all()),
        attributes=sorted(attributes.values(), key=lambda pair: (pair[0].name, pair[0].pk)),
    )


# --- 7-day no-reason return (七天无理由退货) ----------------------------------------------------


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "sku": quote(SKU._meta.db_table),
        "product": quote(Product._meta.db_table),
        "category": quote(Category._meta.db_table),
    }


def _categories_allow_no_reason(*, product_id: int) -> RawSQL:
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


def image_spec_url(image: ProductImage | None, spec: str = "thumbnail") -> str:
    """URL of an imagekit rendition ("thumbnail" 320px square, "large" 960px) of a product
    image; the original when the rendition cannot be made, "" when there is no file."""
    if not image or not getattr(image, "image", None):
        return ""
    try:
        return getattr(image, spec).url
    except Exception:  # a missing or broken file must not take a page down
        logger.warning("No %s rendition of product image %s", spec, image.pk)
        try:
            return image.image.url
        except Exception:
            return ""


def sku_label(sku: SKU) -> str:
    """ "Colour: Red / Size: M" from prefetched attribute values (or the SKU code)."""
    values = getattr(sku, "option_values", None)
    if values is None:
        values = list(sku.attribute_values.all())
    return " / ".join(f"{v.attribute.name}: {v.value}" for v in values) or sku.code
