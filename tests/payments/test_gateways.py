"""The gateway adapters with locally generated keys, messages built as Alipay and WeChat Pay
document them. No test touches the network: HTTP calls are answered by a local stand-in."""

import json
import time
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest

from payments.gateways import alipay as alipay_module
from payments.gateways import get_gateway
from payments.gateways import wechat as wechat_module
from payments.gateways.alipay import AlipayGateway, sign_content, sign_notification
from payments.gateways.base import InvalidNotification
from payments.gateways.crypto import new_private_key_pem, public_key_pem, rsa_sign, rsa_verify
from payments.gateways.wechat import WeChatPayGateway, build_notification
from tests.payments.factories import PaymentFactory

APP_KEY = new_private_key_pem()
ALIPAY_KEY = new_private_key_pem()
APIV3_KEY = "0123456789abcdef0123456789abcdef"


def _alipay() -> AlipayGateway:
    return AlipayGateway(
        app_id="2021004100000001",
        app_private_key=APP_KEY,
        # Alipay's console hands out the bare base64 public key: accepted as is.
        alipay_public_key="".join(public_key_pem(ALIPAY_KEY).splitlines()[1:-1]),
        notify_url="https://shop.example.com/api/payments/notify/alipay/",
    )


def _wechat() -> WeChatPayGateway:
    return WeChatPayGateway(
        mchid="1230000109",
        appid="wxd678efh567hg6787",
        merchant_private_key=APP_KEY,
        merchant_serial_no="MERCHANTSERIAL",
        platform_public_key=public_key_pem(ALIPAY_KEY),
        platform_serial_no="PLATFORMSERIAL",
        apiv3_key=APIV3_KEY,
        notify_url="https://shop.example.com/api/payments/notify/wechat/",
    )


def _alipay_notification(**overrides) -> bytes:
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
    }
    params.update(overrides)
    return urlencode(sign_notification(params, ALIPAY_KEY)).encode()


def test_alipay_signs_sorted_pairs_without_empty_values():
    assert sign_content({"b": "2", "a": "1", "c": "", "sign": "x"}, exclude=("sign",)) == "a=1&b=2"


def test_alipay_notification_as_documented_verifies_and_parses():
    verified = _alipay().verify_notification(body=_alipay_notification(), headers={})
    assert verified.payment_no == "P202611250000000009"
    assert verified.trade_no == "2026112522001400000000000001"
    assert verified.amount == Decimal("88.00") and verified.status == "success"


@pytest.mark.parametrize(
    "body",
    [
        lambda: _alipay_notification().replace(b"total_amount=88.00", b"total_amount=8.00"),
        lambda: _alipay_notification(app_id="2021009999999999"),
        lambda: b"not a form",
    ],
    ids=["tampered", "other-app", "garbage"],
)
def test_alipay_rejects_what_does_not_check_out(body):
    with pytest.raises(InvalidNotification):
        _alipay().verify_notification(body=body(), headers={})


@pytest.mark.django_db
def test_alipay_page_pay_url_is_signed_with_the_app_key():
    payment = PaymentFactory(amount=Decimal("12.30"))
    request = _alipay().create_payment(payment)
    url = urlsplit(request.pay_url)
    params = dict(parse_qsl(url.query))
    assert request.pay_url.startswith(alipay_module.LIVE_GATEWAY_URL)
    assert params["method"] == "alipay.trade.page.pay"
    assert json.loads(params["biz_content"])["total_amount"] == "12.30"
    content = sign_content(params, exclude=("sign",))
    assert rsa_verify(content, params["sign"], public_key_pem(APP_KEY))


@pytest.mark.django_db
def test_alipay_query_verifies_the_response_signature(monkeypatch):
    payment = PaymentFactory(amount=Decimal("12.30"))
    node = (
        '{"code":"10000","msg":"Success","trade_no":"2026112522001400000000000002",'
        f'"out_trade_no":"{payment.payment_no}","trade_status":"TRADE_SUCCESS",'
        '"total_amount":"12.30"}'
    )

    def answer(signing_key):
        def post(url, data, timeout):
            signature = rsa_sign(node, signing_key)
            text = f'{{"alipay_trade_query_response":{node},"sign":"{signature}"}}'
            return httpx.Response(200, text=text, request=httpx.Request("POST", url))

        return post

    monkeypatch.setattr(alipay_module.httpx, "post", answer(ALIPAY_KEY))
    status = _alipay().query(payment)
    assert status.status == "success" and status.amount == Decimal("12.30")

    monkeypatch.setattr(alipay_module.httpx, "post", answer(new_private_key_pem()))
    with pytest.raises(alipay_module.GatewayError):
        _alipay().query(payment)


