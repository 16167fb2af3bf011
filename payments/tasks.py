"""Celery tasks of payments: thin wrappers that take ids, re-read state and call services."""

import logging
from datetime import timedelta

import httpx
from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from . import services
from .models import Refund, SandboxNotification

logger = logging.getLogger(__name__)

SANDBOX_MAX_DELIVERIES = 8


@shared_task(bind=True, acks_late=True, soft_time_limit=60, time_limit=90, max_retries=None)
def execute_refund(self, refund_id: int) -> str:
    refund = services.refund_execute(refund_id=refund_id)
    if (
        refund.status == Refund.Status.PENDING
        and refund.next_attempt_at
        and not self.request.is_eager
    ):
        # Retried here for speed; the beat sweep (sweep_pending_refunds) picks it up too, and is
        # the only retry in eager mode.
        countdown = max((refund.next_attempt_at - timezone.now()).total_seconds(), 0)
        raise self.retry(countdown=countdown)
    return refund.status


@shared_task(bind=True, acks_late=True, soft_time_limit=120, time_limit=150)
def sweep_pending_refunds(self) -> int:
    """Beat, every minute: attempt every refund whose next attempt is due."""
    ids = services.refund_due_ids()
    for refund_id in ids:
        execute_refund.delay(refund_id)
    return len(ids)


@shared_task(bind=True, acks_late=True, soft_time_limit=600, time_limit=660)
def reconcile_payments(self, day: str | None = None) -> int:
    """Beat, daily: reconcile yesterday (or `day`, ISO date) against the gateways."""
    from datetime import date

    target = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    run = services.reconcile_payments(day=target)
    return run.mismatch_count


@shared_task(bind=True, acks_late=True, soft_time_limit=30, time_limit=45, max_retries=None)
def deliver_sandbox_notification(self, notification_id: int) -> bool:
    """The sandbox gateway POSTs its signed notification to the shop until it is acknowledged,
    as the real gateways do (with growing gaps). In eager mode (tests, demo without a worker)
    the shop's notification service is called in-process with the exact same body."""
    notification = SandboxNotification.objects.select_related("trade").get(pk=notification_id)
    if notification.acknowledged_at is not None:
        return True
    gateway = notification.trade.gateway
    headers = {**notification.headers, "Content-Type": notification.content_type}
    if self.request.is_eager or getattr(settings, "PAYMENT_SANDBOX_DELIVER_IN_PROCESS", False):
        result = services.payment_handle_notification(
            gateway=gateway, body=notification.body.encode("utf-8"), headers=headers
        )
        status, answer = result.acknowledgement.status_code, result.acknowledgement.body
    else:
        url = settings.SANDBOX_CALLBACK_URL.rstrip("/") + reverse(
            "api-payments-notify", kwargs={"gateway": gateway}
        )
        try:
            response = httpx.post(
                url, content=notification.body.encode("utf-8"), headers=headers, timeout=10
            )
            status, answer = response.status_code, response.text
        except httpx.HTTPError as exc:
            status, answer = 0, str(exc)
    acknowledged = status in (200, 204) and (gateway != "alipay" or answer.strip() == "success")
    SandboxNotification.objects.filter(pk=notification_id).update(
        attempts=notification.attempts + 1,
        acknowledged_at=timezone.now() if acknowledged else None,
        last_response=f"{status} {answer}"[:255],
    )
    if (
        not acknowledged
        and not self.request.is_eager
        and notification.attempts + 1 < SANDBOX_MAX_DELIVERIES
    ):
        raise self.retry(countdown=min(15 * 2**notification.attempts, 3600))
    return acknowledged


@shared_task(bind=True, acks_late=True, soft_time_limit=120, time_limit=150)
def sweep_sandbox_notifications(self) -> int:
    """Beat, every minute: the sandbox redelivers notifications nobody acknowledged (a worker
    restart lost the retry), like a real gateway's redelivery schedule."""
    stale = timezone.now() - timedelta(minutes=1)
    ids = list(
        SandboxNotification.objects.filter(
            acknowledged_at__isnull=True,
            attempts__lt=SANDBOX_MAX_DELIVERIES,
            created_at__lte=stale,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[: getattr(settings, "SWEEP_BATCH_SIZE", 200)]
    )
    for notification_id in ids:
        deliver_sandbox_notification.delay(notification_id)
    return len(ids)
