"""Gateway selection by configuration.

settings.PAYMENT_GATEWAYS (optional) maps a gateway name to its configuration:

    PAYMENT_GATEWAYS = {
        "alipay": {"mode": "live", "app_id": "...", "app_private_key": "<PEM or path>",
                   "alipay_public_key": "<PEM or path>"},
        "wechat": {"mode": "live", "mchid": "...", "appid": "...",
                   "merchant_private_key": "...", "merchant_serial_no": "...",
                   "platform_public_key": "...", "platform_serial_no": "...", "apiv3_key": "..."},
    }

A gateway without configuration, or with "mode": "sandbox", uses the sandbox: the same adapter
and formats, with the sandbox's keys, ledger and cashier page.
"""

from pathlib import Path

from django.conf import settings
from django.urls import reverse

from .alipay import LIVE_GATEWAY_URL, AlipayGateway
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
from .wechat import LIVE_API_BASE, WeChatPayGateway

GATEWAY_NAMES = ("alipay", "wechat")

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
    return dict(getattr(settings, "PAYMENT_GATEWAYS", {}).get(name) or {"mode": "sandbox"})


def is_sandbox(name: str) -> bool:
    return _config(name).get("mode", "sandbox") == "sandbox"


def _key(value: str) -> str:
    """A key given inline (PEM or bare base64) or as a path to a file."""
    value = (value or "").strip()
    if value and not value.startswith("-----") and "/" in value and Path(value).is_file():
        return Path(value).read_text()
    return value


def _notify_url(name: str, config: dict) -> str:
    if config.get("notify_url"):
        return config["notify_url"]
    path = reverse("api-payments-notify", kwargs={"gateway": name})
    return settings.SITE_URL.rstrip("/") + path


def _cashier_url(payment) -> str:
    return reverse("payments:cashier", args=[payment.payment_no])


def get_gateway(name: str) -> Gateway:
    if name not in GATEWAY_NAMES:
        raise LookupError(f"unknown payment gateway {name!r}")
    config = _config(name)
    notify_url = _notify_url(name, config)
    if config.get("mode", "sandbox") == "sandbox":
        from payments.sandbox.keys import (
            SANDBOX_ALIPAY_APP_ID,
            SANDBOX_WECHAT_APPID,
            SANDBOX_WECHAT_MCHID,
            sandbox_keys,
        )
        from payments.sandbox.server import (
            SandboxAlipayTransport,
            SandboxWeChatTransport,
            sandbox_trades_for_day,
        )

        keys = sandbox_keys()
        if name == "alipay":
            gateway = AlipayGateway(
                app_id=SANDBOX_ALIPAY_APP_ID,
                app_private_key=keys.merchant_private,
                alipay_public_key=keys.platform_public,
                notify_url=notify_url,
                transport=SandboxAlipayTransport(),
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
                transport=SandboxWeChatTransport(),
                cashier_url=_cashier_url,
            )
        gateway.trades_for_day = lambda day: sandbox_trades_for_day(name, day)
        return gateway
    if name == "alipay":
        return AlipayGateway(
            app_id=config["app_id"],
            app_private_key=_key(config["app_private_key"]),
            alipay_public_key=_key(config["alipay_public_key"]),
            notify_url=notify_url,
            return_url=config.get("return_url", ""),
            gateway_url=config.get("gateway_url", LIVE_GATEWAY_URL),
        )
    return WeChatPayGateway(
        mchid=config["mchid"],
        appid=config["appid"],
        merchant_private_key=_key(config["merchant_private_key"]),
        merchant_serial_no=config["merchant_serial_no"],
        platform_public_key=_key(config["platform_public_key"]),
        platform_serial_no=config["platform_serial_no"],
        apiv3_key=config["apiv3_key"],
        notify_url=notify_url,
        api_base=config.get("api_base", LIVE_API_BASE),
    )
