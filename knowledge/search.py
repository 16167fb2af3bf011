"""Help search: PostgreSQL full-text search for words, pg_trgm for typos and Chinese.

- English (and any space-separated words): `search_document` is a tsvector with the 'english'
  configuration (stems: "returns" finds "return"), title weighted A, keywords B, summary and
  body C; each query word is a prefix. A misspelt word ("refnud") still finds "refund" by
  trigram word similarity against the title and the keywords.
- Chinese has no spaces, so a tsvector would hold whole phrases as one token. Instead a Chinese
  query is cut into overlapping two-character pieces (退款多久 -> 退款, 款多, 多久), the way
  CJK search engines index without a dictionary, and each piece is matched as a substring of
  the title, keywords and body (ILIKE, served by the pg_trgm GIN indexes). An article scores by
  the share of pieces it holds, a title hit counting most. No segmenter dictionary to keep up.

Typos: an English word that is in no article (nor a prefix of one of their words) is replaced
by the article word closest to it by edit distance with transpositions (refnud -> refund,
retrun -> return), one edit allowed for words of 4-5 letters, two from 6. pg_trgm's similarity
alone misses such swaps in short words (refnud/refund share 3 of 11 trigrams). The vocabulary
is the words of the published titles, keywords and summaries, cached until an article changes.

Relevance = full-text rank + trigram similarity + the Chinese piece score + a bonus when the
whole query is in the title. On SQLite (the `make run` fallback) matching is by substring only.
"""

import re

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Count, F, FloatField, Max, Q, QuerySet, Value, When
from django.db.models.functions import Greatest, Length

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
WORD = re.compile(r"[0-9a-z]+")
MAX_PIECES = 12
MAX_WORDS = 8
# Below this the trigram match of a word is noise rather than a typo.
TRIGRAM_THRESHOLD = 0.45


def search_document_expression():
    """What Article.search_document holds (kept current by knowledge.services)."""
    return (
        SearchVector("title", weight="A", config="english")
        + SearchVector("keywords", weight="B", config="english")
        + SearchVector("summary", weight="C", config="english")
        + SearchVector("body", weight="C", config="english")
    )


def search_documents_refresh(article_model, ids) -> None:
    """Rebuild the vectors of these articles (the model may be a migration's historical one)."""
    if connection.vendor == "postgresql":
        article_model.objects.filter(pk__in=list(ids)).update(
            search_document=search_document_expression()
        )


def cjk_pieces(query: str) -> list[str]:
    """Overlapping two-character pieces of every run of Chinese characters (one character
    alone stays itself)."""
    pieces: list[str] = []
    for run in CJK.findall(query):
        if len(run) == 1:
            pieces.append(run)
        pieces.extend(run[i : i + 2] for i in range(len(run) - 1))
    return list(dict.fromkeys(pieces))[:MAX_PIECES]


def latin_words(query: str) -> list[str]:
    return list(dict.fromkeys(WORD.findall(query.lower())))[:MAX_WORDS]


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours is one edit), capped."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2, previous = None, list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def vocabulary(articles: QuerySet) -> frozenset[str]:
    """The English words of these articles' titles, keywords and summaries (cached; the key
    changes whenever an article is added, removed or edited)."""
    stamp = articles.aggregate(n=Count("id"), last=Max("updated_at"))
    key = f"help-vocabulary:{stamp['n']}:{stamp['last'].timestamp() if stamp['last'] else 0}"
    words = cache.get(key)
    if words is None:
        words = set()
        for row in articles.values_list("title", "keywords", "summary"):
            words.update(WORD.findall(" ".join(row).lower()))
        words = frozenset(word for word in words if len(word) >= 3)
        cache.set(key, words, 600)
    return words


