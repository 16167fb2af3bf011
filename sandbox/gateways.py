"""The shop's own gateway adapters (the same classes and client libraries as live) wired to the
sandbox: its keys, its in-process Alipay gateway and WeChat Pay core, its ledger's bill, and
the cashier page in place of Alipay's page or WeChat Pay's QR code."""

from django.urls import reverse

from payments.gateways.alipay import AlipayGateway
from payments.gateways.base import Gateway
from payments.gateways.wechat import WeChatPayGateway

from . import server
from .keys import SANDBOX_ALIPAY_APP_ID, SANDBOX_WECHAT_APPID, SANDBOX_WECHAT_MCHID, sandbox_keys


def _cashier_url(payment) -> str:
    return reverse("payments:cashier", args=[payment.payment_no])


def sandbox_gateway(name: str, *, notify_url: str) -> Gateway:
    keys = sandbox_keys()
    if name == "alipay":
        gateway = AlipayGateway(
            app_id=SANDBOX_ALIPAY_APP_ID,
            app_private_key=keys.merchant_private,
            alipay_public_key=keys.platform_public,
            notify_url=notify_url,
            fetch=server.sandbox_alipay_fetch,
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
            core_class=server.SandboxWeChatCore,
            cashier_url=_cashier_url,
        )
    gateway.trades_for_day = lambda day: server.sandbox_trades_for_day(name, day)
    return gateway
