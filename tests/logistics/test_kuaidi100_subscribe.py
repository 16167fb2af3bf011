"""Shipping with a Kuaidi100 carrier subscribes the parcel to its pushes (the HTTP call is
replaced: no test touches the network)."""

import json

import pytest

from catalog.actors import SYSTEM
from logistics import services
from tests.logistics.factories import paid_sub_order

pytestmark = pytest.mark.django_db


class FakeResponse:
    def __init__(self, body):
        self._body = body

    def raise_for_status(self):
        return None

    def json(self):
        return self._body


def test_shipping_with_sf_subscribes_the_tracking_number_with_our_callback_and_salt(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    # given
    settings.KUAIDI100_KEY = "account-key"
    settings.KUAIDI100_SALT = "our-salt"
    settings.SITE_URL = "https://shop.example.com"
    calls = []

    def fake_post(url, data=None, timeout=None, **kwargs):
        calls.append((url, data))
        return FakeResponse({"result": True, "returnCode": "200", "message": "提交成功"})

    monkeypatch.setattr("httpx.post", fake_post)
    sub_order = paid_sub_order()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.sub_order_ship_next_parcel(
            sub_order_no=sub_order.sub_order_no,
            carrier_code="SF",
            tracking_no="SF1460000003000",
            actor=SYSTEM,
        )

    # then
    ((url, data),) = calls
    assert url == "https://poll.kuaidi100.com/poll"
    assert data["schema"] == "json"
    param = json.loads(data["param"])
    assert param["company"] == "shunfeng" and param["number"] == "SF1460000003000"
    assert param["key"] == "account-key"
    assert param["parameters"]["salt"] == "our-salt"
    assert param["parameters"]["callbackurl"] == (
        "https://shop.example.com/api/logistics/webhook/kuaidi100/"
    )


def test_without_a_kuaidi100_account_shipping_still_works_and_nothing_is_called(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.KUAIDI100_KEY = ""
    monkeypatch.setattr("httpx.post", lambda *a, **k: pytest.fail("network call"))
    sub_order = paid_sub_order()

    with django_capture_on_commit_callbacks(execute=True):
        shipment = services.sub_order_ship_next_parcel(
            sub_order_no=sub_order.sub_order_no,
            carrier_code="ZTO",
            tracking_no="75000000003001",
            actor=SYSTEM,
        )

    assert shipment.is_shipped


def test_the_query_is_signed_as_kuaidi100_documents(settings, monkeypatch):
    import hashlib

    from logistics.carriers.kuaidi100 import Kuaidi100Adapter

    settings.KUAIDI100_KEY = "account-key"
    settings.KUAIDI100_CUSTOMER = "CUSTOMER1"
    sent = {}

    def fake_post(url, data=None, timeout=None, **kwargs):
        sent.update(data)
        return FakeResponse(
            {
                "nu": "SF1460000003002",
                "com": "shunfeng",
                "state": "0",
                "data": [{"context": "运输中", "ftime": "2026-11-25 10:00:00", "status": "在途"}],
            }
        )

    monkeypatch.setattr("httpx.post", fake_post)

    events = Kuaidi100Adapter().query(tracking_no="SF1460000003002", aggregator_code="shunfeng")

    expected = hashlib.md5((sent["param"] + "account-key" + "CUSTOMER1").encode()).hexdigest()
    assert sent["sign"] == expected.upper()
    assert [e.status for e in events] == ["in_transit"]
    assert sent["customer"] == "CUSTOMER1"
