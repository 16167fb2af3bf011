"""A generic provider over HTTP: POST the message as JSON, signed with HMAC-SHA256.

Options: url, secret, timeout (seconds, default 5). Headers:
    Idempotency-Key: the outbox row's key (the provider drops a key it has already seen)
    X-Shop-Timestamp: unix seconds;  X-Shop-Signature: hex HMAC-SHA256 of "<timestamp>.<body>"
A 2xx answer is success (JSON {"id": ...} optional); anything else is a DeliveryFailed.
"""

import hashlib
import hmac
import json
import time

import httpx

from notifications.channels.base import ChannelBackend, Delivery, DeliveryFailed


def sign(*, secret: str, timestamp: str, body: bytes) -> str:
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def post_signed(
    *,
    url: str,
    secret: str,
    payload: dict,
    idempotency_key: str,
    timeout: float,
    label: str,
    answerer: str = "provider",
    headers: dict | None = None,
    connect_ip: str | None = None,
) -> httpx.Response:
    """POST `payload` as signed JSON; a transport error or a non-2xx answer is DeliveryFailed
    (prefixed with `label`, naming the `answerer` of an HTTP error), so the outbox retries it.

    `connect_ip`: connect to this (already checked) address instead of resolving the host again,
    keeping the URL's host for the Host header, TLS SNI and certificate check."""
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode()
    timestamp = str(int(time.time()))
    all_headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Idempotency-Key": idempotency_key,
        "X-Shop-Timestamp": timestamp,
        "X-Shop-Signature": sign(secret=secret, timestamp=timestamp, body=body),
        **(headers or {}),
    }
    try:
        if connect_ip:
            target = httpx.URL(url)
            all_headers["Host"] = target.netloc.decode("ascii")
            # No proxy from the environment: the request must go to the checked address.
            with httpx.Client(timeout=timeout, trust_env=False) as client:
                response = client.post(
                    target.copy_with(host=connect_ip),
                    content=body,
                    headers=all_headers,
                    extensions={"sni_hostname": target.host},
                )
        else:
            response = httpx.post(url, content=body, headers=all_headers, timeout=timeout)
    except httpx.HTTPError as error:
        raise DeliveryFailed(f"{label}: {type(error).__name__}: {error}") from error
    if not response.is_success:
        raise DeliveryFailed(f"{label}: {answerer} answered HTTP {response.status_code}")
    return response


class SignedHttpBackend(ChannelBackend):
    def send(self, delivery: Delivery) -> str:
        url = self.options.get("url")
        secret = self.options.get("secret")
        if not url or not secret:
            raise DeliveryFailed(f"{self.channel}: SignedHttpBackend needs OPTIONS url and secret.")
        payload = {
            "channel": self.channel,
            "node": delivery.node,
            "idempotency_key": delivery.idempotency_key,
            "recipient": {
                "user_id": delivery.recipient_id,
                "username": delivery.recipient_username,
                "phone": delivery.recipient_phone,
            },
            "title": delivery.title,
            "body": delivery.body,
            "link": delivery.link,
        }
        response = post_signed(
            url=url,
            secret=secret,
            payload=payload,
            idempotency_key=delivery.idempotency_key,
            timeout=float(self.options.get("timeout", 5)),
            label=self.channel,
        )
        try:
            provider_id = str(response.json().get("id") or "")
        except (ValueError, AttributeError):
            provider_id = ""
        return provider_id or delivery.idempotency_key