def corrected_words(words: list[str], known: frozenset[str]) -> list[str]:
    """Each word as typed when an article has it (or a word it begins or that begins it),
    else the closest article word within the edit budget, else as typed."""
    fixed = []
    for word in words:
        if (
            len(word) < 4
            or word in known
            or any(k.startswith(word) or word.startswith(k) for k in known if len(k) >= 4)
        ):
            fixed.append(word)
            continue
        limit = 1 if len(word) <= 5 else 2
        best = min(
            ((_edit_distance(word, k, limit), k) for k in known),
            default=(limit + 1, word),
        )
        fixed.append(best[1] if best[0] <= limit else word)
    return fixed


def _pieces_in_use(articles: QuerySet, pieces: list[str]) -> list[str]:
    """The pieces some article holds (one query): 想开发票 gives 想开, 开发, 发票, and only
    发票 is in the articles; the others would only dilute every article's score."""
    counts = articles.aggregate(
        **{
            f"piece_{i}": Count(
                "pk",
                filter=Q(title__contains=p) | Q(keywords__contains=p) | Q(body__contains=p),
            )
            for i, p in enumerate(pieces)
        }
    )
    return [p for i, p in enumerate(pieces) if counts[f"piece_{i}"]]


def _piece_score(pieces: list[str]):
    """Share of the pieces found, a title hit worth 1, keywords 0.8, summary or body 0.4."""
    total = Value(0.0, output_field=FloatField())
    for piece in pieces:
        total = total + Case(
            When(title__contains=piece, then=Value(1.0)),
            When(keywords__contains=piece, then=Value(0.8)),
            When(Q(summary__contains=piece) | Q(body__contains=piece), then=Value(0.4)),
            default=Value(0.0),
            output_field=FloatField(),
        )
    return total / Value(float(len(pieces)))


def search_articles(articles: QuerySet, query: str) -> QuerySet:
    """`articles` matching `query`, annotated with `relevance`, best first."""
    query = " ".join((query or "").split())[:100]
    pieces, words = cjk_pieces(query), latin_words(query)
    if len(pieces) > 1:
        pieces = _pieces_in_use(articles, pieces)
    if not pieces and not words:
        return articles.none()
    # A title holding the whole query, more when the title is short (about just that).
    title_bonus = Case(
        When(
            title__icontains=query,
            then=Value(1.0) + Value(float(len(query))) / Length("title"),
        ),
        default=Value(0.0),
        output_field=FloatField(),
    )
    matches = Q()
    for piece in pieces:
        matches |= Q(title__contains=piece) | Q(keywords__contains=piece) | Q(body__contains=piece)
    if connection.vendor != "postgresql":
        for word in words:
            matches |= Q(title__icontains=word) | Q(keywords__icontains=word)
            matches |= Q(body__icontains=word)
        relevance = title_bonus + (_piece_score(pieces) if pieces else Value(0.0))
        return articles.filter(matches).annotate(relevance=relevance).order_by("-relevance", "id")

    if words:
        words = corrected_words(words, vocabulary(articles))
    relevance = title_bonus
    if pieces:
        relevance = relevance + _piece_score(pieces) * Value(2.0)
    if words:
        latin = " ".join(words)
        # Each word a prefix; any word may match (the rank prefers articles with more of them).
        full_text = SearchQuery(
            " | ".join(f"{word}:*" for word in words), config="english", search_type="raw"
        )
        similarity = Greatest(
            TrigramWordSimilarity(Value(latin), "title"),
            TrigramWordSimilarity(Value(latin), "keywords"),
        )
        relevance = relevance + SearchRank(F("search_document"), full_text) * Value(4.0)
        relevance = relevance + similarity
        matches |= Q(search_document=full_text)
        for word in words:
            if len(word) >= 4:
                matches |= Q(title__trigram_word_similar=word)
                matches |= Q(keywords__trigram_word_similar=word)
    return (
        articles.filter(matches)
        .annotate(relevance=relevance)
        .filter(relevance__gt=0.05)
        .order_by("-relevance", "position", "id")
    )
