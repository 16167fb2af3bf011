"""Product listings and search: what a shopper may see, matched, filtered, ordered, and the
facets offered beside it."""

import contextlib
import difflib
import hashlib
import logging
import re
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    Exists,
    Expression,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils.translation import get_language, gettext_lazy

from catalog.models import (
    SKU,
    AttributeValue,
    Brand,
    Product,
    ProductImage,
    StockRecord,
)
from catalog.services.catalogue_version import CACHE_DOWN, catalogue_version
from shop.db import is_postgres

from .categories import CategoryIndex
from .stock import product_sellable_expression

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
# The facets of one (query, category) are kept this long in the cache, under the catalogue's
# version (an edit moves it on, so an edited product shows at once): within a minute the next
# shopper of the same listing costs no facet query.
FACET_CACHE_SECONDS = 60
# A query word made of CJK ideographs only (Unified, Extension A, Compatibility): the ranges
# whose unigrams and bigrams migration 0009 writes into the search document.
CJK_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


# --- Product listings and search ---------------------------------------------------------


def card_images() -> Prefetch:
    return Prefetch("images", queryset=ProductImage.objects.order_by("position", "id"))


# Columns no listing shows: the description (up to kilobytes of text) and the search document (a
# tsvector of every word and Chinese bigram), which psycopg decoded for each of a page's products.
UNSHOWN_COLUMNS = ("description", "search_document")


def _shown(products: QuerySet) -> QuerySet:
    """What a product card shows. `stock_available` is a subquery in the SELECT list, which
    PostgreSQL evaluates after ORDER BY ... LIMIT, i.e. for the page's products only."""
    return (
        products.select_related("merchant", "brand")
        .defer(*UNSHOWN_COLUMNS)
        .prefetch_related(card_images())
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
    card_columns: bool = True,
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

    `card_columns=False` (a caller that reads a few columns with values_list): without what a
    card shows (merchant, brand, pictures, the stock subquery, `stock_available` with them),
    which such a read discards after the queryset has built them.
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
        return _shown(products.none()) if card_columns else products.none()
    if terms:
        products = products.filter(_match_filter(terms))
        if ordering not in ORDERINGS and ranked_candidates:
            best_selling = products.order_by(*ORDERINGS["sales"]).values("pk")
            products = Product.objects.filter(pk__in=best_selling[:ranked_candidates])
        products = products.annotate(relevance=_relevance(query.strip(), terms))

    if card_columns:
        products = _shown(products)
    if ordering in ORDERINGS:
        return products.order_by(*ORDERINGS[ordering])
    if terms:
        return products.order_by("-relevance", "-sales_count", "-id")
    return products.order_by(*DEFAULT_ORDERING)


def _match_filter(terms: list[str]) -> Q:
    """Every word in the title or subtitle (or, on PostgreSQL, a near miss of a title word);
    or, on PostgreSQL, all words prefix-matching the search document (description included).
    Each branch is served by a GIN index (0002, 0007, 0009), so PostgreSQL ORs index scans
    instead of reading every product. On PostgreSQL a Chinese word is looked up by its
    unigram or bigrams in the search document (0009), which also holds the brand's name: a
    word of one or two characters has no trigram for the trigram indexes."""
    postgres = connection.vendor == "postgresql"
    every_word = Q()
    chinese = [term for term in terms if postgres and CJK_WORD.fullmatch(term)]
    if chinese:
        every_word &= Q(search_document=_cjk_grams_query(chinese))
    for term in terms:
        if term in chinese:
            continue
        as_typed = Q(title__icontains=term) | Q(subtitle__icontains=term)
        word = as_typed
        if postgres and len(term) >= 3:
            word |= _typo_of(term, as_typed)
        every_word &= word
    if not postgres:
        return every_word
    if len(chinese) == len(terms):
        # Only Chinese words: their grams are the whole match. The prefix branch would add
        # only a description whose text happens to start with the word ("茶:*" finds "茶叶产自"
        # but not "这是好茶": Chinese has no spaces for words), and its guessed selectivity
        # made the planner read the table instead of the index.
        return every_word
    return every_word | Q(search_document=_full_text(terms))


def _typo_of(term: str, as_typed: Q) -> Q:
    """A title word near `term` (pg_trgm word similarity), only when no listed product has
    `term` as typed in its title or subtitle: a typo is then what the shopper meant, and a word
    found as typed needs no guess. The NOT EXISTS has no outer reference, so PostgreSQL
    evaluates it once (an InitPlan, stopped at the first product found, served by the trigram
    indexes of 0006) and the AND skips the similarity of every row after it: "phone" at 100,200
    products tested it on about 10,000 rows of the sales index, 70 of its 80 ms."""
    found_as_typed = Exists(_listed().filter(as_typed))
    return ~found_as_typed & Q(title__trigram_word_similar=term)


def cjk_grams_tsquery(word: str) -> str:
    """A word of CJK ideographs as a tsquery of the grams 0009 writes into the search document:
    its unigram ("茶"), or its bigrams in a row ("华为手机" -> 华为 <-> 为手 <-> 手机), which
    is the substring itself (the document holds each run's bigrams at consecutive positions)."""
    if len(word) == 1:
        return word
    return " <-> ".join(word[i : i + 2] for i in range(len(word) - 1))


def _cjk_grams_query(words: list[str]) -> SearchQuery:
    return SearchQuery(
        " & ".join(f"({cjk_grams_tsquery(word)})" for word in words),
        config="simple",
        search_type="raw",
    )


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
        + TitleOrSubtitleSimilarity(query)
        + title_bonus
    )


