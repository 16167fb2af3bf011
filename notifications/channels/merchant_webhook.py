"""Events to a merchant's own system: signed JSON POSTed to the merchant's webhook URL.

Body: {"event", "subject_type", "idempotency_key", "occurred_at", "data"} where data carries the
business numbers (order_no, sub_order_no, case_no, amount...), never database ids. Headers as in
signed_http: Idempotency-Key, X-Shop-Timestamp, X-Shop-Signature (HMAC-SHA256 of
"<timestamp>.<body>" with the webhook's secret). A 2xx answer is success.
"""

import json
import time

import httpx

from notifications.channels.base import ChannelBackend, Delivery, DeliveryFailed
from notifications.channels.signed_http import sign
from notifications.models import MerchantWebhook


class MerchantWebhookBackend(ChannelBackend):
    def send(self, delivery: Delivery) -> str:
        webhook = MerchantWebhook.objects.filter(pk=delivery.webhook_id).first()
        if webhook is None or not webhook.is_active:
            raise DeliveryFailed("The merchant's webhook is gone or switched off.")
        payload = {
            "event": delivery.node,
            "subject_type": delivery.subject_type,
            "idempotency_key": delivery.idempotency_key,
            "occurred_at": delivery.created_at,
            "data": delivery.data,
        }
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": delivery.idempotency_key,
            "X-Shop-Event": delivery.node,
            "X-Shop-Timestamp": timestamp,
            "X-Shop-Signature": sign(secret=webhook.secret, timestamp=timestamp, body=body),
        }
        try:
            response = httpx.post(
                webhook.url,
                content=body,
                headers=headers,
                timeout=float(self.options.get("timeout", 5)),
            )
        except httpx.HTTPError as error:
            raise DeliveryFailed(f"webhook: {type(error).__name__}: {error}") from error
        if not response.is_success:
            raise DeliveryFailed(f"webhook: merchant answered HTTP {response.status_code}")
        return delivery.idempotency_key
