"""Output (and documented input) shapes of the reviews API."""

from rest_framework import serializers

from reviews.services import MAX_TEXT_LENGTH
from reviews.templatetags.review_tags import review_image_url, reviewer_name


def _absolute(request, url: str) -> str:
    if not url:
        return ""
    return request.build_absolute_uri(url) if request is not None else url


class ReviewImageOutputSerializer(serializers.Serializer):
    thumbnail = serializers.SerializerMethodField()
    original = serializers.SerializerMethodField()

    def get_thumbnail(self, picture) -> str:
        return _absolute(self.context.get("request"), review_image_url(picture))

    def get_original(self, picture) -> str:
        return _absolute(self.context.get("request"), review_image_url(picture, "original"))


class ReviewOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    rating = serializers.IntegerField()
    text = serializers.CharField()
    reviewer = serializers.SerializerMethodField()
    images = ReviewImageOutputSerializer(many=True, source="images.all")
    merchant_reply = serializers.CharField()
    replied_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    def get_reviewer(self, review) -> str:
        return reviewer_name(review.user)


class ReviewCreateInputSerializer(serializers.Serializer):
    """Documents the multipart body; the service validates every field itself."""

    order_line_id = serializers.IntegerField()
    rating = serializers.IntegerField(min_value=1, max_value=5)
    text = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT_LENGTH)
    images = serializers.ListField(
        child=serializers.ImageField(), required=False, max_length=6, help_text="Up to 6."
    )
