"""Reads of the knowledge base shared by the help centre, the API, the request form's
suggestions and the admin's service desk."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import get_language

from catalog.actors import is_platform_staff, staff_merchant
from catalog.models import Category, Product
from catalog.selectors import CategoryIndex

from .models import Article, Audience, CannedReply, ContactRequest, Language, Macro, Topic
from .search import CJK, search_articles

SUGGESTION_LIMIT = 3


def _made_for_stage(stage: str) -> Q:
    """The stage among the article's stages: a text match of the quoted value, which works
    on PostgreSQL and on the SQLite fallback alike (SQLite has no JSON containment)."""
    return Q(stages__icontains=f'"{stage}"')


def published_articles(*, audience: str = Audience.SHOPPER) -> QuerySet:
    return Article.objects.filter(status=Article.Status.PUBLISHED, audience=audience)


def article_list(
    *,
    search: str = "",
    reason: str = "",
    category: str = "",
    stage: str = "",
    topic: str = "",
    language: str = "",
    audience: str = Audience.SHOPPER,
) -> QuerySet:
    """Published articles for one audience, filtered, best match first when searched.
    `category` is a catalog category slug: articles of it or of a category above it."""
    articles = published_articles(audience=audience).select_related("topic")
    if reason:
        articles = articles.filter(reasons__code=reason)
    if stage:
        articles = articles.filter(_made_for_stage(stage) | Q(stages=[]))
    if topic:
        articles = articles.filter(topic__slug=topic)
    if language in Language.values:
        articles = articles.filter(language=language)
    if category:
        ids = category_and_ancestor_ids(Category.objects.filter(slug=category).first())
        # A semi-join: an article linked to a category and to one above it is listed once.
        linked = Article.categories.through.objects.filter(category_id__in=ids)
        articles = articles.filter(pk__in=linked.values("article_id")) if ids else articles.none()
    if search.strip():
        return search_articles(articles, search)
    return articles.order_by("position", "id")


def category_and_ancestor_ids(category: Category | None) -> list[int]:
    """A category and those above it (an article linked to 服装 answers for 男装 too)."""
    if category is None:
        return []
    return [c.pk for c in CategoryIndex.load().ancestors(category)]


def sub_order_category_ids(sub_order) -> list[int]:
    """The categories of the sub-order's products and those above them (two queries)."""
    own = set(
        Product.objects.filter(skus__order_lines__sub_order_id=sub_order.pk)
        .exclude(category_id=None)
        .values_list("category_id", flat=True)
    )
    if not own:
        return []
    index = CategoryIndex.load()
    found = {c.pk for pk in own if pk in index.by_id for c in index.ancestors(index.by_id[pk])}
    return sorted(found)


def audiences_of(user) -> list[str]:
    """Whose articles a user may read: everyone the shoppers'; a merchant's staff also the
    merchants'; operations every one."""
    if is_platform_staff(user):
        return list(Audience.values)
    if staff_merchant(user) is not None:
        return [Audience.SHOPPER, Audience.MERCHANT]
    return [Audience.SHOPPER]


def article_get(*, slug: str, audiences=(Audience.SHOPPER,)) -> Article | None:
    return (
        Article.objects.filter(status=Article.Status.PUBLISHED, audience__in=list(audiences))
        .select_related("topic")
        .filter(slug=slug)
        .first()
    )


def topics_with_articles(*, language: str = "") -> list[Topic]:
    """Every topic with its published shopper articles (two queries)."""
    articles = list(
        published_articles()
        .filter(**({"language": language} if language else {}))
        .order_by("position", "id")
        .only("slug", "title", "summary", "topic_id", "language")
    )
    topics = list(Topic.objects.all())
    for topic in topics:
        topic.listed = [a for a in articles if a.topic_id == topic.pk]
    return [topic for topic in topics if topic.listed]


def most_read_articles(*, language: str = "", limit: int = 5) -> list[Article]:
    """What shoppers open most (views, then "helpful" answers)."""
    articles = published_articles().filter(view_count__gt=0)
    if language:
        articles = articles.filter(language=language)
    return list(
        articles.order_by("-view_count", "-helpful_count", "id").only("slug", "title")[:limit]
    )


