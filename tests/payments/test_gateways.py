"""The Alipay and WeChat Pay adapters (python-alipay-sdk, wechatpayv3) with locally generated
keys, and notifications and answers built exactly as Alipay and WeChat Pay document them. No
test touches the network (conftest refuses it): HTTP answers come from a local stand-in."""

import json
import os
import time
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
import wechatpayv3.core
from Cryptodome.PublicKey import RSA
from django.core.exceptions import ImproperlyConfigured
from wechatpayv3.utils import load_private_key

from payments.configured_gateways import get_gateway, is_sandbox, key_from_setting
from payments.gateways import alipay as alipay_module
from payments.gateways.alipay import AlipayGateway
from payments.gateways.base import GatewayError, InvalidNotification
from payments.gateways.crypto import new_private_key_pem, public_key_pem, rsa_verify
from payments.gateways.wechat import WeChatPayGateway
from sandbox.formats import (
    alipay_sign_content,
    alipay_sign_notification,
    alipay_signed_response,
    wechat_build_notification,
    wechat_signed_headers,
)
from shop.settings import payment_gateways_from
from tests.payments.factories import PaymentFactory

APP_KEY = new_private_key_pem()  # the shop's key (Alipay app key / WeChat merchant key)
GATEWAY_KEY = new_private_key_pem()  # Alipay's key / the WeChat Pay public key's private half
STRANGER_KEY = new_private_key_pem()
APIV3_KEY = "0123456789abcdef0123456789abcdef"
PUB_KEY_ID = "PUB_KEY_ID_0112345678202611250000000000000001"


def _bare(pem: str) -> str:
    return "".join(pem.strip().splitlines()[1:-1])


def _alipay(**kwargs) -> AlipayGateway:
    return AlipayGateway(
        app_id="2021004100000001",
        app_private_key=APP_KEY,
        # Alipay's console hands out the bare base64 public key: accepted as is.
        alipay_public_key=_bare(public_key_pem(GATEWAY_KEY)),
        notify_url="https://shop.example.com/api/payments/notify/alipay/",
        **kwargs,
    )


def _wechat(**kwargs) -> WeChatPayGateway:
    options = {
        "mchid": "1230000109",
        "appid": "wxd678efh567hg6787",
        "merchant_private_key": APP_KEY,
        "merchant_serial_no": "MERCHANTSERIAL",
        "platform_public_key": public_key_pem(GATEWAY_KEY),
        "platform_serial_no": PUB_KEY_ID,
        "apiv3_key": APIV3_KEY,
        "notify_url": "https://shop.example.com/api/payments/notify/wechat/",
    }
    options.update(kwargs)
    return WeChatPayGateway(**options)


# Alipay --------------------------------------------------------------------------------------


def _alipay_notification(*, key: str = GATEWAY_KEY, **overrides) -> bytes:
    """An asynchronous notification as Alipay documents it (trade_status_sync)."""
    params = {
        "gmt_create": "2026-11-25 10:00:00",
        "charset": "utf-8",
        "seller_email": "shop@example.com",
        "subject": "订单 O2026 & more",
        "buyer_id": "2088102122524333",
        "invoice_amount": "88.00",
        "notify_id": "2026112500222100000012345678",
        "fund_bill_list": '[{"amount":"88.00","fundChannel":"ALIPAYACCOUNT"}]',
        "notify_type": "trade_status_sync",
        "trade_status": "TRADE_SUCCESS",
        "receipt_amount": "88.00",
        "app_id": "2021004100000001",
        "buyer_pay_amount": "88.00",
        "sign_type": "RSA2",
        "seller_id": "2088102119685838",
        "gmt_payment": "2026-11-25 10:00:05",
        "notify_time": "2026-11-25 10:00:06",
        "version": "1.0",
        "out_trade_no": "P202611250000000009",
        "total_amount": "88.00",
        "trade_no": "2026112522001400000000000001",
        "auth_app_id": "2021004100000001",
        "point_amount": "0.00",
        "passback_params": "",
    }
    params.update(overrides)
    return urlencode(alipay_sign_notification(params, key)).encode()