# A subtitle's word similarity counts half a title's.
SUBTITLE_SIMILARITY_WEIGHT = 0.5


class TitleOrSubtitleSimilarity(Expression):
    """`GREATEST(word_similarity(query, title), word_similarity(query, subtitle) * 0.5)`, with
    the subtitle's similarity computed only where the title's is below 0.5: a similarity is at
    most 1, so there the subtitle's half cannot be the greater, and the value is the same.

    The title's similarity is computed once, in a derived table that OFFSET 0 keeps the planner
    from folding into the CASE (which would compute it twice). For a broad English word every
    one of the 1,001 best-selling matches has the word in its title: the walk of "phone" and
    "shoes" took about 5 ms less, of 27-31 ms, at 100,200 products (docs/benchmarks.md (b))."""

    output_field = FloatField()

    def __init__(self, query: str):
        super().__init__()
        self.title = TrigramWordSimilarity(Value(query), "title")
        self.subtitle = TrigramWordSimilarity(Value(query), "subtitle") * Value(
            SUBTITLE_SIMILARITY_WEIGHT
        )

    def get_source_expressions(self):
        return [self.title, self.subtitle]

    def set_source_expressions(self, expressions):
        self.title, self.subtitle = expressions

    def as_sql(self, compiler, connection):
        title_sql, title_params = compiler.compile(self.title)
        subtitle_sql, subtitle_params = compiler.compile(self.subtitle)
        sql = (
            "(SELECT CASE WHEN title.similarity >= %s THEN title.similarity"
            f" ELSE GREATEST(title.similarity, {subtitle_sql}) END"
            f" FROM (SELECT {title_sql} AS similarity OFFSET 0) AS title)"
        )
        return sql, (SUBTITLE_SIMILARITY_WEIGHT, *subtitle_params, *title_params)


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
    # The sample's brand ids straight from the sample (a LIMIT subquery, computed once): from
    # the sample's product ids PostgreSQL joined the other way round, reading every product of
    # each brand (156 ms for a category at 100,200 products, against 9 ms).
    sampled_brand_ids = products.order_by(*ORDERINGS["sales"]).values("brand_id")
    return list(Brand.objects.filter(pk__in=sampled_brand_ids[:FACET_SAMPLE_SIZE]).order_by("name"))


def attribute_values_for(products: QuerySet) -> list[tuple]:
    """[(attribute, [values])] that active SKUs of the best-selling FACET_SAMPLE_SIZE of
    `products` carry, one query."""
    return _attribute_values_of(facet_sample(products))


