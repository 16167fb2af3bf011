"""The buyer's note (e.g. 请周末送货) is in front of whoever packs the parcel."""

import pytest
from django.urls import reverse

from tests.catalog.factories import MerchantFactory
from tests.logistics.factories import merchant_staff, paid_sub_order

pytestmark = pytest.mark.django_db

NOTE = "请周末送货"


@pytest.fixture
def noted(client):
    merchant = MerchantFactory()
    sub_order = paid_sub_order(merchant=merchant)
    order = sub_order.order
    order.buyer_note = NOTE
    order.save(update_fields=["buyer_note"])
    client.force_login(merchant_staff(merchant))
    return sub_order


def test_the_queue_shows_the_buyers_note(client, noted):
    page = client.get(reverse("admin:logistics_fulfilmentqueue_changelist")).text
    assert NOTE in page


def test_the_pack_and_ship_page_shows_the_buyers_note(client, noted):
    page = client.get(reverse("admin:logistics_fulfilmentqueue_ship", args=[noted.pk])).text
    assert NOTE in page


def test_the_pick_list_shows_the_buyers_note(client, noted):
    url = reverse("admin:logistics_fulfilmentqueue_pick_list") + f"?ids={noted.pk}"
    page = client.get(url).text
    assert f"{noted.sub_order_no}</strong>: {NOTE}" in page
