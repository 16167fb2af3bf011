from rest_framework import serializers

from notifications.models import InboxMessage


class InboxMessageOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = InboxMessage
        fields = ["id", "node", "title", "body", "link", "is_read", "read_at", "created_at"]
        read_only_fields = fields


class MarkAllReadOutputSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many messages were unread and are now read.")


class UnreadCountOutputSerializer(serializers.Serializer):
    unread = serializers.IntegerField()
