"""How the sandbox gateway delivers its notifications: on the real gateways' redelivery
schedule, signed afresh for every delivery.

WeChat Pay refuses (on our side, as any careful merchant does) a notification whose
Wechatpay-Timestamp is more than five minutes old, and signs each retry anew; Alipay puts a new
notify_time in each retry and signs that. A delivery is claimed (its attempt counted and the
next one scheduled) before it is sent, so the task's own retry and the beat sweep never send
the same attempt twice, and a worker that dies mid-send leaves it due again later.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode

from django.db import transaction
from django.utils import timezone

from . import formats
from .keys import sandbox_keys
from .models import SandboxNotification

# The gap after each unacknowledged delivery, as the gateways document them. WeChat Pay:
# 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h (24h4m in all). Alipay:
# 4m/10m/10m/1h/2h/6h/15h (about 25 hours).
REDELIVERY_GAPS = {
    "wechat": [
        timedelta(seconds=s)
        for s in (15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800)
    ]
    + [timedelta(hours=6)] * 2,
    "alipay": [timedelta(minutes=m) for m in (4, 10, 10, 60, 120, 360, 900)],
}


def max_deliveries(gateway: str) -> int:
    return len(REDELIVERY_GAPS[gateway]) + 1


def next_attempt_after(*, gateway: str, attempts: int, at: datetime) -> datetime | None:
    """When to send again after the `attempts`-th delivery went unacknowledged; None: give up."""
    gaps = REDELIVERY_GAPS[gateway]
    if attempts > len(gaps):
        return None
    return at + gaps[attempts - 1]


@dataclass(frozen=True)
class Delivery:
    notification_id: int
    gateway: str
    body: str
    headers: dict
    attempt: int


def sign_for_delivery(*, gateway: str, body: str) -> tuple[str, dict]:
    """The body and signature headers as the gateway would send them right now."""
    keys = sandbox_keys()
    if gateway == "wechat":
        return body, formats.wechat_signed_headers(
            body, private_pem=keys.platform_private, serial_no=keys.platform_serial_no
        )
    params = dict(parse_qsl(body, keep_blank_values=True))
    params.pop("sign", None)
    params["notify_time"] = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
    return urlencode(formats.alipay_sign_notification(params, keys.platform_private)), {}


def claim_due_delivery(*, notification_id: int) -> Delivery | None:
    """Count and schedule the next delivery of a notification if one is due now; None when it
    is acknowledged, given up, not yet due, or being sent by someone else."""
    now = timezone.now()
    with transaction.atomic():
        notification = (
            SandboxNotification.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("trade")
            .filter(
                pk=notification_id,
                acknowledged_at__isnull=True,
                next_attempt_at__lte=now,
            )
            .first()
        )
        if notification is None:
            return None
        gateway = notification.trade.gateway
        body, headers = sign_for_delivery(gateway=gateway, body=notification.body)
        notification.attempts += 1
        notification.next_attempt_at = next_attempt_after(
            gateway=gateway, attempts=notification.attempts, at=now
        )
        notification.headers = headers
        notification.save(update_fields=["attempts", "next_attempt_at", "headers"])
    return Delivery(
        notification_id=notification.pk,
        gateway=gateway,
        body=body,
        headers={**headers, "Content-Type": notification.content_type},
        attempt=notification.attempts,
    )


def record_delivery(*, notification_id: int, acknowledged: bool, response: str) -> datetime | None:
    """Write down the shop's answer; returns when the next delivery is due (None: no more)."""
    with transaction.atomic():
        notification = SandboxNotification.objects.select_for_update().get(pk=notification_id)
        notification.last_response = response[:255]
        if acknowledged:
            notification.acknowledged_at = timezone.now()
            notification.next_attempt_at = None
        notification.save(update_fields=["last_response", "acknowledged_at", "next_attempt_at"])
    return notification.next_attempt_at


def due_notification_ids(*, limit: int) -> list[int]:
    """Notifications whose next scheduled delivery is due (the task's own retry was lost, or
    this is a redelivery the schedule has come round to)."""
    return list(
        SandboxNotification.objects.filter(
            acknowledged_at__isnull=True, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
