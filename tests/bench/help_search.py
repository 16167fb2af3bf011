"""Scenario (f): help-search latency over 1,000+ published articles (BENCH_ARTICLES), Chinese
and English queries, typos included: the search itself (knowledge.selectors, first page of
ids) and the /help/search/ page and the API rendered in-process by Django's test client."""

import os
import random

from django.test import Client

from knowledge import selectors
from knowledge.models import Article, Topic
from knowledge.search import search_documents_refresh
from knowledge.seed import ARTICLES, ensure_help_content
from tests.bench.runtime import Row, Timings, timed

ARTICLES_WANTED = int(os.environ.get("BENCH_ARTICLES", "1000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "40"))
QUERIES = [
    "退款", "退货", "退款多久到账", "七天无理由", "包裹没收到", "发票", "换尺码",
    "refund", "how to return", "parcel not arrived", "refnud", "exchnage size", "invoice",
]  # fmt: skip


def _fill(target: int) -> int:
    """Variations of the seeded articles (shuffled paragraphs, other titles) up to `target`."""
    ensure_help_content()
    have = Article.objects.filter(status="published").count()
    topics = list(Topic.objects.all())
    rng = random.Random(14)
    rows = []
    for n in range(max(0, target - have)):
        slug, language, _topic, title, summary, keywords, _r, stages, types, body = rng.choice(
            ARTICLES
        )
        paragraphs = body.split("\n\n")
        rng.shuffle(paragraphs)
        rows.append(
            Article(
                slug=f"bench-{n}-{slug}"[:80],
                language=language,
                topic=rng.choice(topics),
                title=f"{title} ({n})",
                summary=summary,
                keywords=" ".join(rng.sample(keywords.split(), k=min(3, len(keywords.split())))),
                body="\n\n".join(paragraphs),
                stages=stages,
                case_types=types,
                status="published",
                audience="shopper",
            )
        )
    Article.objects.bulk_create(rows, batch_size=500)
    search_documents_refresh(Article, Article.objects.values_list("pk", flat=True))
    return Article.objects.filter(status="published").count()


def _measure(call, arguments) -> Timings:
    for argument in arguments[:3]:
        call(argument)  # warm-up
    timings = Timings()
    for i in range(REQUESTS):
        timed(timings, call, arguments[i % len(arguments)])
    return timings


def _page(client: Client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return response


def run() -> list[Row]:
    count = _fill(ARTICLES_WANTED)
    client = Client()
    name = f"(f) help search: {count} articles"
    kinds = {
        "search (first 10 ids)": (
            lambda q: list(selectors.article_list(search=q).values_list("pk", flat=True)[:10]),
            QUERIES,
        ),
        "/help/search/ page": (
            lambda url: _page(client, url),
            [f"/help/search/?q={q}" for q in QUERIES],
        ),
        "GET /api/help/articles/?search=": (
            lambda url: _page(client, url),
            [f"/api/help/articles/?search={q}" for q in QUERIES],
        ),
    }
    rows = [Row(name, "requests per kind", str(REQUESTS))]
    for label, (call, arguments) in kinds.items():
        timings = _measure(call, arguments)
        rows.append(Row(name, f"{label} p50", f"{timings.p50_ms:.1f} ms"))
        rows.append(Row(name, f"{label} p95", f"{timings.p95_ms:.1f} ms"))
    return rows
