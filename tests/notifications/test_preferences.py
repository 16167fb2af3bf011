"""A shopper chooses which channels each kind of message comes on; money news always reaches
the inbox."""

import pytest
from django.urls import reverse

from catalog.actors import actor_for
from notifications.models import NotificationPreference, OutboxMessage
from notifications.services.preferences import notification_preference_set
from shop import events
from shop.errors import InvalidInput
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shopper(client):
    user = UserFactory(username="carol")
    client.login(username="carol", password=PASSWORD)
    return user


def test_settings_page_lists_my_kinds_of_message_all_on(client, shopper, default_rules):
    # when I open the settings
    response = client.get(reverse("notifications:preferences"))
    # then shipping news is offered on inbox, push and SMS, all on; refund inbox is locked
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="suborder.shipped|sms" checked' in html
    assert 'value="refund.succeeded|inbox" checked disabled' in html


def test_turning_off_sms_for_shipping_news_stops_those_sms(
    client, shopper, default_rules, make_event, commit_emit
):
    # given I keep everything on except SMS about shipped parcels
    form = client.get(reverse("notifications:preferences")).content.decode()
    offered = [
        chunk.split('"')[0]
        for chunk in form.split('name="on" value="')[1:]
        if "disabled" not in chunk.split(">")[0]
    ]
    keep = [value for value in offered if value != "suborder.shipped|sms"]
    response = client.post(reverse("notifications:preferences"), {"on": keep}, follow=True)
    assert "Your notification settings are saved." in response.content.decode()
    # when my parcel ships
    commit_emit(
        make_event(
            node=events.SUBORDER_SHIPPED,
            subject_type="suborder",
            shopper_id=shopper.pk,
            data={"sub_order_no": "S1"},
        )
    )
    # then I get the push message, not the SMS (the inbox copy is the parcel's own message,
    # shipment.shipped: one inbox message per parcel)
    channels = set(
        OutboxMessage.objects.filter(recipient=shopper).values_list("channel", flat=True)
    )
    assert channels == {"app_push"}
    # and the page shows SMS off
    html = client.get(reverse("notifications:preferences")).content.decode()
    assert 'value="suborder.shipped|sms">' in html


def test_the_inbox_copy_of_money_news_cannot_be_turned_off(default_rules):
    shopper = UserFactory()
    # when a client tries to switch off refund news in the inbox
    with pytest.raises(InvalidInput):
        notification_preference_set(
            actor=actor_for(shopper), node=events.REFUND_SUCCEEDED, channel="inbox", enabled=False
        )
    # then nothing is stored
    assert not NotificationPreference.objects.exists()


def test_settings_need_a_sign_in(client):
    response = client.get(reverse("notifications:preferences"))
    assert response.status_code == 302


def test_api_reads_and_switches_my_settings(api_client, default_rules):
    # given a signed-in shopper
    shopper = UserFactory()
    api_client.force_authenticate(shopper)
    # when they switch off SMS for shipped parcels
    response = api_client.put(
        "/api/notifications/preferences/",
        {"node": "suborder.shipped", "channel": "sms", "enabled": False},
        format="json",
    )
    # then their settings show it off, and the rest on
    assert response.status_code == 200
    shipped = next(row for row in response.json() if row["node"] == "suborder.shipped")
    assert {c["channel"]: c["enabled"] for c in shipped["channels"]} == {
        "app_push": True,
        "sms": False,
    }
    assert shipped["label"] == "Your parcel is on its way"  # the shopper's words
    assert api_client.get("/api/notifications/preferences/").json() == response.json()


def test_api_refuses_to_silence_money_news_in_the_inbox(api_client, default_rules):
    api_client.force_authenticate(UserFactory())
    response = api_client.put(
        "/api/notifications/preferences/",
        {"node": "refund.succeeded", "channel": "inbox", "enabled": False},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "mandatory"
    bad = api_client.put(
        "/api/notifications/preferences/",
        {"node": "no.such", "channel": "sms", "enabled": False},
        format="json",
    )
    assert (bad.status_code, bad.json()["code"]) == (400, "unknown_node")


def test_saving_the_settings_form_is_one_write_however_many_switches(
    client, shopper, default_rules, django_assert_max_num_queries
):
    # given I had switched SMS about shipped parcels off
    notification_preference_set(
        actor=actor_for(shopper), node=events.SUBORDER_SHIPPED, channel="sms", enabled=False
    )
    # when I save the form with only that one switch on
    with django_assert_max_num_queries(12):
        response = client.post(
            reverse("notifications:preferences"), {"on": ["suborder.shipped|sms", "x|y"]}
        )
    # then it is on, every other switchable pair is off, and the locked inbox copies stay unstored
    assert response.status_code == 302
    rows = NotificationPreference.objects.filter(user=shopper)
    stored = {(n, c): on for n, c, on in rows.values_list("node", "channel", "enabled")}
    assert stored.pop(("suborder.shipped", "sms")) is True
    assert stored and not any(stored.values())
    assert (events.REFUND_SUCCEEDED, "inbox") not in stored


@pytest.mark.parametrize(
    ("node", "channel", "code"),
    [
        ("suborder.shipped", "webhook", "unknown_channel"),
        ("suborder.shipped", "fax", "unknown_channel"),
        ("suborder.received", "sms", "not_offered"),  # a message to the merchant, not to me
        ("order.created", "wechat", "not_offered"),  # shoppers are not sent it on WeChat
    ],
)
def test_api_only_switches_channels_shoppers_are_sent(
    api_client, default_rules, node, channel, code
):
    # given a signed-in shopper
    shopper = UserFactory()
    api_client.force_authenticate(shopper)
    # when they try to switch a channel they are not sent this message on
    response = api_client.put(
        "/api/notifications/preferences/",
        {"node": node, "channel": channel, "enabled": False},
        format="json",
    )
    # then it is refused as bad input, and nothing is stored
    assert (response.status_code, response.json()["code"]) == (400, code)
    assert not NotificationPreference.objects.filter(user=shopper).exists()