def _attribute_values_of(product_ids) -> list[tuple]:
    """[(attribute, [values])] that active SKUs of these products (a list of ids, or a subquery
    of them) carry, one query: the facet where there is no `active_value_ids` column (SQLite),
    and of attribute_values_for."""
    return _grouped_by_attribute(
        AttributeValue.objects.filter(
            skus__is_active=True, skus__product_id__in=product_ids
        ).distinct()
    )


def _grouped_by_attribute(values: QuerySet) -> list[tuple]:
    """[(attribute, [values])] of these AttributeValues, in the facet's order, one query."""
    values = values.select_related("attribute").order_by("attribute__name", "attribute_id", "value")
    grouped: dict[int, tuple] = {}
    for value in values:
        grouped.setdefault(value.attribute_id, (value.attribute, []))[1].append(value)
    return list(grouped.values())


# catalog_product.active_value_ids (PostgreSQL only, not a model field: migration 0010).
_ACTIVE_VALUE_IDS = RawSQL(
    f'"{Product._meta.db_table}"."active_value_ids"', (), output_field=ArrayField(BigIntegerField())
)


@dataclass(frozen=True)
class ListingSummary:
    """What a listing (a query in some categories) shows whatever filters the shopper chooses,
    and what its page shows while none is chosen, all from one read of its best-selling matches:

    - `brands`, `attributes`: the facets, from the FACET_SAMPLE_SIZE best-selling matches;
    - `match_count`: how many products match, counted up to `cap` + 1 ("1,000+");
    - `ranked_ids`: with a query, the `cap` + 1 best-selling matches in best-match order (the
      page's candidates, as product_search's `ranked_candidates`), else None.
    """

    brands: list[Brand]
    attributes: list[tuple]
    match_count: int
    ranked_ids: list[int] | None


def listing_summary(
    *,
    query: str,
    category_ids: list[int] | None,
    cap: int,
    categories: CategoryIndex | None = None,
) -> ListingSummary:
    """The ListingSummary of `query` in the categories (and their descendants): from the cache
    when the same listing was shown within FACET_CACHE_SECONDS under the current catalogue
    version, else computed (three or four queries) and cached.

    Cached under the catalogue's version, so an edit of a product, SKU, brand, value, category
    or merchant shows at once. Sales counts do not move the version: for up to a minute the
    candidates and the facets' sample are the best sellers as of when they were read, while
    every page still reads its products' rows (price, stock, being listed) as they are now."""
    key_source = "|".join(
        [
            query.strip(),
            ",".join(str(pk) for pk in sorted(set(category_ids))) if category_ids else "",
            str(FACET_SAMPLE_SIZE),
            str(cap),
            get_language() or "",
        ]
    )
    digest = hashlib.sha256(key_source.encode()).hexdigest()[:32]
    version = catalogue_version()
    key = f"catalog:listing:{version}:{digest}"
    summary = None
    if version is not None:  # None: the cache is down, the page is computed
        with contextlib.suppress(*CACHE_DOWN):
            summary = cache.get(key)
    if summary is None:
        summary = _listing_summary(
            query=query, category_ids=category_ids, cap=cap, categories=categories
        )
        if version is not None:
            with contextlib.suppress(*CACHE_DOWN):
                cache.set(key, summary, FACET_CACHE_SECONDS)
    return summary


