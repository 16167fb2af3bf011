"""A merchant's own system hears of every event about the merchant, signed, once."""

import json

import pytest

from notifications.channels.signed_http import sign
from notifications.models import MerchantWebhook, OutboxMessage
from shop import events
from tests.catalog.factories import MerchantFactory

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
