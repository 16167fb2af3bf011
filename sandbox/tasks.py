"""Celery tasks of the sandbox gateway: it POSTs its notifications to the shop until they are
acknowledged. Their registered names are still "payments.tasks.*" (they were payments' tasks:
queued ones in production carry that name, and the payments queue routes them)."""

import io

import httpx
from celery import shared_task
from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.urls import resolve, reverse
from django.utils import timezone

from . import delivery as delivery_schedule
from .models import SandboxNotification


def _notify_path(gateway: str) -> str:
    return reverse("api-payments-notify", kwargs={"gateway": gateway})


def _post_in_process(*, path: str, body: bytes, headers: dict) -> tuple[int, str]:
    """The shop's notify URL answered in this process (tests, a laptop without a worker): the
    POST is built as the web server would pass it and handed to the view the URL resolves to,
    so the sandbox knows the shop by its URL only, as a real gateway does."""
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "sandbox.invalid",
        "SERVER_PORT": "80",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
    }
    for name, value in headers.items():
        key = name.upper().replace("-", "_")
        environ[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
    match = resolve(path)
    response = match.func(WSGIRequest(environ), *match.args, **match.kwargs)
    return response.status_code, response.content.decode("utf-8", errors="replace")


def _send_to_shop(*, gateway: str, body: str, headers: dict, in_process: bool) -> tuple[int, str]:
    """POST the notification to the shop's notify URL (or answer it in this process)."""
    if in_process:
        return _post_in_process(
            path=_notify_path(gateway), body=body.encode("utf-8"), headers=headers
        )
    url = settings.SANDBOX_CALLBACK_URL.rstrip("/") + _notify_path(gateway)
    try:
        response = httpx.post(url, content=body.encode("utf-8"), headers=headers, timeout=10)
    except httpx.HTTPError as exc:
        return 0, str(exc)
    return response.status_code, response.text


@shared_task(
    bind=True,
    name="payments.tasks.deliver_sandbox_notification",
    acks_late=True,
    soft_time_limit=30,
    time_limit=45,
    max_retries=None,
)
def deliver_sandbox_notification(self, notification_id: int) -> bool:
    """The sandbox gateway POSTs its notification, signed afresh, until the shop acknowledges
    it, on the real gateways' schedule (sandbox.delivery). Does nothing when no delivery is due
    (acknowledged, given up, or the sweep sent this attempt already). In eager mode (tests, demo
    without a worker) the shop's notify URL is answered in-process."""
    delivery = delivery_schedule.claim_due_delivery(notification_id=notification_id)
    if delivery is None:
        return SandboxNotification.objects.filter(
            pk=notification_id, acknowledged_at__isnull=False
        ).exists()
    status, answer = _send_to_shop(
        gateway=delivery.gateway,
        body=delivery.body,
        headers=delivery.headers,
        in_process=self.request.is_eager or settings.PAYMENT_SANDBOX_DELIVER_IN_PROCESS,
    )
    acknowledged = status in (200, 204) and (
        delivery.gateway != "alipay" or answer.strip() == "success"
    )
    next_attempt_at = delivery_schedule.record_delivery(
        notification_id=notification_id, acknowledged=acknowledged, response=f"{status} {answer}"
    )
    if next_attempt_at is not None and not self.request.is_eager:
        # The sweep resends it too if this retry is lost; whichever comes first sends it.
        countdown = max((next_attempt_at - timezone.now()).total_seconds(), 0) + 1
        raise self.retry(countdown=countdown)
    return acknowledged


@shared_task(
    bind=True,
    name="payments.tasks.sweep_sandbox_notifications",
    acks_late=True,
    soft_time_limit=120,
    time_limit=150,
)
def sweep_sandbox_notifications(self) -> int:
    """Beat, every minute: deliver the sandbox notifications whose next scheduled delivery is
    due (a worker restart or a broker outage lost the task's own retry)."""
    ids = delivery_schedule.due_notification_ids(limit=settings.SWEEP_BATCH_SIZE)
    for notification_id in ids:
        deliver_sandbox_notification.delay(notification_id)
    return len(ids)