def _listing_summary(
    *, query: str, category_ids: list[int] | None, cap: int, categories: CategoryIndex | None
) -> ListingSummary:
    # The summary reads ids and sort keys only: building and compiling the card columns was
    # 0.5 ms of the 2.9 ms of Python the walk cost before its SQL was sent.
    matches = product_search(
        query=query, category_ids=category_ids, categories=categories, card_columns=False
    )
    terms = search_terms(query)
    # One walk of the sales index serves the count, the facets' sample and the page's
    # candidates (each read the same best-selling matches on its own before: four times for a
    # broad word on a first visit). Relevance is in the SELECT list, so PostgreSQL computes it
    # for the rows read only.
    columns = ["pk", "brand_id", "sales_count", "relevance"] if terms else ["pk", "brand_id"]
    # On PostgreSQL each match's active attribute values come with it (a column kept by
    # triggers, migrations 0010 and 0011): the values facet is then a lookup of the sample's
    # distinct ids, not a join of its 1,000 products' SKUs and links (7.7 -> 0.1 ms for
    # "phone" at 100,200 products).
    values_in_walk = is_postgres(connection)
    if values_in_walk:
        matches = matches.annotate(active_value_ids=_ACTIVE_VALUE_IDS)
        columns.append("active_value_ids")
    best_selling = list(
        matches.order_by(*ORDERINGS["sales"]).values_list(*columns)[
            : max(FACET_SAMPLE_SIZE, cap + 1)
        ]
    )
    sample = best_selling[:FACET_SAMPLE_SIZE]
    brand_ids = {row[1] for row in sample if row[1] is not None}
    brands = list(Brand.objects.filter(pk__in=brand_ids).order_by("name")) if brand_ids else []
    if values_in_walk:
        value_ids = set().union(*(row[-1] for row in sample))
        attributes = (
            _grouped_by_attribute(AttributeValue.objects.filter(pk__in=value_ids))
            if value_ids
            else []
        )
    else:
        attributes = _attribute_values_of([row[0] for row in sample]) if sample else []
    candidates = best_selling[: cap + 1]
    ranked_ids = None
    if terms:
        # product_search's order for a query: relevance (descending, so an unknown one first,
        # as PostgreSQL puts NULLs), then best selling, then the newest id.
        ranked = sorted(
            candidates,
            key=lambda row: (row[3] is not None, -(row[3] or 0.0), -row[2], -row[0]),
        )
        ranked_ids = [row[0] for row in ranked]
    return ListingSummary(
        brands=brands, attributes=attributes, match_count=len(candidates), ranked_ids=ranked_ids
    )


class ProductsInOrder:
    """Products known by their ids, in that order, as a paginator's object list: a page reads
    its own products' rows only (what a card shows, as they are now), none of the others."""

    def __init__(self, ids: list[int]):
        self.ids = ids

    def __len__(self) -> int:
        return len(self.ids)

    def count(self) -> int:
        return len(self.ids)

    def __getitem__(self, page: slice) -> list[Product]:
        ids = self.ids[page]
        found = {product.pk: product for product in listed_products().filter(pk__in=ids)}
        # A product unlisted since the ids were read is left out (its edit moved the version on,
        # so the next page of the listing reads them again).
        return [found[pk] for pk in ids if pk in found]


@dataclass(frozen=True)
class StorefrontListing:
    """A listing page's products (a queryset or ProductsInOrder, for the paginator), their
    count up to the cap + 1 when it is known already (None: the paginator counts), facets."""

    products: QuerySet | ProductsInOrder
    counted: int | None
    brands: list[Brand]
    attributes: list[tuple]


def storefront_listing(arguments: dict, *, cap: int) -> StorefrontListing:
    """The products of a storefront listing page for product_search `arguments` (the filter's
    valid values), counted up to `cap` + 1, with the facets of its query and category.

    Without a narrowing filter the page is the listing's summary (cached): its count, and for a
    query in best-match order its ranked candidates, of which the page reads its 20. With one,
    the count and the page are product_search's, the facets still the summary's (choosing a
    brand keeps the others on offer)."""
    query = arguments.get("query") or ""
    summary = listing_summary(
        query=query,
        category_ids=arguments.get("category_ids"),
        categories=arguments.get("categories"),
        cap=cap,
    )
    narrowed = (
        bool(arguments.get("brand_ids"))
        or arguments.get("min_price") is not None
        or arguments.get("max_price") is not None
        or bool(arguments.get("in_stock_only"))
        or bool(arguments.get("attribute_value_ids"))
    )
    if narrowed:
        products = product_search(**arguments, ranked_candidates=cap + 1)
        counted = None
    elif summary.ranked_ids is not None and arguments.get("ordering") not in ORDERINGS:
        products, counted = ProductsInOrder(summary.ranked_ids), summary.match_count
    else:
        products = product_search(**arguments, ranked_candidates=cap + 1)
        counted = summary.match_count
    return StorefrontListing(
        products=products, counted=counted, brands=summary.brands, attributes=summary.attributes
    )
