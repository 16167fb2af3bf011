"""A Celery worker SIGKILLed in the middle of a refund and of a push delivery, for real. After a
restart the refund is done exactly once (acks_late task, the sweep for stale attempts, a gateway
idempotent on the refund number) and the push is delivered once (the relay for rows stuck in
"sending", an inbox idempotent on the outbox row)."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from aftersales.services.system import order_cancel_paid
from catalog.actors import actor_for
from notifications.models import InboxMessage, OutboxMessage
from notifications.services.delivery import stuck_after
from notifications.tasks import deliver_outbox, relay_pending_outbox
from payments import services as payment_services
from payments.models import Payment, Refund, SandboxRefund
from payments.tasks import sweep_pending_refunds
from tests.notifications.factories import OutboxMessageFactory
from tests.payments.factories import pay_on_cashier, pending_order
from tests.shop.fresh_process import ROOT, clean_environment

WAIT = 60  # seconds any wait here may take before the test fails instead of hanging


def _start_worker(key_dir, *extra) -> subprocess.Popen:
    db = connection.settings_dict
    env = clean_environment(
        DJANGO_SETTINGS_MODULE="shop.settings_test",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        REDIS_URL=django_settings.REDIS_URL,
        CELERY_BROKER_URL=django_settings.CELERY_BROKER_URL,
        CELERY_TASK_ALWAYS_EAGER="0",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "tests.trust.worker_process", str(key_dir), *map(str, extra)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"gave up after {WAIT} s waiting for {what}")


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.kill()
    worker.wait(timeout=WAIT)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_refund_refunds_exactly_once_after_restart(
    settings, tmp_path_factory, tmp_path, celery_not_eager
):
    # given: an order paid on the sandbox (in-process), then the real broker from here on
    key_dir = tmp_path_factory.getbasetemp() / "payments-sandbox"
    settings.PAYMENT_SANDBOX_DIR = str(key_dir)
    order = pending_order(price="88.00")
    payment = payment_services.payment_start(
        order_no=order.order_no, user=order.user, method="alipay"
    )
    celery_not_eager.conf.task_always_eager = True
    pay_on_cashier(payment)
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.SUCCEEDED
    celery_not_eager.conf.task_always_eager = False
    marker = tmp_path / "refunded"
    worker = _start_worker(key_dir, "hang-after-refund", marker)
    try:
        # when: the shopper cancels; the worker takes the refund, the gateway pays it back...
        order_cancel_paid(
            order_no=order.order_no, actor=actor_for(order.user), reason="Changed my mind"
        )
        _wait_for(marker.exists, "the gateway to take the refund")
        # ... and the worker is killed before the shop records it
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=WAIT)
    finally:
        _stop(worker)
    refund = Refund.objects.get(payment=payment)
    assert refund.status == Refund.Status.PROCESSING  # in flight when the worker died
    assert SandboxRefund.objects.filter(out_refund_no=refund.refund_no).count() == 1

    # when: the attempt has gone stale (10 minutes) and a fresh worker runs the beat sweep
    Refund.objects.filter(pk=refund.pk).update(next_attempt_at=timezone.now() - timedelta(0, 1))
    worker = _start_worker(key_dir)
    try:
        sweep_pending_refunds.delay()
        _wait_for(
            lambda: Refund.objects.get(pk=refund.pk).status == Refund.Status.SUCCEEDED,
            "the refund to succeed after the restart",
        )
    finally:
        _stop(worker)
    # then: the money went back once, and the shop recorded it once
    assert SandboxRefund.objects.filter(out_refund_no=refund.refund_no).count() == 1
    assert Refund.objects.filter(payment=payment, status=Refund.Status.SUCCEEDED).count() == 1
    assert Refund.objects.get(pk=refund.pk).amount == payment.amount


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_push_delivers_it_once_after_restart(
    tmp_path_factory, tmp_path, celery_not_eager
):
    # given: an inbox push committed to the outbox
    key_dir = tmp_path_factory.getbasetemp() / "payments-sandbox"
    row = OutboxMessageFactory(channel="inbox")
    marker = tmp_path / "pushed"
    worker = _start_worker(key_dir, "hang-after-push", marker)
    try:
        # when: the worker stores the message and is killed before marking the row sent
        deliver_outbox.delay([row.pk])
        _wait_for(marker.exists, "the inbox message to be stored")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=WAIT)
    finally:
        _stop(worker)
    assert OutboxMessage.objects.get(pk=row.pk).status == OutboxMessage.Status.SENDING

    # when: the row has been stuck long enough and a fresh worker runs the relay
    stale = timezone.now() - stuck_after() - timedelta(seconds=1)
    OutboxMessage.objects.filter(pk=row.pk).update(sending_since=stale)
    worker = _start_worker(key_dir)
    try:
        relay_pending_outbox.delay()
        _wait_for(
            lambda: OutboxMessage.objects.get(pk=row.pk).status == OutboxMessage.Status.SENT,
            "the push to be sent after the restart",
        )
    finally:
        _stop(worker)
    # then: the shopper has the message once
    assert InboxMessage.objects.filter(user=row.recipient).count() == 1
