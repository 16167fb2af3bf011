"""The inbox page and API: mine only, unread first, mark read, bounded queries."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from notifications.context_processors import inbox as inbox_context
from notifications.models import InboxMessage
from tests.accounts.factories import PASSWORD, UserFactory
from tests.notifications.factories import InboxMessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shopper(client):
    user = UserFactory(username="alice")
    client.login(username="alice", password=PASSWORD)
    return user


def test_inbox_needs_a_sign_in(client):
    # when an anonymous visitor opens the inbox
    response = client.get(reverse("notifications:inbox"))
    # then they are sent to sign in
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_inbox_shows_my_messages_unread_first_and_not_others(client, shopper):
    # given my read and unread messages and another shopper's message
    InboxMessageFactory(user=shopper, title="Order O1 placed", is_read=True)
    InboxMessageFactory(user=shopper, title="Order O1 paid")
    InboxMessageFactory(user=UserFactory(), title="Someone else's order")
    # when I open my inbox
    response = client.get(reverse("notifications:inbox"))
    # then I see mine, unread first and marked, and the unread count
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Order O1 paid") < html.index("Order O1 placed")
    assert "Someone else" not in html
    assert html.count('data-read="0"') == 1
    assert 'data-testid="unread-count">1<' in html


def test_unread_filter_and_empty_state(client, shopper):
    # given only a read message
    InboxMessageFactory(user=shopper, title="Old news", is_read=True)
    # when I look at unread messages
    response = client.get(reverse("notifications:inbox") + "?filter=unread")
    # then I am told there are none
    assert "No unread messages." in response.content.decode()
    assert "Old news" not in response.content.decode()


def test_opening_a_message_marks_it_read_and_goes_to_its_subject(client, shopper):
    # given an unread message about an order
    message = InboxMessageFactory(user=shopper, link="/orders/O1/")
    # when I open it
    response = client.post(reverse("notifications:open", args=[message.public_id]))
    # then I land on the order and the message is read
    assert response.status_code == 302
    assert response["Location"] == "/orders/O1/"
    message.refresh_from_db()
    assert message.is_read and message.read_at is not None


def test_mark_one_and_all_read(client, shopper):
    # given three unread messages
    first, *_ = InboxMessageFactory.create_batch(3, user=shopper)
    # when I mark one read
    response = client.post(reverse("notifications:read", args=[first.public_id]))
    # then it is read and I am back in my inbox
    assert response["Location"] == reverse("notifications:inbox")
    assert InboxMessage.objects.filter(user=shopper, is_read=False).count() == 2
    # when I mark all read
    response = client.post(reverse("notifications:read_all"), follow=True)
    # then none is unread and I am told so
    assert not InboxMessage.objects.filter(user=shopper, is_read=False).exists()
    assert "Marked 2 messages as read." in response.content.decode()


def test_another_users_message_cannot_be_opened_or_marked(client, shopper):
    # given another shopper's message
    theirs = InboxMessageFactory(user=UserFactory())
    # when I try to open or mark it
    opened = client.post(reverse("notifications:open", args=[theirs.public_id]))
    marked = client.post(reverse("notifications:read", args=[theirs.public_id]))
    # then it does not exist for me, and stays unread
    assert (opened.status_code, marked.status_code) == (404, 404)
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_mark_read_is_post_only(client, shopper):
    message = InboxMessageFactory(user=shopper)
    # when a link prefetcher GETs the action
    response = client.get(reverse("notifications:read", args=[message.public_id]))
    # then nothing changes
    assert response.status_code == 405
    message.refresh_from_db()
    assert not message.is_read


def test_inbox_pages_and_keeps_queries_bounded(client, shopper, django_assert_max_num_queries):
    # given many messages
    InboxMessageFactory.create_batch(45, user=shopper)
    # when I open the first and the last page
    with django_assert_max_num_queries(8):
        first = client.get(reverse("notifications:inbox"))
    with django_assert_max_num_queries(8):
        last = client.get(reverse("notifications:inbox") + "?page=3")
    # then each shows its share
    assert first.content.decode().count('data-testid="inbox-message"') == 20
    assert last.content.decode().count('data-testid="inbox-message"') == 5
    assert "Page 3 of 3" in last.content.decode()


def test_context_processor_counts_unread_lazily(django_assert_num_queries):
    # given a user with two unread messages
    user = UserFactory()
    InboxMessageFactory.create_batch(2, user=user)
    request = RequestFactory().get("/")
    request.user = user
    # when a page does not show the badge, nothing is counted
    with django_assert_num_queries(0):
        context = inbox_context(request)
    # when the header shows it, it is the count
    with django_assert_num_queries(1):
        rendered = Template("{% if n %}{{ n }}{% endif %}").render(
            Context({"n": context["inbox_unread_count"]})
        )
    assert rendered == "2"


# API


@pytest.fixture
def api_shopper(api_client):
    user = UserFactory(username="bob")
    api_client.force_authenticate(user)
    return user


def test_api_lists_only_my_messages(api_client, api_shopper, django_assert_max_num_queries):
    # given my messages and someone else's
    mine = InboxMessageFactory(user=api_shopper, title="Parcel shipped")
    InboxMessageFactory(user=api_shopper, title="Order placed", is_read=True)
    InboxMessageFactory(user=UserFactory(), title="Not mine")
    # when I list them
    with django_assert_max_num_queries(4):
        response = api_client.get("/api/notifications/")
    # then I get mine, unread first
    assert response.status_code == 200
    titles = [row["title"] for row in response.json()["results"]]
    assert titles == ["Parcel shipped", "Order placed"]
    assert response.json()["results"][0]["id"] == str(mine.public_id)
    # when I ask for unread only
    unread = api_client.get("/api/notifications/?unread=1").json()
    assert [row["title"] for row in unread["results"]] == ["Parcel shipped"]
    assert api_client.get("/api/notifications/unread-count/").json() == {"unread": 1}


def test_api_mark_read(api_client, api_shopper):
    # given an unread message
    message = InboxMessageFactory(user=api_shopper)
    # when I mark it read (twice: idempotent)
    response = api_client.post(f"/api/notifications/{message.public_id}/read/")
    again = api_client.post(f"/api/notifications/{message.public_id}/read/")
    # then it is read
    assert response.status_code == again.status_code == 200
    assert response.json()["is_read"] is True
    assert again.json()["read_at"] == response.json()["read_at"]


def test_api_another_users_message_is_not_found(api_client, api_shopper):
    theirs = InboxMessageFactory(user=UserFactory())
    # when I try to mark someone else's message
    response = api_client.post(f"/api/notifications/{theirs.public_id}/read/")
    # then it does not exist for me
    assert response.status_code == 404
    assert response.json()["code"] == "message_not_found"
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_api_read_all_touches_only_mine(api_client, api_shopper):
    InboxMessageFactory.create_batch(2, user=api_shopper)
    theirs = InboxMessageFactory(user=UserFactory())
    # when I mark all read
    response = api_client.post("/api/notifications/read-all/")
    # then mine are read, theirs are not
    assert response.json() == {"marked": 2}
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_api_requires_authentication(api_client):
    response = api_client.get("/api/notifications/")
    assert response.status_code in (401, 403)


def test_api_schema_documents_the_inbox(api_client, api_shopper):
    schema = api_client.get("/api/schema/?format=json").json()
    assert "/api/notifications/" in schema["paths"]
    assert "/api/notifications/{message_id}/read/" in schema["paths"]