def test_alipay_signs_sorted_pairs_without_empty_values():
    assert alipay_sign_content({"b": "2", "a": "1", "c": "", "sign": "x"}, exclude=("sign",)) == (
        "a=1&b=2"
    )


def test_alipay_notification_as_documented_verifies_and_parses():
    verified = _alipay().verify_notification(body=_alipay_notification(), headers={})
    assert verified.payment_no == "P202611250000000009"
    assert verified.trade_no == "2026112522001400000000000001"
    assert verified.amount == Decimal("88.00") and verified.status == "success"


def test_alipay_closed_trade_notification_is_a_failure():
    verified = _alipay().verify_notification(
        body=_alipay_notification(trade_status="TRADE_CLOSED"), headers={}
    )
    assert verified.status == "failure"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (
            lambda: _alipay_notification().replace(b"total_amount=88.00", b"total_amount=8.00"),
            "bad_signature",
        ),
        (lambda: _alipay_notification(key=STRANGER_KEY), "bad_signature"),
        (lambda: _alipay_notification(sign_type="RSA"), "bad_signature"),
        (lambda: _alipay_notification() + b"&extra=1", "bad_signature"),
        (lambda: _alipay_notification().replace(b"&sign=", b"&sig="), "bad_signature"),
        (lambda: _alipay_notification(app_id="2021009999999999"), "invalid"),
        (lambda: _alipay_notification(trade_status="WAIT_BUYER_PAY"), "invalid"),
        (lambda: b"not a form", "invalid"),
    ],
    ids=[
        "tampered",
        "wrong-key",
        "rsa1",
        "added-field",
        "unsigned",
        "other-app",
        "not-paid",
        "garbage",
    ],
)
def test_alipay_rejects_what_does_not_check_out(body, code):
    with pytest.raises(InvalidNotification) as error:
        _alipay().verify_notification(body=body(), headers={})
    assert error.value.code == code


@pytest.mark.django_db
def test_alipay_page_pay_url_is_signed_with_the_app_key():
    payment = PaymentFactory(amount=Decimal("12.30"))
    request = _alipay().create_payment(payment)
    url = urlsplit(request.pay_url)
    params = dict(parse_qsl(url.query))
    assert request.pay_url.startswith(alipay_module.LIVE_GATEWAY_URL)
    assert params["method"] == "alipay.trade.page.pay" and params["sign_type"] == "RSA2"
    assert params["notify_url"] == "https://shop.example.com/api/payments/notify/alipay/"
    assert json.loads(params["biz_content"])["total_amount"] == "12.30"
    content = alipay_sign_content(params, exclude=("sign",))
    assert rsa_verify(content, params["sign"], public_key_pem(APP_KEY))


def _alipay_answers(node: dict, signing_key: str, seen: list):
    def fetch(url, timeout=10):
        seen.append(dict(parse_qsl(urlsplit(url).query)))
        text = alipay_signed_response(seen[-1]["method"], node, signing_key)
        return httpx.Response(200, text=text, request=httpx.Request("GET", url))

    return fetch


@pytest.mark.django_db
def test_alipay_query_is_signed_and_its_answer_verified(monkeypatch):
    payment = PaymentFactory(amount=Decimal("12.30"))
    node = {
        "code": "10000",
        "msg": "Success",
        "trade_no": "2026112522001400000000000002",
        "out_trade_no": payment.payment_no,
        "trade_status": "TRADE_SUCCESS",
        "total_amount": "12.30",
    }
    seen = []
    monkeypatch.setattr(alipay_module.httpx, "get", _alipay_answers(node, GATEWAY_KEY, seen))
    status = _alipay().query(payment)
    assert status.status == "success" and status.amount == Decimal("12.30")
    request = seen[0]
    assert request["method"] == "alipay.trade.query"
    assert json.loads(request["biz_content"]) == {"out_trade_no": payment.payment_no}
    content = alipay_sign_content(request, exclude=("sign",))
    assert rsa_verify(content, request["sign"], public_key_pem(APP_KEY))

    # An answer signed by anyone but Alipay is refused.
    monkeypatch.setattr(alipay_module.httpx, "get", _alipay_answers(node, STRANGER_KEY, []))
    with pytest.raises(GatewayError):
        _alipay().query(payment)


