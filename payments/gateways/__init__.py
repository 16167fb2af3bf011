"""Gateway selection by configuration: settings first, then the environment.

A real gateway is enabled when its keys are set, in settings.PAYMENT_GATEWAYS or in the
environment; otherwise (or with "mode": "sandbox") it runs on the sandbox: the same adapter
and libraries, with the sandbox's keys, ledger and cashier page.

    PAYMENT_GATEWAYS = {
        "alipay": {"app_id": "...", "app_private_key": "<PEM, base64 or path>",
                   "alipay_public_key": "<PEM, base64 or path>"},
        "wechat": {"mchid": "...", "appid": "...", "merchant_private_key": "...",
                   "merchant_serial_no": "...", "platform_public_key": "...",
                   "platform_serial_no": "PUB_KEY_ID_...", "apiv3_key": "..."},
    }

Environment: ALIPAY_APP_ID, ALIPAY_APP_PRIVATE_KEY, ALIPAY_PUBLIC_KEY (optional
ALIPAY_NOTIFY_URL, ALIPAY_RETURN_URL, ALIPAY_DEBUG=1 for Alipay's own developer sandbox);
WECHATPAY_MCHID, WECHATPAY_APPID, WECHATPAY_PRIVATE_KEY, WECHATPAY_CERT_SERIAL_NO,
WECHATPAY_PUBLIC_KEY, WECHATPAY_PUBLIC_KEY_ID, WECHATPAY_APIV3_KEY (optional
WECHATPAY_NOTIFY_URL).
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from .alipay import DEV_GATEWAY_URL, LIVE_GATEWAY_URL, AlipayGateway
from .base import (
    FAILURE,
    SUCCESS,
    Acknowledgement,
    Gateway,
    GatewayError,
    InvalidNotification,
    PayRequest,
    RefundResult,
    TradeStatus,
    VerifiedNotification,
)
from .wechat import WeChatPayGateway

GATEWAY_NAMES = ("alipay", "wechat")

# Setting key -> environment variable, per gateway; the first group is required.
REQUIRED = {
    "alipay": {
        "app_id": "ALIPAY_APP_ID",
        "app_private_key": "ALIPAY_APP_PRIVATE_KEY",
        "alipay_public_key": "ALIPAY_PUBLIC_KEY",
    },
    "wechat": {
        "mchid": "WECHATPAY_MCHID",
        "appid": "WECHATPAY_APPID",
        "merchant_private_key": "WECHATPAY_PRIVATE_KEY",
        "merchant_serial_no": "WECHATPAY_CERT_SERIAL_NO",
        "platform_public_key": "WECHATPAY_PUBLIC_KEY",
        "platform_serial_no": "WECHATPAY_PUBLIC_KEY_ID",
        "apiv3_key": "WECHATPAY_APIV3_KEY",
    },
}
OPTIONAL = {
    "alipay": {
        "notify_url": "ALIPAY_NOTIFY_URL",
        "return_url": "ALIPAY_RETURN_URL",
        "debug": "ALIPAY_DEBUG",
    },
    "wechat": {"notify_url": "WECHATPAY_NOTIFY_URL"},
}

__all__ = [
    "FAILURE",
    "GATEWAY_NAMES",
    "SUCCESS",
    "Acknowledgement",
    "Gateway",
    "GatewayError",
    "InvalidNotification",
    "PayRequest",
    "RefundResult",
    "TradeStatus",
    "VerifiedNotification",
    "get_gateway",
    "is_sandbox",
]


def _config(name: str) -> dict:
    """The gateway's settings, each missing key taken from the environment."""
    config = dict(settings.PAYMENT_GATEWAYS.get(name) or {})
    for key, variable in {**REQUIRED[name], **OPTIONAL[name]}.items():
        if not config.get(key) and os.environ.get(variable):
            config[key] = os.environ[variable]
    return config


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


def _cashier_url(payment) -> str:
    return reverse("payments:cashier", args=[payment.payment_no])


def _truthy(value) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def _sandbox_gateway(name: str, notify_url: str) -> Gateway:
    from payments.sandbox.keys import (
        SANDBOX_ALIPAY_APP_ID,
        SANDBOX_WECHAT_APPID,
        SANDBOX_WECHAT_MCHID,
        sandbox_keys,
    )
    from payments.sandbox.server import (
        SandboxWeChatCore,
        sandbox_alipay_fetch,
        sandbox_trades_for_day,
    )

    keys = sandbox_keys()
    if name == "alipay":
        gateway = AlipayGateway(
            app_id=SANDBOX_ALIPAY_APP_ID,
            app_private_key=keys.merchant_private,
            alipay_public_key=keys.platform_public,
            notify_url=notify_url,
            fetch=sandbox_alipay_fetch,
            cashier_url=_cashier_url,
        )
    else:
        gateway = WeChatPayGateway(
            mchid=SANDBOX_WECHAT_MCHID,
            appid=SANDBOX_WECHAT_APPID,
            merchant_private_key=keys.merchant_private,
            merchant_serial_no=keys.merchant_serial_no,
            platform_public_key=keys.platform_public,
            platform_serial_no=keys.platform_serial_no,
            apiv3_key=keys.apiv3_key,
            notify_url=notify_url,
            core_class=SandboxWeChatCore,
            cashier_url=_cashier_url,
        )
    gateway.trades_for_day = lambda day: sandbox_trades_for_day(name, day)
    return gateway


def get_gateway(name: str) -> Gateway:
    if name not in GATEWAY_NAMES:
        raise LookupError(f"unknown payment gateway {name!r}")
    config = _config(name)
    notify_url = _notify_url(name, config)
    if _mode(name, config) == "sandbox":
        if not settings.PAYMENT_SANDBOX:
            return UnavailableGateway(name)
        return _sandbox_gateway(name, notify_url)
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
