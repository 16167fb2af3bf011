"""Inbox API: a user's own messages only; another user's message is a 404."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications import selectors, services
from notifications.api.serializers import (
    InboxMessageOutputSerializer,
    MarkAllReadOutputSerializer,
    UnreadCountOutputSerializer,
)


@extend_schema(
    tags=["notifications"],
    summary="My inbox messages, unread first",
    parameters=[
        OpenApiParameter(
            "unread", OpenApiTypes.BOOL, description="1: only unread messages", required=False
        )
    ],
)
class InboxMessageListApi(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = InboxMessageOutputSerializer
    filter_backends: list = []

    def get_queryset(self):
        unread = self.request.query_params.get("unread", "").lower() in {"1", "true", "yes"}
        return selectors.inbox_for_user(user=self.request.user, unread_only=unread)


class InboxMessageReadApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["notifications"],
        summary="Mark one of my messages read",
        request=None,
        responses={200: InboxMessageOutputSerializer},
    )
    def post(self, request, message_id: int):
        message = services.inbox_message_mark_read(user=request.user, message_id=message_id)
        return Response(InboxMessageOutputSerializer(message).data)


class InboxMarkAllReadApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["notifications"],
        summary="Mark all my messages read",
        request=None,
        responses={200: MarkAllReadOutputSerializer},
    )
    def post(self, request):
        marked = services.inbox_mark_all_read(user=request.user)
        return Response(MarkAllReadOutputSerializer({"marked": marked}).data)


class InboxUnreadCountApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["notifications"],
        summary="How many of my messages are unread",
        responses={200: UnreadCountOutputSerializer},
    )
    def get(self, request):
        unread = selectors.inbox_unread_count(user=request.user)
        return Response(UnreadCountOutputSerializer({"unread": unread}).data)