@pytest.mark.django_db
def test_alipay_refund_asks_once_per_refund_number():
    payment = PaymentFactory(amount=Decimal("50.00"), gateway_trade_no="2026112522001400000003")
    refund = SimpleNamespace(
        payment=payment, amount=Decimal("20.00"), reason="Damaged", refund_no="R2026001"
    )
    node = {"code": "10000", "msg": "Success", "trade_no": "2026112522001400000003"}
    seen = []

    def fetch(url):
        return _alipay_answers(node, GATEWAY_KEY, seen)(url).text

    result = _alipay(fetch=fetch).refund(refund)
    assert result.ok and result.amount == Decimal("20.00")
    biz = json.loads(seen[0]["biz_content"])
    assert biz["out_request_no"] == "R2026001" and biz["refund_amount"] == "20.00"


# WeChat Pay v3 -------------------------------------------------------------------------------


def _wechat_notification(*, key=GATEWAY_KEY, apiv3_key=APIV3_KEY, timestamp=None, **overrides):
    """A payment notification as WeChat Pay documents it: encrypted resource, signed headers."""
    transaction = {
        "mchid": "1230000109",
        "appid": "wxd678efh567hg6787",
        "out_trade_no": "P202611250000000010",
        "transaction_id": "4200000985202611250000000001",
        "trade_type": "NATIVE",
        "trade_state": "SUCCESS",
        "trade_state_desc": "支付成功",
        "bank_type": "OTHERS",
        "attach": "",
        "success_time": "2026-11-25T10:00:05+08:00",
        "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
        "amount": {"total": 8800, "payer_total": 8800, "currency": "CNY", "payer_currency": "CNY"},
    }
    transaction.update(overrides)
    body, headers = wechat_build_notification(
        transaction=transaction,
        event_type="TRANSACTION.SUCCESS",
        notify_id="EV-2018022511223320873",
        platform_private_key=key,
        platform_serial_no=PUB_KEY_ID,
        apiv3_key=apiv3_key,
        timestamp=timestamp,
    )
    return body.encode(), headers


def test_constructing_the_wechat_client_touches_no_network():
    # conftest makes every HTTP call of wechatpayv3 fail: building the gateway must not make one
    gateway = _wechat()
    assert gateway.client._core._public_key_id == PUB_KEY_ID


def test_wechat_notification_as_documented_verifies_decrypts_and_parses():
    body, headers = _wechat_notification()
    envelope = json.loads(body)
    assert envelope["resource"]["algorithm"] == "AEAD_AES_256_GCM"
    verified = _wechat().verify_notification(body=body, headers=headers)
    assert verified.payment_no == "P202611250000000010"
    assert verified.trade_no == "4200000985202611250000000001"
    assert verified.amount == Decimal("88.00") and verified.status == "success"
    assert verified.notify_id == "EV-2018022511223320873"


