"""Channel backends: one small interface per way of reaching a person.

`NOTIFICATION_BACKENDS` in settings (optional) overrides DEFAULT_BACKENDS per channel:
    NOTIFICATION_BACKENDS = {
        "sms": {"BACKEND": "notifications.channels.signed_http.SignedHttpBackend",
                "OPTIONS": {"url": "https://sms-gateway.example/send", "secret": "..."}},
    }
"""

from django.conf import settings
from django.utils.module_loading import import_string

from notifications.channels.base import ChannelBackend, Delivery, DeliveryFailed

DEFAULT_BACKENDS: dict[str, dict] = {
    "inbox": {"BACKEND": "notifications.channels.inbox.InboxBackend"},
    "app_push": {"BACKEND": "notifications.channels.log.LoggingBackend"},
    "sms": {"BACKEND": "notifications.channels.log.LoggingBackend"},
    "wechat": {"BACKEND": "notifications.channels.log.LoggingBackend"},
    "webhook": {"BACKEND": "notifications.channels.merchant_webhook.MerchantWebhookBackend"},
}


def backend_config(channel: str) -> dict:
    configured = settings.NOTIFICATION_BACKENDS
    config = configured.get(channel) or DEFAULT_BACKENDS.get(channel)
    if config is None:
        raise DeliveryFailed(f"No backend is configured for channel {channel!r}.")
    return config


def get_backend(channel: str) -> ChannelBackend:
    config = backend_config(channel)
    backend_class = import_string(config["BACKEND"])
    return backend_class(channel=channel, **config.get("OPTIONS", {}))


__all__ = ["ChannelBackend", "Delivery", "DeliveryFailed", "get_backend"]
