"""Events to a merchant's own system: signed JSON POSTed to the merchant's webhook URL.

Body: {"event", "subject_type", "idempotency_key", "occurred_at", "data"} where data carries the
business numbers (order_no, sub_order_no, case_no, amount...), never database ids. Headers as in
signed_http: Idempotency-Key, X-Shop-Timestamp, X-Shop-Signature (HMAC-SHA256 of
"<timestamp>.<body>" with the webhook's secret). A 2xx answer is success. The URL is checked
again before every request (notifications.webhook_address) and the request goes to the address
that was checked.
"""

from notifications.channels.base import ChannelBackend, Delivery, DeliveryFailed
from notifications.channels.signed_http import post_signed
from notifications.models import MerchantWebhook
from notifications.webhook_address import UnsafeWebhookAddress, webhook_address_check


class MerchantWebhookBackend(ChannelBackend):
    def send(self, delivery: Delivery) -> str:
        webhook = MerchantWebhook.objects.filter(pk=delivery.webhook_id).first()
        if webhook is None or not webhook.is_active:
            raise DeliveryFailed("The merchant's webhook is gone or switched off.")
        try:
            # Again now: the host may resolve elsewhere than when the URL was saved.
            address = webhook_address_check(webhook.url)
        except UnsafeWebhookAddress as error:
            raise DeliveryFailed(f"webhook: refused to call {webhook.url}: {error}") from error
        payload = {
            "event": delivery.node,
            "subject_type": delivery.subject_type,
            "idempotency_key": delivery.idempotency_key,
            "occurred_at": delivery.created_at,
            "data": delivery.data,
        }
        post_signed(
            url=webhook.url,
            secret=webhook.secret,
            payload=payload,
            idempotency_key=delivery.idempotency_key,
            timeout=float(self.options.get("timeout", 5)),
            label="webhook",
            answerer="merchant",
            headers={"X-Shop-Event": delivery.node},
            connect_ip=address.ip,
        )
        return delivery.idempotency_key