def _wechat_notification(**overrides):
    transaction = {
        "mchid": "1230000109",
        "appid": "wxd678efh567hg6787",
        "out_trade_no": "P202611250000000010",
        "transaction_id": "4200000985202611250000000001",
        "trade_type": "NATIVE",
        "trade_state": "SUCCESS",
        "trade_state_desc": "支付成功",
        "success_time": "2026-11-25T10:00:05+08:00",
        "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
        "amount": {"total": 8800, "payer_total": 8800, "currency": "CNY"},
    }
    transaction.update(overrides)
    body, headers = build_notification(
        transaction=transaction,
        event_type="TRANSACTION.SUCCESS",
        notify_id="EV-2018022511223320873",
        platform_private_key=ALIPAY_KEY,
        platform_serial_no="PLATFORMSERIAL",
        apiv3_key=APIV3_KEY,
    )
    return body.encode(), headers


def test_wechat_notification_as_documented_verifies_decrypts_and_parses():
    body, headers = _wechat_notification()
    envelope = json.loads(body)
    assert envelope["resource"]["algorithm"] == "AEAD_AES_256_GCM"
    verified = _wechat().verify_notification(body=body, headers=headers)
    assert verified.payment_no == "P202611250000000010"
    assert verified.amount == Decimal("88.00") and verified.status == "success"


def test_wechat_rejects_a_body_changed_after_signing():
    body, headers = _wechat_notification()
    with pytest.raises(InvalidNotification) as error:
        _wechat().verify_notification(body=body.replace(b"EV-", b"XX-"), headers=headers)
    assert error.value.code == "bad_signature"


def test_wechat_rejects_another_platform_certificate_serial():
    body, headers = _wechat_notification()
    with pytest.raises(InvalidNotification):
        _wechat().verify_notification(body=body, headers={**headers, "Wechatpay-Serial": "OTHER"})


def test_wechat_rejects_a_notification_for_another_merchant():
    body, headers = _wechat_notification(mchid="1999999999")
    with pytest.raises(InvalidNotification):
        _wechat().verify_notification(body=body, headers=headers)


@pytest.mark.django_db
def test_wechat_native_order_request_is_signed_and_the_answer_verified(monkeypatch):
    payment = PaymentFactory(method="wechat", amount=Decimal("88.00"))
    seen = {}

    def request(method, url, content, headers, timeout):
        seen.update(method=method, url=url, content=content.decode(), auth=headers["Authorization"])
        text = '{"code_url":"weixin://wxpay/bizpayurl?pr=p4lpSuKzz"}'
        stamp, nonce = str(int(time.time())), "n0nce"
        signature = rsa_sign(f"{stamp}\n{nonce}\n{text}\n", ALIPAY_KEY)
        answer_headers = {
            "Wechatpay-Timestamp": stamp,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": signature,
            "Wechatpay-Serial": "PLATFORMSERIAL",
        }
        return httpx.Response(200, text=text, headers=answer_headers)

    monkeypatch.setattr(wechat_module.httpx, "request", request)
    pay = _wechat().create_payment(payment)
    assert pay.pay_url.startswith("weixin://")
    assert json.loads(seen["content"])["amount"] == {"total": 8800, "currency": "CNY"}
    fields = dict(
        part.split("=", 1)
        for part in seen["auth"].removeprefix("WECHATPAY2-SHA256-RSA2048 ").split(",")
    )
    fields = {k: v.strip('"') for k, v in fields.items()}
    message = (
        f"POST\n/v3/pay/transactions/native\n{fields['timestamp']}\n{fields['nonce_str']}\n"
        f"{seen['content']}\n"
    )
    assert fields["mchid"] == "1230000109" and fields["serial_no"] == "MERCHANTSERIAL"
    assert rsa_verify(message, fields["signature"], public_key_pem(APP_KEY))


def test_live_gateways_are_built_from_settings(settings, tmp_path):
    key_file = tmp_path / "app.pem"
    key_file.write_text(APP_KEY)
    settings.PAYMENT_GATEWAYS = {
        "alipay": {
            "mode": "live",
            "app_id": "2021004100000001",
            "app_private_key": str(key_file),
            "alipay_public_key": public_key_pem(ALIPAY_KEY),
        }
    }
    gateway = get_gateway("alipay")
    assert isinstance(gateway, AlipayGateway) and gateway.cashier_url is None
    assert gateway.app_private_key == APP_KEY
    assert gateway.verify_notification(body=_alipay_notification(), headers={}).amount == Decimal(
        "88.00"
    )
    # WeChat Pay is not configured: it stays on the sandbox.
    assert get_gateway("wechat").cashier_url is not None
