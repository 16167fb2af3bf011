"""A gateway's notification as it arrived, made storable for the audit log
(PaymentNotification): anyone can post anything to the notify URL."""

MAX_LOGGED_BODY = 20_000


def storable(text: str) -> str:
    """PostgreSQL text cannot hold NUL; anyone can post one to the notify URL."""
    return text.replace("\x00", "\ufffd")


def body_text(body: bytes) -> str:
    return body.decode("utf-8", errors="replace")


def logged_body(text: str) -> str:
    return storable(text[:MAX_LOGGED_BODY])


def kept_headers(headers) -> dict:
    """The headers worth keeping: the gateways' signature headers and the content type."""
    return {
        storable(k): storable(v)
        for k, v in dict(headers).items()
        if k.lower().startswith(("wechatpay-", "content-"))
    }
