"""A person's in-site messages marked read: the shopper's, a merchant's staff's, ops' own."""

from django.db import transaction
from django.utils import timezone

from catalog.actors import Actor
from notifications import selectors
from notifications.models import InboxMessage


@transaction.atomic
def inbox_message_mark_read(*, actor: Actor, message_id) -> InboxMessage:
    """One of the actor's own messages (another user's is "not found"); read once, the first
    time it is opened."""
    message = selectors.inbox_message_get_for_user(user=actor.user, message_id=message_id)
    if not message.is_read:
        message.is_read = True
        message.read_at = timezone.now()
        message.save(update_fields=["is_read", "read_at"])
    return message


@transaction.atomic
def inbox_mark_all_read(*, actor: Actor) -> int:
    """Every unread message of the actor's; returns how many were marked."""
    if actor.user is None:
        return 0  # the system has no inbox
    return InboxMessage.objects.filter(user=actor.user, is_read=False).update(
        is_read=True, read_at=timezone.now()
    )
