"""Reviews API: a product's visible reviews (anyone) and a shopper's review of a received line.

Input is checked by reviews.services (the same rules as the storefront form); its domain errors
become 400/404/409 `{"detail", "code"}` in shop.errors' handler.
"""

from collections.abc import Mapping

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.actors import actor_for
from catalog.models import Product
from reviews.api.serializers import ReviewCreateInputSerializer, ReviewOutputSerializer
from reviews.models import Review
from reviews.selectors import reviews_for_product
from reviews.services import review_create
from shop.errors import InvalidInput


class ReviewPagination(PageNumberPagination):
    page_size = 10
    page_size_query_param = "page_size"
    max_page_size = 50


class ProductReviewsView(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = ReviewOutputSerializer
    pagination_class = ReviewPagination
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Review.objects.none()
        pk = self.kwargs["pk"]
        if not Product.objects.filter(pk=pk, is_active=True, merchant__is_active=True).exists():
            raise Http404
        return reviews_for_product(pk)

    @extend_schema(summary="A product's visible reviews, newest first")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ReviewCreateView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={"multipart/form-data": ReviewCreateInputSerializer},
        responses={
            201: ReviewOutputSerializer,
            400: OpenApiResponse(description="Bad rating, text or pictures"),
            404: OpenApiResponse(description="Not one of your order lines"),
            409: OpenApiResponse(description="Not received yet, or already reviewed"),
        },
        summary="Review one received order line (once)",
    )
    def post(self, request):
        data = request.data
        if not isinstance(data, Mapping):
            raise InvalidInput("Send a form or a JSON object.", code="invalid_body")
        if data.get("order_line_id") in (None, ""):
            raise InvalidInput("order_line_id is required.", code="missing_order_line")
        images = request.FILES.getlist("images") or request.FILES.getlist("images[]")
        review = review_create(
            actor=actor_for(request.user),
            order_line_id=data.get("order_line_id"),
            rating=data.get("rating"),
            text=data.get("text", ""),
            images=images,
        )
        review = reviews_for_product(review.product_id).get(pk=review.pk)
        return Response(
            ReviewOutputSerializer(review, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )
