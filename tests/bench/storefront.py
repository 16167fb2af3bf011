"""Scenario (b): latency of the product listing, category and search pages over a catalogue of
a few thousand products (seed_demo --products N), rendered by Django's test client in-process
(no network: this is the cost of the view, the queries and the template)."""

import io
import os

from django.core.management import call_command
from django.test import Client

from catalog.models import Category, Product
from tests.bench.runtime import Row, Timings, timed

EXTRA_PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "3000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "40"))
SEARCH_TERMS = ["phone", "tea", "shoes", "手机", "茶", "pro", "red", "kids"]


def _measure(client: Client, urls: list[str]) -> Timings:
    for url in urls[:3]:  # warm-up: template loading, first connection
        client.get(url)
    timings = Timings()
    for i in range(REQUESTS):
        response = timed(timings, client.get, urls[i % len(urls)])
        if response.status_code != 200:
            raise RuntimeError(f"{urls[i % len(urls)]} answered {response.status_code}")
    return timings


def run() -> list[Row]:
    call_command("seed_demo", products=EXTRA_PRODUCTS, verbosity=0, stdout=io.StringIO())
    products = Product.objects.filter(is_active=True).count()
    categories = list(
        Category.objects.filter(is_active=True, products__isnull=False)
        .values_list("slug", flat=True)
        .distinct()[:10]
    )
    client = Client()
    pages = {
        "home": ["/"],
        "listing (all, page 1-5)": [f"/search/?page={n}" for n in range(1, 6)],
        "category": [f"/c/{slug}/" for slug in categories] or ["/search/"],
        "listing sorted by price": ["/search/?ordering=price", "/search/?ordering=-price"],
        "search": [f"/search/?q={term}" for term in SEARCH_TERMS],
    }
    name = f"(b) storefront: {products} products"
    rows = [Row(name, "requests per page kind", str(REQUESTS))]
    for label, urls in pages.items():
        timings = _measure(client, urls)
        rows.append(Row(name, f"{label} p50", f"{timings.p50_ms:.1f} ms"))
        rows.append(Row(name, f"{label} p95", f"{timings.p95_ms:.1f} ms"))
    return rows
