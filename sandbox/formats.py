"""What Alipay and WeChat Pay do on their side, exactly as each documents it: sign a
notification, sign a response, encrypt a notification's resource. The sandbox gateway uses these
with its own keys; tests use them with locally generated keys. The shop's side (verifying all of
this) is the client libraries' job, in payments/gateways/."""

import json
import secrets
import time
from collections.abc import Mapping

from payments.gateways.crypto import aes_gcm_encrypt, rsa_sign, rsa_verify

# Alipay --------------------------------------------------------------------------------------


def alipay_sign_content(params: Mapping[str, str], *, exclude: tuple[str, ...]) -> str:
    """The ASCII-sorted `key=value` pairs joined by `&`, empty values left out."""
    return "&".join(
        f"{key}={params[key]}"
        for key in sorted(params)
        if key not in exclude and params[key] not in ("", None)
    )


def alipay_sign_notification(params: dict, private_pem: str) -> dict:
    """An asynchronous notification: RSA2 over every parameter but `sign` and `sign_type`."""
    signed = dict(params)
    signed["sign"] = rsa_sign(
        alipay_sign_content(signed, exclude=("sign", "sign_type")), private_pem
    )
    return signed


def alipay_request_verifies(params: Mapping[str, str], public_pem: str) -> bool:
    """A shop's request: RSA2 over every parameter but `sign`."""
    signature = params.get("sign", "")
    content = alipay_sign_content(params, exclude=("sign",))
    return bool(signature) and rsa_verify(content, signature, public_pem)


def alipay_signed_response(method: str, node: dict, private_pem: str) -> str:
    """`{"<method>_response": {...}, "sign": "..."}`, signed over the node's exact text."""
    node_text = json.dumps(node, ensure_ascii=False, separators=(",", ":"))
    response_type = method.replace(".", "_") + "_response"
    signature = rsa_sign(node_text, private_pem)
    return f'{{"{response_type}":{node_text},"sign":"{signature}"}}'


# WeChat Pay v3 -------------------------------------------------------------------------------


def wechat_signed_headers(
    body: str, *, private_pem: str, serial_no: str, timestamp: int | None = None
) -> dict:
    """The headers WeChat Pay puts on a response or a notification: RSA-SHA256 over
    "TIMESTAMP\\nNONCE\\nBODY\\n" with the platform key."""
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    nonce = secrets.token_hex(16)
    return {
        "Wechatpay-Timestamp": stamp,
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Serial": serial_no,
        "Wechatpay-Signature": rsa_sign(f"{stamp}\n{nonce}\n{body}\n", private_pem),
        "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
    }


def wechat_authorization_verifies(
    authorization: str, *, method: str, path: str, body: str, public_pem: str
) -> bool:
    """A shop's request: `WECHATPAY2-SHA256-RSA2048 mchid=...,signature=...` over
    "METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nBODY\\n" with the merchant key."""
    scheme, _, rest = authorization.partition(" ")
    if scheme != "WECHATPAY2-SHA256-RSA2048":
        return False
    fields = {}
    for part in rest.split(","):
        key, _, value = part.partition("=")
        fields[key.strip()] = value.strip().strip('"')
    message = f"{method}\n{path}\n{fields.get('timestamp', '')}\n{fields.get('nonce_str', '')}\n"
    return rsa_verify(f"{message}{body}\n", fields.get("signature", ""), public_pem)


def wechat_build_notification(
    *,
    transaction: dict,
    event_type: str,
    notify_id: str,
    platform_private_key: str,
    platform_serial_no: str,
    apiv3_key: str,
    timestamp: int | None = None,
) -> tuple[str, dict]:
    """What WeChat Pay POSTs for a transaction: the JSON body (resource encrypted with
    AEAD_AES_256_GCM and the APIv3 key) and its signature headers."""
    resource_nonce = secrets.token_hex(6)
    associated_data = "transaction"
    body = json.dumps(
        {
            "id": notify_id,
            "create_time": transaction.get("success_time", ""),
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": "支付成功" if event_type == "TRANSACTION.SUCCESS" else "支付失败",
            "resource": {
                "original_type": "transaction",
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": aes_gcm_encrypt(
                    apiv3_key,
                    resource_nonce,
                    associated_data,
                    json.dumps(transaction, ensure_ascii=False),
                ),
                "associated_data": associated_data,
                "nonce": resource_nonce,
            },
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
    headers = wechat_signed_headers(
        body, private_pem=platform_private_key, serial_no=platform_serial_no, timestamp=timestamp
    )
    return body, headers
