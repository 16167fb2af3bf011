"""A merchant's own system hears of every event about the merchant, signed, once."""

import json
import socket

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from notifications.channels import merchant_webhook
from notifications.channels.signed_http import sign
from notifications.models import MerchantWebhook, OutboxMessage
from shop import events
from shop.roles import ensure_role_groups
from tests.accounts.factories import PASSWORD, UserFactory
from tests.catalog.factories import MerchantFactory, MerchantStaffFactory
from tests.notifications.factories import OutboxMessageFactory

pytestmark = pytest.mark.django_db


def test_events_about_a_merchant_reach_its_webhook_signed_and_once(
    merchant_system, default_rules, make_event, commit_emit
):
    # given a merchant with a webhook, and another merchant
    system, url = merchant_system
    merchant, other = MerchantFactory(), MerchantFactory()
    webhook = MerchantWebhook.objects.create(merchant=merchant, url=url)
    case_event = make_event(
        node=events.CASE_REQUESTED,
        subject_type="case",
        merchant_id=merchant.pk,
        data={"case_no": "A100", "sub_order_no": "S100"},
    )
    # when a case is opened with it (and the event is emitted twice), and one with the other
    commit_emit(case_event)
    commit_emit(case_event)
    commit_emit(make_event(node=events.CASE_REQUESTED, subject_id=2, merchant_id=other.pk))
    # then its system got one signed request with the business numbers
    ((headers, body),) = system.received
    assert headers["X-Shop-Event"] == "case.requested"
    expected = sign(secret=webhook.secret, timestamp=headers["X-Shop-Timestamp"], body=body)
    assert headers["X-Shop-Signature"] == expected
    payload = json.loads(body)
    assert payload["data"]["case_no"] == "A100"
    assert payload["idempotency_key"] == headers["Idempotency-Key"]
    row = OutboxMessage.objects.get(webhook=webhook)
    assert row.status == OutboxMessage.Status.SENT


def test_a_webhook_that_answers_an_error_is_retried(
    merchant_system, default_rules, make_event, commit_emit
):
    # given a merchant whose system is failing
    system, url = merchant_system
    system.answer = 502
    merchant = MerchantFactory()
    MerchantWebhook.objects.create(merchant=merchant, url=url)
    # when an event about the merchant happens
    commit_emit(make_event(node=events.SUBORDER_CREATED, merchant_id=merchant.pk))
    # then the row waits for a retry, with the answer recorded
    row = OutboxMessage.objects.get(channel="webhook")
    assert row.status == OutboxMessage.Status.FAILED
    assert "HTTP 502" in row.last_error


def test_switched_off_webhook_gets_nothing(merchant_system, default_rules, make_event, commit_emit):
    system, url = merchant_system
    merchant = MerchantFactory()
    MerchantWebhook.objects.create(merchant=merchant, url=url, is_active=False)
    commit_emit(make_event(node=events.SUBORDER_CREATED, merchant_id=merchant.pk))
    assert system.received == []
    assert not OutboxMessage.objects.filter(channel="webhook").exists()


@pytest.fixture
def merchant_staff_client(client):
    """A merchant's staff member signed in to the admin, and their merchant."""
    ensure_role_groups()
    staff = MerchantStaffFactory(user=UserFactory(username="erp-admin", is_staff=True))
    staff.user.groups.add(Group.objects.get(name="Merchant staff"))
    client.login(username="erp-admin", password=PASSWORD)
    return client, staff.merchant


@pytest.fixture
def resolver(monkeypatch):
    """Host names resolved as the test says (no DNS here); other names resolve as usual."""
    answers: dict[str, str] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://merchant.example.com/hook", "Use an https:// address"),
        ("https://10.1.2.3/hook", "private, loopback, link-local or reserved"),
        ("https://127.0.0.1:8000/hook", "private, loopback, link-local or reserved"),
        ("https://169.254.169.254/latest/meta-data", "private, loopback, link-local or reserved"),
        ("https://[::1]/hook", "private, loopback, link-local or reserved"),
        ("https://inside.example.com/hook", "resolves to 192.168.1.20"),
        ("https://user:pw@merchant.example.com/hook", "Leave the user name and password out"),
    ],
)
def test_a_webhook_into_the_shops_network_is_refused_with_a_clear_error(
    merchant_staff_client, resolver, url, reason
):
    # given a merchant's staff member, and host names that resolve outside and inside
    client, merchant = merchant_staff_client
    resolver.update({"merchant.example.com": "93.184.216.34", "inside.example.com": "192.168.1.20"})
    # when they save a webhook pointing at that address
    response = client.post(
        reverse("admin:notifications_merchantwebhook_add"),
        {"merchant": merchant.pk, "url": url, "is_active": "on"},
    )
    # then the form says why, and nothing is saved
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert not MerchantWebhook.objects.exists()