def test_wechat_notification_headers_as_django_hands_them_over(rf):
    body, headers = _wechat_notification()
    request = rf.post(
        "/api/payments/notify/wechat/",
        data=body,
        content_type="application/json",
        **{"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()},
    )
    verified = _wechat().verify_notification(body=request.body, headers=request.headers)
    assert verified.amount == Decimal("88.00")


def test_wechat_payerror_notification_is_a_failure():
    body, headers = _wechat_notification(trade_state="PAYERROR")
    assert _wechat().verify_notification(body=body, headers=headers).status == "failure"


def test_wechat_rejects_a_body_changed_after_signing():
    body, headers = _wechat_notification()
    with pytest.raises(InvalidNotification) as error:
        _wechat().verify_notification(body=body.replace(b"EV-", b"XX-"), headers=headers)
    assert error.value.code == "bad_signature"


def test_wechat_rejects_a_notification_signed_with_another_key():
    body, headers = _wechat_notification(key=STRANGER_KEY)
    with pytest.raises(InvalidNotification) as error:
        _wechat().verify_notification(body=body, headers=headers)
    assert error.value.code == "bad_signature"


def test_wechat_rejects_a_resource_encrypted_with_another_apiv3_key():
    body, headers = _wechat_notification(apiv3_key="fedcba9876543210fedcba9876543210")
    with pytest.raises(InvalidNotification):
        _wechat().verify_notification(body=body, headers=headers)


def test_wechat_rejects_another_public_key_id_without_fetching_certificates():
    body, headers = _wechat_notification()
    # conftest refuses network calls: an unknown key id must not make the library download
    # platform certificates.
    with pytest.raises(InvalidNotification) as error:
        _wechat().verify_notification(
            body=body, headers={**headers, "Wechatpay-Serial": "PUB_KEY_ID_OTHER"}
        )
    assert error.value.code == "bad_signature"


def test_wechat_rejects_a_missing_signature_type():
    body, headers = _wechat_notification()
    del headers["Wechatpay-Signature-Type"]
    with pytest.raises(InvalidNotification):
        _wechat().verify_notification(body=body, headers=headers)


def test_wechat_rejects_a_replayed_notification():
    body, headers = _wechat_notification(timestamp=int(time.time()) - 3600)
    with pytest.raises(InvalidNotification) as error:
        _wechat().verify_notification(body=body, headers=headers)
    assert error.value.code == "invalid"


def test_wechat_rejects_a_notification_for_another_merchant():
    body, headers = _wechat_notification(mchid="1999999999")
    with pytest.raises(InvalidNotification):
        _wechat().verify_notification(body=body, headers=headers)


def _wechat_answers(text: str, signing_key: str, seen: dict, *, status: int = 200):
    def post(url, json=None, data=None, headers=None, **kwargs):
        seen.update(url=url, payload=json, auth=headers["Authorization"])
        answer = wechat_signed_headers(text, private_pem=signing_key, serial_no=PUB_KEY_ID)
        answer["Content-Type"] = "application/json; charset=utf-8"
        return SimpleNamespace(status_code=status, headers=answer, text=text, content=text)

    return post


@pytest.mark.django_db
def test_wechat_native_order_request_is_signed_and_the_answer_verified(monkeypatch):
    payment = PaymentFactory(method="wechat", amount=Decimal("88.00"))
    seen = {}
    text = '{"code_url":"weixin://wxpay/bizpayurl?pr=p4lpSuKzz"}'
    monkeypatch.setattr(wechatpayv3.core.requests, "post", _wechat_answers(text, GATEWAY_KEY, seen))
    pay = _wechat().create_payment(payment)
    assert pay.pay_url.startswith("weixin://")
    assert seen["url"].endswith("/v3/pay/transactions/native")
    assert seen["payload"]["amount"] == {"total": 8800, "currency": "CNY"}
    assert seen["payload"]["notify_url"] == "https://shop.example.com/api/payments/notify/wechat/"
    fields = dict(
        part.split("=", 1)
        for part in seen["auth"].removeprefix("WECHATPAY2-SHA256-RSA2048 ").split(",")
    )
    fields = {k: v.strip('"') for k, v in fields.items()}
    message = (
        f"POST\n/v3/pay/transactions/native\n{fields['timestamp']}\n{fields['nonce_str']}\n"
        f"{json.dumps(seen['payload'])}\n"
    )
    assert fields["mchid"] == "1230000109" and fields["serial_no"] == "MERCHANTSERIAL"
    assert rsa_verify(message, fields["signature"], public_key_pem(APP_KEY))

    # An answer signed by anyone but WeChat Pay is refused.
    monkeypatch.setattr(wechatpayv3.core.requests, "post", _wechat_answers(text, STRANGER_KEY, {}))
    with pytest.raises(GatewayError):
        _wechat().create_payment(payment)


@pytest.mark.django_db
def test_wechat_refund_sends_no_payment_notify_url(monkeypatch):
    payment = PaymentFactory(method="wechat", amount=Decimal("88.00"))
    refund = SimpleNamespace(
        payment=payment, amount=Decimal("8.00"), reason="Damaged", refund_no="R2026002"
    )
    seen = {}
    text = '{"refund_id":"50000000382019052709732678859","status":"PROCESSING"}'
    monkeypatch.setattr(wechatpayv3.core.requests, "post", _wechat_answers(text, GATEWAY_KEY, seen))
    result = _wechat().refund(refund)
    # Accepted but not yet paid out: not a success until WeChat Pay says SUCCESS.
    assert not result.ok and result.pending
    assert result.gateway_refund_id == "50000000382019052709732678859"
    assert seen["payload"]["out_refund_no"] == "R2026002"
    assert seen["payload"]["amount"] == {"refund": 800, "total": 8800, "currency": "CNY"}
    assert "notify_url" not in seen["payload"]


# Configuration -------------------------------------------------------------------------------

WECHAT_ENV = {
    "WECHATPAY_MCHID": "1230000109",
    "WECHATPAY_APPID": "wxd678efh567hg6787",
    "WECHATPAY_PRIVATE_KEY": APP_KEY,
    "WECHATPAY_CERT_SERIAL_NO": "MERCHANTSERIAL",
    "WECHATPAY_PUBLIC_KEY": _bare(public_key_pem(GATEWAY_KEY)),
    "WECHATPAY_PUBLIC_KEY_ID": PUB_KEY_ID,
    "WECHATPAY_APIV3_KEY": APIV3_KEY,
}


@pytest.fixture
def clean_env(monkeypatch, settings):
    settings.PAYMENT_GATEWAYS = {}
    for name in [*WECHAT_ENV, "ALIPAY_APP_ID", "ALIPAY_APP_PRIVATE_KEY", "ALIPAY_PUBLIC_KEY"]:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def settings_read_from_the_environment(settings):
    """PAYMENT_GATEWAYS as shop/settings builds it at start-up from the environment now."""
    settings.PAYMENT_GATEWAYS = payment_gateways_from(os.environ)


def test_without_keys_both_gateways_run_on_the_sandbox(clean_env):
    assert is_sandbox("alipay") and is_sandbox("wechat")
    assert get_gateway("alipay").cashier_url is not None
    assert get_gateway("wechat").cashier_url is not None


def test_live_gateways_are_built_from_settings(clean_env, settings, tmp_path):
    key_file = tmp_path / "app.pem"
    key_file.write_text(APP_KEY)
    settings.PAYMENT_GATEWAYS = {
        "alipay": {
            "app_id": "2021004100000001",
            "app_private_key": str(key_file),
            "alipay_public_key": public_key_pem(GATEWAY_KEY),
        }
    }
    gateway = get_gateway("alipay")
    assert isinstance(gateway, AlipayGateway) and gateway.cashier_url is None
    assert gateway.app_private_key == APP_KEY and not is_sandbox("alipay")
    assert gateway.verify_notification(body=_alipay_notification(), headers={}).amount == Decimal(
        "88.00"
    )
    # WeChat Pay is not configured: it stays on the sandbox.
    assert get_gateway("wechat").cashier_url is not None


def test_wechat_is_enabled_by_its_keys_in_the_environment(clean_env, settings):
    for name, value in WECHAT_ENV.items():
        clean_env.setenv(name, value)
    settings_read_from_the_environment(settings)
    gateway = get_gateway("wechat")
    assert isinstance(gateway, WeChatPayGateway) and gateway.cashier_url is None
    assert not is_sandbox("wechat") and is_sandbox("alipay")
    body, headers = _wechat_notification()
    assert gateway.verify_notification(body=body, headers=headers).amount == Decimal("88.00")


@pytest.mark.parametrize("segment", [8, 300])
def test_a_bare_base64_key_with_slashes_is_the_key_not_a_path(segment):
    # Random keys put "/" anywhere in their base64; a stretch between two slashes longer than
    # a file name once crashed the gateway set-up with ENAMETOOLONG instead of being the key.
    bare = "MIIBIjANBg" + "A" * segment + "/QIDAQAB"
    assert key_from_setting(bare) == bare


def test_a_key_path_is_read_from_its_file(tmp_path):
    key_file = tmp_path / "platform.pem"
    key_file.write_text(public_key_pem(GATEWAY_KEY))
    assert key_from_setting(f"  {key_file}  ") == public_key_pem(GATEWAY_KEY)


def test_one_missing_key_keeps_the_sandbox(clean_env, settings):
    for name, value in WECHAT_ENV.items():
        if name != "WECHATPAY_APIV3_KEY":
            clean_env.setenv(name, value)
    clean_env.setenv("WECHATPAY_APIV3_KEY", "")  # set but empty is not a key
    settings_read_from_the_environment(settings)
    assert is_sandbox("wechat")


def test_sandbox_mode_wins_over_keys_and_live_mode_needs_them(clean_env, settings):
    for name, value in WECHAT_ENV.items():
        clean_env.setenv(name, value)
    settings_read_from_the_environment(settings)
    settings.PAYMENT_GATEWAYS["wechat"]["mode"] = "sandbox"
    settings.PAYMENT_GATEWAYS["alipay"] = {"mode": "live"}
    assert is_sandbox("wechat")
    with pytest.raises(ImproperlyConfigured):
        get_gateway("alipay")


def test_a_key_set_in_settings_wins_over_the_environment(clean_env, settings):
    # given: WeChat Pay's keys in the environment, and a deployment's settings naming its own
    for name, value in WECHAT_ENV.items():
        clean_env.setenv(name, value)
    settings_read_from_the_environment(settings)
    settings.PAYMENT_GATEWAYS["wechat"]["mchid"] = "1900009999"
    # when
    gateway = get_gateway("wechat")
    # then: the setting's key is used, the others still come from the environment
    assert gateway.mchid == "1900009999" and not is_sandbox("wechat")
    assert settings.PAYMENT_GATEWAYS["wechat"]["apiv3_key"] == APIV3_KEY


# The sandbox answers through the same libraries ----------------------------------------------


@pytest.mark.django_db
def test_sandbox_refuses_calls_not_signed_with_the_shops_key(clean_env, sandbox_paid_order):
    # given: an order paid on the sandbox for each gateway
    _, alipay_payment = sandbox_paid_order(method="alipay")
    _, wechat_payment = sandbox_paid_order(method="wechat")
    assert get_gateway("alipay").query(alipay_payment).status == "success"
    assert get_gateway("wechat").query(wechat_payment).status == "success"

    # when: the calls are signed with a key that is not the shop's
    alipay_gateway = get_gateway("alipay")
    alipay_gateway.client._app_private_key = RSA.import_key(STRANGER_KEY)
    wechat_gateway = get_gateway("wechat")
    wechat_gateway.client._core._private_key = load_private_key(STRANGER_KEY)

    # then: the sandbox refuses them, as Alipay and WeChat Pay do
    with pytest.raises(GatewayError):
        alipay_gateway.query(alipay_payment)
    with pytest.raises(GatewayError):
        wechat_gateway.query(wechat_payment)
