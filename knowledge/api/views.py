"""The help API: published shopper articles, searched and filtered, one article, and
"was this helpful?". Public (no sign-in needed), like the help centre's pages."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.actors import actor_for
from knowledge import selectors, services
from knowledge.models import Article
from orders.api.views import ErrorSerializer
from shop.errors import NotFound

from .serializers import (
    ArticleDetailSerializer,
    ArticleListQuerySerializer,
    ArticleSummarySerializer,
    FeedbackInputSerializer,
    FeedbackOutputSerializer,
)


def _article_or_404(slug: str) -> Article:
    article = selectors.article_get(slug=slug)
    if article is None:
        raise NotFound("No such article.")
    return article


@extend_schema(parameters=[ArticleListQuerySerializer], tags=["help"])
class ArticleListView(ListAPIView):
    """Published help articles; with `search`, best match first (Chinese and English)."""

    permission_classes = [AllowAny]
    serializer_class = ArticleSummarySerializer
    filter_backends: list = []

    def get_queryset(self):
        query = ArticleListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.article_list(**query.validated_data)


class ArticleDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: ArticleDetailSerializer, 404: ErrorSerializer},
        tags=["help"],
    )
    def get(self, request, slug: str):
        article = _article_or_404(slug)
        services.article_viewed(article=article)
        return Response(ArticleDetailSerializer(article).data)


class ArticleFeedbackView(APIView):
    """One answer per signed-in user or browser session; sending again changes it."""

    permission_classes = [AllowAny]

    @extend_schema(
        request=FeedbackInputSerializer,
        responses={
            200: FeedbackOutputSerializer,
            400: OpenApiResponse(ErrorSerializer),
            404: OpenApiResponse(ErrorSerializer),
        },
        tags=["help"],
    )
    def post(self, request, slug: str):
        article = _article_or_404(slug)
        data = FeedbackInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actor = actor_for(request.user) if request.user.is_authenticated else None
        if actor is None and not request.session.session_key:
            request.session.save()
        feedback = services.article_feedback_record(
            article=article,
            actor=actor,
            session_key="" if actor else request.session.session_key,
            helpful=data.validated_data["helpful"],
            comment=data.validated_data.get("comment", ""),
        )
        article = Article.objects.get(pk=article.pk)
        return Response(
            FeedbackOutputSerializer(
                {
                    "helpful": feedback.helpful,
                    "helpful_count": article.helpful_count,
                    "not_helpful_count": article.not_helpful_count,
                }
            ).data
        )