def related_articles(article: Article, *, limit: int = 4) -> list[Article]:
    """Same topic and language, then sharing a reason."""
    shares_reason = Article.reasons.through.objects.filter(
        article_id=OuterRef("pk"),
        casereason_id__in=article.reasons.through.objects.filter(article_id=article.pk).values(
            "casereason_id"
        ),
    )
    return list(
        published_articles()
        .filter(language=article.language)
        .exclude(pk=article.pk)
        .filter(Q(topic_id=article.topic_id) | Exists(shares_reason))
        .order_by("position", "id")
        .only("slug", "title", "summary")[:limit]
    )


def preferred_language(text: str = "") -> str:
    """Chinese when the shopper types Chinese or browses in Chinese, else English."""
    if CJK.search(text or "") or (get_language() or "").lower().startswith("zh"):
        return Language.ZH
    return Language.EN


def suggested_articles(
    *,
    reason_code: str = "",
    category_ids: list[int] | None = None,
    stage: str = "",
    text: str = "",
    case_type: str = "",
    audience: str = Audience.SHOPPER,
    language: str | None = None,
    limit: int = SUGGESTION_LIMIT,
) -> list[Article]:
    """Up to `limit` articles for a request being filled (or a case being handled): linked to
    the chosen reason (3 points), to the product's category or one above it (2), to the
    sub-order's stage (1, 1.5 when only for it), to the case type (1), plus twice the search
    relevance of the words typed.
    An article made for another stage is left out. At most three queries."""
    language = language or preferred_language(text)
    articles = published_articles(audience=audience).filter(language=language)
    if stage:
        articles = articles.filter(_made_for_stage(stage) | Q(stages=[]))
    scores: dict[int, float] = {}
    text_hits: dict[int, float] = {}
    if text.strip():
        for article in search_articles(articles, text)[:10]:
            # The shopper's own words say most: they weigh double.
            text_hits[article.pk] = 2 * float(article.relevance)
    linked = Q(pk__in=list(text_hits))
    if reason_code:
        linked |= Q(pk__in=articles.filter(reasons__code=reason_code).values("pk"))
    if category_ids:
        linked |= Q(pk__in=articles.filter(categories__in=category_ids).values("pk"))
    if stage and not (reason_code or category_ids or text_hits):
        # Nothing chosen yet: the answers for where the order is.
        linked |= _made_for_stage(stage)
    candidates = {
        a.pk: a for a in articles.filter(linked).prefetch_related("reasons", "categories")
    }
    for pk, article in candidates.items():
        score = text_hits.get(pk, 0.0)
        if reason_code and any(r.code == reason_code for r in article.reasons.all()):
            score += 3
        if category_ids and any(c.pk in category_ids for c in article.categories.all()):
            score += 2
        if stage and stage in article.stages:
            # Made for this stage only beats made for several.
            score += 1.5 if len(article.stages) == 1 else 1
        if case_type and case_type in article.case_types:
            score += 1
        scores[pk] = score
    ranked = sorted(candidates.values(), key=lambda a: (-scores[a.pk], a.position, a.pk))
    return ranked[:limit]


def contact_requests_of(*, user, limit: int = 10) -> list[ContactRequest]:
    return list(ContactRequest.objects.filter(user=user).select_related("merchant")[:limit])


def canned_replies_for(*, case, merchant_id: int | None) -> list[CannedReply]:
    """Replies for this case: the merchant's own and the shared ones, those linked to its
    reason or type first."""
    replies = list(
        CannedReply.objects.filter(is_active=True)
        .filter(Q(merchant__isnull=True) | Q(merchant_id=merchant_id))
        .prefetch_related("reasons")
    )

    def fits(reply: CannedReply) -> int:
        by_reason = any(r.pk == case.reason_id for r in reply.reasons.all())
        by_type = case.type in reply.case_types
        return -(2 * by_reason + by_type)

    return sorted(replies, key=lambda r: (fits(r), r.position, r.pk))


def macros_for(*, merchant_id: int | None) -> list[Macro]:
    return list(
        Macro.objects.filter(is_active=True, reply__is_active=True)
        .filter(Q(merchant__isnull=True) | Q(merchant_id=merchant_id))
        .select_related("reply")
    )