def test_a_public_https_webhook_is_saved(merchant_staff_client, resolver):
    client, merchant = merchant_staff_client
    resolver["erp.merchant.example.com"] = "93.184.216.34"
    response = client.post(
        reverse("admin:notifications_merchantwebhook_add"),
        {"merchant": merchant.pk, "url": "https://erp.merchant.example.com/h", "is_active": "on"},
    )
    assert response.status_code == 302
    assert MerchantWebhook.objects.get().merchant == merchant


def test_a_host_that_now_resolves_inside_is_not_called_at_delivery(
    default_rules, make_event, commit_emit, resolver, monkeypatch
):
    # given a webhook saved while its host resolved to a public address
    merchant = MerchantFactory()
    webhook = MerchantWebhook.objects.create(merchant=merchant, url="https://erp.example.com/h")
    # when the host resolves into the shop's network by the time an event goes out
    resolver["erp.example.com"] = "10.0.0.7"
    calls = []
    monkeypatch.setattr(merchant_webhook, "post_signed", lambda **kwargs: calls.append(kwargs))
    commit_emit(make_event(node=events.SUBORDER_CREATED, merchant_id=merchant.pk))
    # then nothing is sent, and the row says why
    row = OutboxMessage.objects.get(webhook=webhook)
    assert calls == []
    assert row.status == OutboxMessage.Status.FAILED
    assert "refused to call" in row.last_error and "10.0.0.7" in row.last_error


def test_merchant_staff_see_only_their_own_webhooks_deliveries(merchant_staff_client):
    # given the staff member's webhook and another merchant's, each with a delivery
    client, merchant = merchant_staff_client
    mine = MerchantWebhook.objects.create(merchant=merchant, url="https://a.example.com/h")
    theirs = MerchantWebhook.objects.create(merchant=MerchantFactory(), url="https://b.example/h")
    for webhook, error in ((mine, "merchant answered HTTP 502"), (theirs, "HTTP 418 theirs")):
        OutboxMessageFactory(
            webhook=webhook,
            rule=None,
            recipient=None,
            channel="webhook",
            node=events.SUBORDER_CREATED,
            status=OutboxMessage.Status.FAILED,
            last_error=error,
        )
    # when they open their webhook's page
    page = client.get(reverse("admin:notifications_merchantwebhook_change", args=[mine.pk]))
    # then they see its deliveries, read-only, and nothing of the other merchant's
    html = page.content.decode()
    assert page.status_code == 200
    assert "merchant answered HTTP 502" in html and "suborder.created" in html
    assert "HTTP 418 theirs" not in html
    other = client.get(reverse("admin:notifications_merchantwebhook_change", args=[theirs.pk]))
    assert "HTTP 418 theirs" not in other.content.decode()
    assert client.get(reverse("admin:notifications_outboxmessage_changelist")).status_code == 403


def test_merchant_staff_rotate_their_webhooks_secret(merchant_staff_client):
    # given the staff member's webhook
    client, merchant = merchant_staff_client
    webhook = MerchantWebhook.objects.create(merchant=merchant, url="https://a.example.com/h")
    old_secret = webhook.secret
    # when they run "Rotate the signing secret" on it
    response = client.post(
        reverse("admin:notifications_merchantwebhook_changelist"),
        {"action": "rotate_secret", "_selected_action": [webhook.pk]},
        follow=True,
    )
    # then it has a new secret, and they are told to update their system
    webhook.refresh_from_db()
    assert webhook.secret != old_secret and len(webhook.secret) == 48
    assert "New secret for 1 webhook:" in response.content.decode()
