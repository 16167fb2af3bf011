"""The unread inbox count for the header badge; counted only if a template shows it."""

from django.utils.functional import SimpleLazyObject

from notifications.selectors import inbox_unread_count


def inbox(request):
    user = getattr(request, "user", None)
    return {"inbox_unread_count": SimpleLazyObject(lambda: inbox_unread_count(user=user))}
