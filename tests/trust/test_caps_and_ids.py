"""Unbounded growth and guessable ids: the address book is capped, every list is a bounded
page, addresses and inbox messages are named by opaque ids (the sequential key stays
internal)."""

import uuid

import pytest
from django.urls import reverse

from notifications.models import InboxMessage
from shop.accounts.models import Address
from shop.pagination import MAX_PAGE_SIZE
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db
ADDRESS = {
    "recipient": "Li Lei",
    "phone": "13800138000",
    "province": "上海",
    "city": "上海市",
    "district": "浦东新区",
    "detail": "世纪大道 100 号",
}


def _fill_address_book(user, count):
    Address.objects.bulk_create(
        Address(user=user, is_default=n == 0, **ADDRESS) for n in range(count)
    )


def test_the_twenty_first_address_is_refused_with_a_clear_message(api_client):
    # given
    user = UserFactory()
    _fill_address_book(user, 20)
    api_client.force_authenticate(user)
    # when
    response = api_client.post("/api/addresses/", ADDRESS, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "address_book_full"
    assert "full (20 addresses)" in response.json()["detail"]
    assert Address.objects.filter(user=user).count() == 20
    # and after deleting one, a new one fits
    Address.objects.filter(user=user, is_default=False).first().delete()
    assert api_client.post("/api/addresses/", ADDRESS, format="json").status_code == 201


def test_the_storefront_shows_the_address_book_cap(client):
    user = UserFactory()
    _fill_address_book(user, 20)
    client.force_login(user)
    response = client.post(reverse("accounts:address_add"), ADDRESS)
    assert response.status_code == 200
    assert "Your address book is full" in response.content.decode()
    assert Address.objects.filter(user=user).count() == 20


def test_inbox_messages_are_named_by_opaque_ids_only(api_client, client):
    # given
    user = UserFactory()
    message = InboxMessage.objects.create(user=user, title="Shipped", body="On its way")
    api_client.force_authenticate(user)
    # when
    listed = api_client.get("/api/notifications/").json()["results"][0]
    # then: the id is a random UUID, not the row number, and only it opens the message
    assert listed["id"] == str(message.public_id) and uuid.UUID(listed["id"]).version == 4
    assert api_client.post(f"/api/notifications/{message.pk}/read/").status_code == 404
    assert api_client.post(f"/api/notifications/{uuid.uuid4()}/read/").status_code == 404
    assert api_client.post(f"/api/notifications/{message.public_id}/read/").status_code == 200
    client.force_login(user)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert str(message.public_id) in page
    assert f"/inbox/{message.pk}/" not in page


def test_addresses_are_named_by_opaque_ids_only(api_client, client):
    # given
    user = UserFactory()
    _fill_address_book(user, 1)
    address = Address.objects.get(user=user)
    api_client.force_authenticate(user)
    # when
    listed = api_client.get("/api/addresses/").json()["results"][0]
    # then: the API names it by a random UUID, and only that reaches it
    assert listed["id"] == str(address.public_id) and uuid.UUID(listed["id"]).version == 4
    assert api_client.get(f"/api/addresses/{address.pk}/").status_code == 404
    assert api_client.get(f"/api/addresses/{uuid.uuid4()}/").status_code == 404
    assert api_client.get(f"/api/addresses/{address.public_id}/").json()["city"] == "上海市"
    # and the order API takes that id: the row number names no address
    preview = api_client.post("/api/orders/preview/", {"address_id": address.pk}, format="json")
    assert preview.status_code == 404
    # and the storefront's address book and checkout carry the UUID, never the pk
    client.force_login(user)
    book = client.get(reverse("accounts:addresses")).content.decode()
    assert f"/accounts/addresses/{address.public_id}/edit/" in book
    assert f"/accounts/addresses/{address.pk}/" not in book
    assert client.get(f"/accounts/addresses/{address.pk}/edit/").status_code == 404


def test_a_client_cannot_ask_for_a_page_bigger_than_the_cap(api_client):
    user = UserFactory()
    InboxMessage.objects.bulk_create(
        InboxMessage(user=user, title=f"m{n}", body="b") for n in range(MAX_PAGE_SIZE + 5)
    )
    api_client.force_authenticate(user)
    body = api_client.get("/api/notifications/?page_size=100000").json()
    assert body["count"] == MAX_PAGE_SIZE + 5
    assert len(body["results"]) == MAX_PAGE_SIZE
    assert len(api_client.get("/api/notifications/").json()["results"]) == 20
