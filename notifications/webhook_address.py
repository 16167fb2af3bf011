"""Where a merchant's webhook may point: a public https address, never into the shop's own
network (SSRF). Checked when the merchant saves the URL and again at every delivery, since what
a host name resolves to can change; the delivery then connects to the address it checked."""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings


class UnsafeWebhookAddress(ValueError):
    """The URL must not be called: its message says why, in words a merchant can act on."""


@dataclass(frozen=True)
class WebhookAddress:
    host: str
    port: int
    # The address to connect to: one of those the host resolved to, all of them checked.
    ip: str


def _private_hosts_allowed() -> bool:
    # Local development and tests only: a merchant system on this machine or the LAN.
    return settings.NOTIFICATION_WEBHOOK_ALLOW_PRIVATE_HOSTS


def _is_internal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
        or not ip.is_global
    )


def webhook_address_check(url: str) -> WebhookAddress:
    """The checked address of `url`, or UnsafeWebhookAddress: https only (http too while
    DEBUG is on), no credentials in the URL, and every address the host resolves to public."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError as error:
        raise UnsafeWebhookAddress(f"This is not a valid address: {error}.") from error
    scheme = parts.scheme.lower()
    if scheme != "https" and not (scheme == "http" and settings.DEBUG):
        raise UnsafeWebhookAddress("Use an https:// address: events carry order data.")
    host = parts.hostname
    if not host:
        raise UnsafeWebhookAddress("The address has no host name.")
    if parts.username or parts.password:
        raise UnsafeWebhookAddress(
            "Leave the user name and password out of the address: every request is signed."
        )
    port = port or (443 if scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise UnsafeWebhookAddress(f"The host name {host} cannot be resolved.") from error
    addresses = sorted({info[4][0] for info in infos})
    if not addresses:
        raise UnsafeWebhookAddress(f"The host name {host} cannot be resolved.")
    if not _private_hosts_allowed():
        for address in addresses:
            if _is_internal(ipaddress.ip_address(address.split("%")[0])):
                raise UnsafeWebhookAddress(
                    f"{host} resolves to {address}, a private, loopback, link-local or reserved "
                    "address: the webhook must be reachable on the public internet."
                )
    return WebhookAddress(host=host, port=port, ip=addresses[0])
