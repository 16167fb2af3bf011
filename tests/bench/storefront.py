"""Scenario (b): the storefront's pages over a catalogue of BENCH_PRODUCTS extra products
(seed_demo --products N: 3,000 by default, 100,000 for the growth figure), rendered by Django's
test client in-process (no network: the cost of the view, its queries and the template).

Pages: home, listing (pages 1-5), category, listing with filters (price range, in stock) and
sorted by price, product page, search in English and Chinese, and the cart of a signed-in
shopper with three lines. For each kind: p50 / p95 server time and the most SQL statements one
request of that kind ran (asserted: the bench fails when a page runs more than MAX_QUERIES,
whatever the catalogue's size), in two rows:

- "first visit": the catalogue's version is moved on before each request (as an edit does),
  so nothing kept under it (a listing's summary) is read: the first shopper of a listing
  within its minute, or after an edit;
- "repeat visit": every URL of the kind requested once beforehand, then measured: the
  shoppers who follow within the minute.

Kept per picture file rather than per version (thumbnail URLs), and the process's own warm-up
(templates, the first connection), are warm in both.
"""

import io
import os
import time

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from catalog.models import SKU, Category, Product
from catalog.services.catalogue_version import catalogue_version_bump
from tests.bench.runtime import Row, Timings

EXTRA_PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "3000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "40"))
# BENCH_SEED=0 (with BENCH_KEEPDB=1): measure the catalogue a previous run seeded and kept,
# e.g. again after a change of the code, without the minutes of seeding 100,000 products.
SEED = os.environ.get("BENCH_SEED", "1") != "0"
SEARCH_TERMS = ["phone", "tea", "shoes", "手机", "茶", "pro", "red", "kids"]
MAX_QUERIES = 25  # per page, any catalogue size (tests/catalog/test_query_counts.py holds less)


def _measure(client: Client, urls: list[str], *, first_visits: bool) -> tuple[Timings, int]:
    for url in urls:  # warm-up: template loading, first connection, every URL seen once
        client.get(url)
    timings = Timings()
    most_queries = 0
    for i in range(REQUESTS):
        url = urls[i % len(urls)]
        if first_visits:
            catalogue_version_bump()  # outside a transaction: moved on at once
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            timings.add(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        most_queries = max(most_queries, len(queries.captured_queries))
    return timings, most_queries


def _shopper_client(skus: list[int]) -> Client:
    from tests.accounts.factories import UserFactory

    shopper = UserFactory(username=f"bench-cart-{os.getpid()}-{Product.objects.count()}")
    client = Client()
    client.force_login(shopper)
    for sku_id in skus:
        client.post("/cart/add/", {"sku_id": sku_id, "quantity": 1})
    return client


def run() -> list[Row]:
    started = time.perf_counter()
    if SEED:
        call_command("seed_demo", products=EXTRA_PRODUCTS, verbosity=0, stdout=io.StringIO())
    seed_seconds = time.perf_counter() - started
    products = Product.objects.filter(is_active=True).count()
    categories = list(
        Category.objects.filter(is_active=True, products__isnull=False)
        .values_list("slug", flat=True)
        .distinct()[:10]
    )
    product_ids = list(
        Product.objects.filter(is_active=True).order_by("?").values_list("pk", flat=True)[:20]
    )
    cart_skus = list(
        SKU.objects.filter(is_active=True, product__is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:3]
    )
    client = Client()
    pages = {
        "home": (client, ["/"]),
        "listing (all, page 1-5)": (client, [f"/search/?page={n}" for n in range(1, 6)]),
        "category": (client, [f"/c/{slug}/" for slug in categories] or ["/search/"]),
        "listing filtered + sorted": (
            client,
            [
                "/search/?ordering=price&min_price=10&max_price=500",
                "/search/?ordering=-price&in_stock=1",
                "/search/?ordering=sales",
            ],
        ),
        "product page": (client, [f"/p/{pk}/" for pk in product_ids]),
        "search (en + zh)": (client, [f"/search/?q={term}" for term in SEARCH_TERMS]),
        "cart (3 lines)": (_shopper_client(cart_skus), ["/cart/"]),
    }
    name = f"(b) storefront: {products} products"
    rows = [
        Row(
            name,
            f"seed_demo --products {EXTRA_PRODUCTS}" if SEED else "seed_demo (kept database)",
            f"{seed_seconds:.1f} s" if SEED else "skipped",
        ),
        Row(name, "requests per page kind", str(REQUESTS)),
    ]
    too_many = []
    for label, (page_client, urls) in pages.items():
        for visit, first_visits in (("first visit", True), ("repeat visit", False)):
            timings, most = _measure(page_client, urls, first_visits=first_visits)
            rows.append(
                Row(
                    name,
                    f"{label}, {visit} p50 / p95",
                    f"{timings.p50_ms:.1f} / {timings.p95_ms:.1f} ms",
                )
            )
            rows.append(Row(name, f"{label}, {visit} queries (max)", str(most)))
            if most > MAX_QUERIES:
                too_many.append(f"{label}, {visit}: {most}")
    rows.append(
        Row(name, "result", "PASS" if not too_many else "FAIL queries " + ", ".join(too_many))
    )
    return rows
