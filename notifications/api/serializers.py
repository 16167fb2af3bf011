from rest_framework import serializers

from notifications.models import InboxMessage


class InboxMessageOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = InboxMessage
        fields = ["id", "node", "title", "body", "link", "is_read", "read_at", "created_at"]
        read_only_fields = fields


class MarkAllReadOutputSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many messages were unread and are now read.")


class UnreadCountOutputSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class PreferenceChannelOutputSerializer(serializers.Serializer):
    channel = serializers.CharField()
    label = serializers.CharField()
    enabled = serializers.BooleanField()
    locked = serializers.BooleanField(help_text="Always on (the inbox copy of money messages).")


class PreferenceRowOutputSerializer(serializers.Serializer):
    node = serializers.CharField()
    label = serializers.CharField()
    channels = PreferenceChannelOutputSerializer(many=True)


class PreferenceInputSerializer(serializers.Serializer):
    node = serializers.CharField(max_length=40)
    channel = serializers.CharField(max_length=16)
    enabled = serializers.BooleanField()
