"""Storefront inbox: the signed-in user's messages, newest unread first."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_POST

from catalog.actors import actor_for
from notifications import selectors
from notifications.services.inbox import inbox_mark_all_read, inbox_message_mark_read
from notifications.services.preferences import notification_preferences_save
from shop.errors import NotFound
from shop.redirects import safe_next

PAGE_SIZE = 20


def _back_to_inbox(request):
    return redirect(safe_next(request) or "notifications:inbox")


@login_required
@require_GET
def inbox(request):
    unread_only = request.GET.get("filter") == "unread"
    paginator = Paginator(
        selectors.inbox_for_user(user=request.user, unread_only=unread_only), PAGE_SIZE
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "inbox_messages": page.object_list,
            "unread_only": unread_only,
        },
    )


@login_required
@require_POST
def open_message(request, message_id):
    """Opening a message marks it read and goes to what it is about."""
    try:
        message = inbox_message_mark_read(actor=actor_for(request.user), message_id=message_id)
    except NotFound:
        raise Http404("No such message.")
    if message.link:
        return redirect(message.link)
    return _back_to_inbox(request)


@login_required
@require_POST
def mark_read(request, message_id):
    try:
        inbox_message_mark_read(actor=actor_for(request.user), message_id=message_id)
    except NotFound:
        raise Http404("No such message.")
    return _back_to_inbox(request)


@login_required
@require_POST
def mark_all_read(request):
    count = inbox_mark_all_read(actor=actor_for(request.user))
    if count:
        messages.success(
            request,
            ngettext(
                "Marked %(count)d message as read.", "Marked %(count)d messages as read.", count
            )
            % {"count": count},
        )
    return _back_to_inbox(request)


@login_required
def preferences(request):
    """Which kinds of message reach the shopper on SMS, app push and WeChat (and the inbox)."""
    if request.method == "POST":
        chosen = set()
        for value in request.POST.getlist("on"):
            node, _, channel = value.partition("|")
            chosen.add((node, channel))
        notification_preferences_save(actor=actor_for(request.user), enabled=chosen)
        messages.success(request, gettext("Your notification settings are saved."))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"matrix": selectors.preference_matrix(user=request.user)},
    )
