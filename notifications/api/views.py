"""Inbox API: a user's own messages only; another user's message is a 404."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.actors import actor_for
from notifications import selectors
from notifications.api.serializers import (
    InboxMessageOutputSerializer,
    MarkAllReadOutputSerializer,
    PreferenceInputSerializer,
    PreferenceRowOutputSerializer,
    UnreadCountOutputSerializer,
)
from notifications.services.inbox import inbox_mark_all_read, inbox_message_mark_read
from notifications.services.preferences import notification_preference_set


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
    def post(self, request, message_id):
        message = inbox_message_mark_read(actor=actor_for(request.user), message_id=message_id)
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
        marked = inbox_mark_all_read(actor=actor_for(request.user))
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


class NotificationPreferencesApi(APIView):
    """Which channels each kind of message reaches me on."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["notifications"],
        summary="My notification settings",
        responses={200: PreferenceRowOutputSerializer(many=True)},
    )
    def get(self, request):
        matrix = selectors.preference_matrix(user=request.user)
        return Response(PreferenceRowOutputSerializer(matrix, many=True).data)

    @extend_schema(
        tags=["notifications"],
        summary="Switch one channel of one kind of message on or off",
        request=PreferenceInputSerializer,
        responses={200: PreferenceRowOutputSerializer(many=True)},
    )
    def put(self, request):
        serializer = PreferenceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        notification_preference_set(actor=actor_for(request.user), **serializer.validated_data)
        matrix = selectors.preference_matrix(user=request.user)
        return Response(PreferenceRowOutputSerializer(matrix, many=True).data)
