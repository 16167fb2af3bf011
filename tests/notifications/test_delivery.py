"""Delivery of outbox rows: once per row as a person can tell, retried, never lost."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from catalog.actors import actor_for
from notifications import tasks
from notifications.channels import get_backend
from notifications.channels.signed_http import sign
from notifications.models import InboxMessage, OutboxMessage
from notifications.services.delivery import _delivery_for, outbox_deliver, outbox_retry
from notifications.services.outbox import BELL_KEY, DUE_LIST_KEY
from shop import events
from tests.accounts.factories import CustomerProfileFactory, UserFactory
from tests.catalog.factories import MerchantFactory, MerchantStaffFactory
from tests.notifications.backends import RecordingBackend
from tests.notifications.factories import OutboxMessageFactory, PushRuleFactory

Status = OutboxMessage.Status
NOW = timezone.make_aware(timezone.datetime(2026, 11, 25, 10, 0))


@pytest.fixture
def recording_sms(settings):
    RecordingBackend.sent = []
    settings.NOTIFICATION_BACKENDS = {
        "sms": {"BACKEND": "tests.notifications.backends.RecordingBackend"}
    }
    return RecordingBackend


@pytest.fixture
def sms_provider_down(settings):
    settings.NOTIFICATION_BACKENDS = {
        "sms": {"BACKEND": "tests.notifications.backends.ProviderDownBackend"}
    }
    settings.NOTIFICATION_MAX_ATTEMPTS = 3


@pytest.mark.django_db
def test_a_duplicated_delivery_task_shows_the_message_once():
    # given a pending inbox row
    row = OutboxMessageFactory()
    # when the delivery task runs twice (a redelivered broker message)
    tasks.deliver_outbox.delay([row.pk])
    tasks.deliver_outbox.delay([row.pk])
    # then the shopper has one message and the row was sent in one attempt
    assert InboxMessage.objects.filter(user=row.recipient).count() == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 1)
    assert row.sent_at is not None


@pytest.mark.django_db
def test_providers_get_the_rows_idempotency_key(recording_sms):
    # given a pending SMS row
    row = OutboxMessageFactory(channel="sms")
    # when it is delivered twice
    outbox_deliver(outbox_id=row.pk)
    outbox_deliver(outbox_id=row.pk)
    # then the provider was called once, with the row's key
    assert [d.idempotency_key for d in recording_sms.sent] == [f"shop-outbox-{row.pk}"]
    row.refresh_from_db()
    assert row.provider_message_id == f"rec-{row.pk}"


@pytest.mark.django_db
def test_a_failing_provider_retries_with_backoff_and_ends_dead(sms_provider_down):
    # given an SMS row and a provider that is down
    with time_machine.travel(NOW, tick=False) as clock:
        row = OutboxMessageFactory(channel="sms")
        # when the first delivery fails
        tasks.deliver_outbox.delay([row.pk])
        row.refresh_from_db()
        # then it waits 30 s before the next try
        assert (row.status, row.attempts) == (Status.FAILED, 1)
        assert row.next_attempt_at == NOW + timedelta(seconds=30)
        assert "503" in row.last_error

        # when the relay runs before the backoff is over
        clock.shift(timedelta(seconds=20))
        tasks.relay_pending_outbox.delay()
        # then nothing is tried
        row.refresh_from_db()
        assert row.attempts == 1

        # when the relay runs after each backoff (30 s, then 60 s)
        clock.shift(timedelta(seconds=11))
        tasks.relay_pending_outbox.delay()
        row.refresh_from_db()
        assert (row.status, row.attempts) == (Status.FAILED, 2)
        assert row.next_attempt_at == timezone.now() + timedelta(seconds=60)
        clock.shift(timedelta(seconds=61))
        tasks.relay_pending_outbox.delay()

        # then after the third attempt it gives up, with the error kept for ops
        row.refresh_from_db()
        assert (row.status, row.attempts) == (Status.DEAD, 3)
        assert "503" in row.last_error
        clock.shift(timedelta(hours=2))
        tasks.relay_pending_outbox.delay()
        row.refresh_from_db()
        assert row.attempts == 3


@pytest.mark.django_db
def test_ops_retry_of_a_dead_row_sends_it(django_capture_on_commit_callbacks):
    # given an inbox row that died
    row = OutboxMessageFactory(status=Status.DEAD, attempts=6, last_error="boom")
    ops = UserFactory(is_staff=True)
    # when ops retry it
    with django_capture_on_commit_callbacks(execute=True):
        outbox_retry(outbox_id=row.pk, actor=actor_for(ops))
    # then it is delivered
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert InboxMessage.objects.filter(user=row.recipient).count() == 1


@pytest.mark.django_db
def test_a_worker_dying_mid_send_is_redelivered_once():
    # given a worker that stored the inbox message and died before marking the row sent
    with time_machine.travel(NOW, tick=False) as clock:
        row = OutboxMessageFactory()
        get_backend("inbox").send(_delivery_for(row))
        OutboxMessage.objects.filter(pk=row.pk).update(
            status=Status.SENDING, attempts=1, sending_since=timezone.now()
        )
        # when the relay runs while the send could still be in progress
        clock.shift(timedelta(minutes=2))
        tasks.relay_pending_outbox.delay()
        # then it is left alone
        row.refresh_from_db()
        assert row.status == Status.SENDING

        # when the relay runs after five minutes
        clock.shift(timedelta(minutes=4))
        tasks.relay_pending_outbox.delay()
        tasks.relay_pending_outbox.delay()
        # then the row is sent, and the shopper still has exactly one message
        row.refresh_from_db()
        assert (row.status, row.attempts) == (Status.SENT, 2)
        assert InboxMessage.objects.filter(user=row.recipient).count() == 1


@pytest.mark.django_db
def test_broker_down_leaves_rows_pending_and_the_relay_delivers(
    default_rules, make_event, monkeypatch, django_capture_on_commit_callbacks
):
    # given a broker that refuses every message
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis. Connection refused.")

    monkeypatch.setattr(tasks.deliver_outbox, "apply_async", broker_down)
    monkeypatch.setattr(tasks.deliver_queued_outbox, "apply_async", broker_down)
    shopper = CustomerProfileFactory().user
    # when an order is paid (the transition commits, the enqueue fails)
    with django_capture_on_commit_callbacks(execute=True):
        events.emit(make_event(node=events.ORDER_PAID, shopper_id=shopper.pk))
    # then the rows wait, and the shopper has nothing yet
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.PENDING}
    assert not InboxMessage.objects.exists()

    # when the relay runs
    monkeypatch.undo()
    tasks.relay_pending_outbox.delay()
    # then every message is delivered, once
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.SENT}
    assert InboxMessage.objects.filter(user=shopper).count() == 1


@pytest.mark.django_db(transaction=True)
def test_checkout_with_a_dead_broker_commits_and_the_relay_delivers_later(
    default_rules, make_event, dead_broker
):
    # given Celery pointed at a broker nobody listens on
    shopper = CustomerProfileFactory().user
    # when a transition commits
    with transaction.atomic():
        events.emit(make_event(node=events.ORDER_PAID, shopper_id=shopper.pk))
    # then the state change stands and its pushes wait
    assert OutboxMessage.objects.filter(recipient=shopper, status=Status.PENDING).count() == 3

    # when the broker is back and the relay runs (as the worker would)
    tasks.relay_pending_outbox.apply()
    # then everything is delivered once
    assert OutboxMessage.objects.filter(recipient=shopper, status=Status.SENT).count() == 3
    assert InboxMessage.objects.filter(user=shopper).count() == 1


@pytest.fixture
def redis_queue(celery_not_eager, settings):
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete("celery", DUE_LIST_KEY, BELL_KEY)
    yield client
    client.delete("celery", DUE_LIST_KEY, BELL_KEY)


@pytest.mark.django_db(transaction=True)
def test_committed_pushes_are_queued_on_the_real_broker(default_rules, make_event, redis_queue):
    # given Celery on the real Redis broker and no worker running
    shopper = CustomerProfileFactory().user
    # when a transition commits
    with transaction.atomic():
        events.emit(make_event(node=events.ORDER_PAID, shopper_id=shopper.pk))
        # then nothing is queued before the commit
        assert redis_queue.llen("celery") == 0
    # then one delivery task is waiting on the broker, and the rows' ids on the doorbell list
    assert redis_queue.llen("celery") == 1
    message = json.loads(redis_queue.lindex("celery", 0))
    assert message["headers"]["task"] == "notifications.tasks.deliver_queued_outbox"
    assert message["properties"]["body_encoding"] == "base64"
    first_ids = sorted(OutboxMessage.objects.values_list("id", flat=True))
    assert sorted(int(pk) for pk in redis_queue.lrange(DUE_LIST_KEY, 0, -1)) == first_ids

    # when a second order of the shopper is paid before a worker has taken the task
    with transaction.atomic():
        events.emit(make_event(node=events.ORDER_PAID, shopper_id=shopper.pk, subject_id=2))
    # then no second task is queued: its rows join the list the waiting task will deliver
    assert redis_queue.llen("celery") == 1
    assert redis_queue.llen(DUE_LIST_KEY) == 6

    # when a worker runs the task
    tasks.deliver_queued_outbox.apply()
    # then the shopper has both messages, the list is empty and the next event rings again
    assert InboxMessage.objects.filter(user=shopper).count() == 2
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.SENT}
    assert redis_queue.llen(DUE_LIST_KEY) == 0
    with transaction.atomic():
        events.emit(make_event(node=events.ORDER_PAID, shopper_id=shopper.pk, subject_id=3))
    assert redis_queue.llen("celery") == 2


@pytest.mark.django_db(transaction=True)
def test_a_doorbell_list_longer_than_a_batch_is_handed_on(default_rules, make_event, redis_queue):
    # given the rows of 3 events on the doorbell list, and a task that takes 4 ids at a time
    shopper = CustomerProfileFactory().user
    for subject_id in (1, 2, 3):
        with transaction.atomic():
            events.emit(
                make_event(node=events.ORDER_PAID, shopper_id=shopper.pk, subject_id=subject_id)
            )
    assert redis_queue.llen(DUE_LIST_KEY) == 9
    # when the waiting task runs with a batch of 4
    with mock.patch("notifications.services.outbox.QUEUED_BATCH_SIZE", 4):
        tasks.deliver_queued_outbox.apply()
    # then it delivered 4 rows and queued another task for the rest
    assert OutboxMessage.objects.filter(status=Status.SENT).count() == 4
    assert redis_queue.llen("celery") == 2
    assert redis_queue.llen(DUE_LIST_KEY) == 5


@pytest.mark.django_db(transaction=True)
def test_the_same_event_committed_twice_is_one_message(default_rules, make_event):
    # given an order-paid event committed once
    shopper = CustomerProfileFactory().user
    event = make_event(node=events.ORDER_PAID, shopper_id=shopper.pk, data={"event_id": 41})
    with transaction.atomic():
        events.emit(event)
    # when the same event is committed again by another transaction
    with transaction.atomic():
        events.emit(event)
    # then the shopper has one inbox message
    assert InboxMessage.objects.filter(user=shopper).count() == 1
    assert OutboxMessage.objects.filter(recipient=shopper).count() == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_send_a_row_once(recording_sms):
    # given one SMS row and eight workers picking it up at the same time
    row = OutboxMessageFactory(channel="sms")
    barrier = threading.Barrier(8)
    from django.db import connection

    def worker():
        barrier.wait()
        try:
            outbox_deliver(outbox_id=row.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    # when they all deliver
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then the provider got one SMS
    assert len(recording_sms.sent) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 1)


class _Provider(BaseHTTPRequestHandler):
    received: list = []
    answer = 200

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Provider.received.append((dict(self.headers), body))
        self.send_response(_Provider.answer)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"id": "prov-1"}')

    def log_message(self, *args):
        pass


@pytest.fixture
def http_provider(settings):
    _Provider.received = []
    _Provider.answer = 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.NOTIFICATION_BACKENDS = {
        "sms": {
            "BACKEND": "notifications.channels.signed_http.SignedHttpBackend",
            "OPTIONS": {
                "url": f"http://127.0.0.1:{server.server_port}/send",
                "secret": "s3cret",
                "timeout": 3,
            },
        }
    }
    yield _Provider
    server.shutdown()
    server.server_close()


@pytest.mark.django_db
def test_signed_http_provider_gets_a_signed_idempotent_request(http_provider):
    # given an SMS row and a provider behind HTTP
    row = OutboxMessageFactory(channel="sms", title="Parcel shipped", body="On its way.")
    # when it is delivered
    outbox_deliver(outbox_id=row.pk)
    # then the provider got one request it can verify and dedupe
    ((headers, body),) = http_provider.received
    assert headers["Idempotency-Key"] == f"shop-outbox-{row.pk}"
    expected = sign(secret="s3cret", timestamp=headers["X-Shop-Timestamp"], body=body)
    assert headers["X-Shop-Signature"] == expected
    payload = json.loads(body)
    assert (payload["title"], payload["body"]) == ("Parcel shipped", "On its way.")
    row.refresh_from_db()
    assert (row.status, row.provider_message_id) == (Status.SENT, "prov-1")


@pytest.mark.django_db
def test_signed_http_provider_errors_become_retries(http_provider):
    # given a provider answering 500
    http_provider.answer = 500
    row = OutboxMessageFactory(channel="sms")
    # when the row is delivered
    outbox_deliver(outbox_id=row.pk)
    # then it is marked failed with the provider's answer, to be retried
    row.refresh_from_db()
    assert row.status == Status.FAILED
    assert "HTTP 500" in row.last_error


@pytest.mark.django_db
def test_old_sent_rows_are_purged_and_the_inbox_keeps_its_messages():
    # given a message delivered 40 days ago, one delivered yesterday, and an old dead one
    with time_machine.travel(NOW - timedelta(days=40), tick=False):
        old = OutboxMessageFactory()
        outbox_deliver(outbox_id=old.pk)
        dead = OutboxMessageFactory(status=Status.DEAD)
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        recent = OutboxMessageFactory()
        outbox_deliver(outbox_id=recent.pk)
    # when the daily purge runs
    with time_machine.travel(NOW, tick=False):
        purged = tasks.purge_sent_outbox.delay().get()
    # then only the old delivered row is gone, and its inbox message is still there
    assert purged == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {dead.pk, recent.pk}
    assert InboxMessage.objects.filter(user=old.recipient).count() == 1


@pytest.mark.django_db
def test_a_delivery_task_out_of_time_leaves_the_rest_to_the_relay(settings):
    # given a task whose time budget is already spent
    settings.NOTIFICATION_TASK_BUDGET_SECONDS = -1
    rows = OutboxMessageFactory.create_batch(3)
    # when it runs
    tasks.deliver_outbox.delay([row.pk for row in rows])
    # then the rows wait for the relay, which delivers them
    assert OutboxMessage.objects.filter(status=Status.PENDING).count() == 3
    tasks.relay_pending_outbox.delay()
    assert OutboxMessage.objects.filter(status=Status.SENT).count() == 3


@pytest.mark.django_db
def test_an_sms_to_a_shopper_without_a_phone_is_skipped_with_the_reason(
    recording_sms, only_rules, make_event, commit_emit
):
    # given a shopper with no phone number anywhere, and an SMS rule
    PushRuleFactory(node=events.ORDER_PAID, channel="sms")
    shopper = UserFactory()
    # when the event comes (without an address phone) and the relay runs later
    commit_emit(make_event(node=events.ORDER_PAID, shopper_id=shopper.pk))
    tasks.relay_pending_outbox.delay()
    # then nothing was "sent": the row is skipped, never tried, with the reason for ops
    row = OutboxMessage.objects.get(recipient=shopper, channel="sms")
    assert (row.status, row.attempts, row.sent_at) == (Status.SKIPPED, 0, None)
    assert "no phone number" in row.last_error
    assert recording_sms.sent == []


@pytest.mark.django_db
def test_an_sms_goes_to_the_orders_phone_when_the_profile_has_none(
    recording_sms, only_rules, make_event, commit_emit
):
    # given a shopper without a phone on the profile, and a merchant manager without one either
    PushRuleFactory(node=events.CASE_REQUESTED, target="shopper", channel="sms")
    PushRuleFactory(node=events.CASE_REQUESTED, target="merchant", channel="sms")
    shopper = UserFactory()
    merchant = MerchantFactory()
    manager = MerchantStaffFactory(merchant=merchant).user
    # when the event carries the phone of the order's delivery address
    commit_emit(
        make_event(
            node=events.CASE_REQUESTED,
            subject_type="case",
            shopper_id=shopper.pk,
            merchant_id=merchant.pk,
            data={"phone": "13900001111"},
        )
    )
    # then the shopper's SMS goes to that number
    (delivery,) = recording_sms.sent
    assert (delivery.recipient_id, delivery.recipient_phone) == (shopper.pk, "13900001111")
    assert OutboxMessage.objects.get(recipient=shopper, channel="sms").status == Status.SENT
    # and the manager's is skipped: the shopper's number is never used for staff
    staff_row = OutboxMessage.objects.get(recipient=manager, channel="sms")
    assert staff_row.status == Status.SKIPPED


@pytest.mark.django_db
def test_a_real_payment_texts_a_shopper_without_a_profile_phone_at_the_orders_phone(
    recording_sms, default_rules, django_capture_on_commit_callbacks
):
    from payments import services as payment_services
    from tests.payments.factories import pay_on_cashier, pending_order

    # given a shopper who never gave a phone number on the profile
    order = pending_order(price="100.00")
    payment = payment_services.payment_start(
        order_no=order.order_no, actor=actor_for(order.user), method="alipay"
    )
    # when the order is paid through the sandbox
    with django_capture_on_commit_callbacks(execute=True):
        pay_on_cashier(payment)
    # then the one SMS went to the phone of the order's delivery address
    row = OutboxMessage.objects.get(recipient=order.user, channel="sms")
    assert row.status == Status.SENT
    assert [d.recipient_phone for d in recording_sms.sent] == [order.phone]


@pytest.mark.django_db(transaction=True)
def test_checkout_through_the_api_with_the_broker_down_answers_and_the_relay_delivers_once(
    default_rules, dead_broker, api_client, caplog
):
    from orders.models import Order
    from tests.orders.factories import shopper_with_address
    from tests.orders.factories_web import sellable_sku

    # given a shopper with an address, a SKU in stock, and Celery's broker unreachable
    shopper, address = shopper_with_address()
    sku = sellable_sku(stock=5)
    api_client.force_authenticate(shopper)
    # when the shopper places an order through the API
    response = api_client.post(
        "/api/orders/",
        {
            "address_id": str(address.public_id),
            "items": [{"sku_id": sku.pk, "quantity": 1}],
            "payment_method": "alipay",
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="broker-down-1",
    )
    # then the order is placed, and its pushes wait in the outbox (speed: docs/decisions.md)
    assert response.status_code == 201, response.json()
    order = Order.objects.get(order_no=response.json()["order_no"], user=shopper)
    rows = OutboxMessage.objects.filter(recipient=shopper)
    assert rows.exists()
    assert set(rows.values_list("status", flat=True)) == {Status.PENDING}
    assert not InboxMessage.objects.filter(user=shopper).exists()
    assert "Could not queue notifications.tasks.deliver_queued_outbox" in caplog.text

    # when the broker is back and beat's relay runs (eagerly here), twice
    dead_broker.conf.task_always_eager = True
    tasks.relay_pending_outbox.delay()
    tasks.relay_pending_outbox.delay()
    # then every push went out once: one inbox message about the new order
    assert set(rows.values_list("status", flat=True)) == {Status.SENT}
    assert list(rows.values_list("attempts", flat=True)) == [1] * rows.count()
    (message,) = InboxMessage.objects.filter(user=shopper)
    assert message.title == f"Order {order.order_no} placed"
