from rest_framework import serializers

from knowledge.markdown import render_markdown
from knowledge.models import Article


class ArticleListQuerySerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Words in Chinese or English (typos tolerated); best match first.",
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="An after-sales reason code (the reasons of /aftersales-options/).",
    )
    category = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="A catalog category slug: articles of it or of a category above it.",
    )
    stage = serializers.ChoiceField(
        required=False,
        allow_blank=True,
        choices=["not_shipped", "in_transit", "received"],
        help_text="Where the order is: articles made for that stage or for any.",
    )
    topic = serializers.CharField(required=False, allow_blank=True, max_length=64)
    language = serializers.ChoiceField(required=False, allow_blank=True, choices=["zh-hans", "en"])


class ArticleSummarySerializer(serializers.ModelSerializer):
    topic = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Article
        fields = ["slug", "title", "summary", "language", "topic", "stages", "case_types"]


class ArticleDetailSerializer(ArticleSummarySerializer):
    body_html = serializers.SerializerMethodField()
    reasons = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta(ArticleSummarySerializer.Meta):
        fields = [
            *ArticleSummarySerializer.Meta.fields,
            "body",
            "body_html",
            "reasons",
            "helpful_count",
            "not_helpful_count",
            "updated_at",
        ]

    def get_body_html(self, article) -> str:
        return str(render_markdown(article.body))


class FeedbackInputSerializer(serializers.Serializer):
    helpful = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500)


class FeedbackOutputSerializer(serializers.Serializer):
    helpful = serializers.BooleanField()
    helpful_count = serializers.IntegerField()
    not_helpful_count = serializers.IntegerField()
