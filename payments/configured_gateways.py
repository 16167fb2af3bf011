"""Which gateway runs where: live with its keys, the sandbox where it is enabled, or none.

A real gateway is enabled when its keys are set in settings.PAYMENT_GATEWAYS (which shop/settings
builds from the environment: ALIPAY_*, WECHATPAY_*, see payments/README.md); otherwise (or with
"mode": "sandbox") it runs on the sandbox, where settings.PAYMENT_SANDBOX enables it: the same
adapter and libraries, with the sandbox's keys, ledger and cashier page.

    PAYMENT_GATEWAYS = {
        "alipay": {"app_id": "...", "app_private_key": "<PEM, base64 or path>",
                   "alipay_public_key": "<PEM, base64 or path>"},
        "wechat": {"mchid": "...", "appid": "...", "merchant_private_key": "...",
                   "merchant_serial_no": "...", "platform_public_key": "...",
                   "platform_serial_no": "PUB_KEY_ID_...", "apiv3_key": "..."},
    }
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from sandbox.gateways import sandbox_gateway

from .gateways.alipay import DEV_GATEWAY_URL, LIVE_GATEWAY_URL, AlipayGateway
from .gateways.base import Acknowledgement, Gateway, GatewayError, InvalidNotification
from .gateways.wechat import WeChatPayGateway

GATEWAY_NAMES = ("alipay", "wechat")

# The keys a live gateway cannot run without (the others are optional).
REQUIRED = {
    "alipay": ("app_id", "app_private_key", "alipay_public_key"),
    "wechat": (
        "mchid",
        "appid",
        "merchant_private_key",
        "merchant_serial_no",
        "platform_public_key",
        "platform_serial_no",
        "apiv3_key",
    ),
}


def _config(name: str) -> dict:
    return dict(settings.PAYMENT_GATEWAYS.get(name) or {})


def _mode(name: str, config: dict) -> str:
    mode = config.get("mode")
    if mode == "sandbox":
        return "sandbox"
    missing = [key for key in REQUIRED[name] if not config.get(key)]
    if mode == "live" and missing:
        raise ImproperlyConfigured(f"PAYMENT_GATEWAYS[{name!r}] is live but misses {missing}")
    return "sandbox" if missing else "live"


def is_sandbox(name: str) -> bool:
    return settings.PAYMENT_SANDBOX and _mode(name, _config(name)) == "sandbox"


class UnavailableGateway(Gateway):
    """A gateway with no keys where the sandbox is not enabled (settings.PAYMENT_SANDBOX): every
    call is refused, so production never takes an order as paid without money."""

    def __init__(self, name: str):
        self.name = name
        self._why = f"{name} is not configured (no keys, and PAYMENT_SANDBOX is off)"

    def create_payment(self, payment):
        raise GatewayError(self._why)

    def verify_notification(self, *, body, headers):
        raise InvalidNotification(self._why, code="invalid")

    def query(self, payment):
        raise GatewayError(self._why)

    def refund(self, refund):
        raise GatewayError(self._why)

    def query_refund(self, refund):
        raise GatewayError(self._why)

    def acknowledge(self, ok: bool, message: str = "") -> Acknowledgement:
        return Acknowledgement(status_code=400, content_type="text/plain", body=message or "fail")


def key_from_setting(value: str) -> str:
    """A key given inline (PEM or bare base64) or as a path to a file.

    Bare base64 may contain "/" and run past the file-name limit, so the file test is
    os.path.isfile, which answers False for such a string instead of raising ENAMETOOLONG
    (Path.is_file raises it on Python 3.11)."""
    value = (value or "").strip()
    if value and not value.startswith("-----") and os.path.isfile(value):
        return Path(value).read_text()
    return value


def _notify_url(name: str, config: dict) -> str:
    if config.get("notify_url"):
        return config["notify_url"]
    path = reverse("api-payments-notify", kwargs={"gateway": name})
    return settings.SITE_URL.rstrip("/") + path


def _truthy(value) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def get_gateway(name: str) -> Gateway:
    if name not in GATEWAY_NAMES:
        raise LookupError(f"unknown payment gateway {name!r}")
    config = _config(name)
    notify_url = _notify_url(name, config)
    if _mode(name, config) == "sandbox":
        if not settings.PAYMENT_SANDBOX:
            return UnavailableGateway(name)
        return sandbox_gateway(name, notify_url=notify_url)
    if name == "alipay":
        return AlipayGateway(
            app_id=config["app_id"],
            app_private_key=key_from_setting(config["app_private_key"]),
            alipay_public_key=key_from_setting(config["alipay_public_key"]),
            notify_url=notify_url,
            return_url=config.get("return_url", ""),
            gateway_url=DEV_GATEWAY_URL if _truthy(config.get("debug")) else LIVE_GATEWAY_URL,
        )
    return WeChatPayGateway(
        mchid=config["mchid"],
        appid=config["appid"],
        merchant_private_key=key_from_setting(config["merchant_private_key"]),
        merchant_serial_no=config["merchant_serial_no"],
        platform_public_key=key_from_setting(config["platform_public_key"]),
        platform_serial_no=config["platform_serial_no"],
        apiv3_key=config["apiv3_key"],
        notify_url=notify_url,
    )
