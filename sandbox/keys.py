"""The sandbox's keys, generated on first use and kept in a folder outside the repository
(settings.PAYMENT_SANDBOX_DIR, default var/payments-sandbox), never in git."""

import contextlib
import hashlib
import os
import secrets
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from payments.gateways.crypto import new_private_key_pem, public_key_pem

SANDBOX_ALIPAY_APP_ID = "2021000000000000"
SANDBOX_WECHAT_MCHID = "1900000001"
SANDBOX_WECHAT_APPID = "wx0000000000sandbox"


@dataclass(frozen=True)
class SandboxKeys:
    platform_private: str  # the "gateway's" key: signs notifications and responses
    platform_public: str
    platform_serial_no: str
    merchant_private: str  # the shop's key: signs requests to the gateway
    merchant_public: str
    merchant_serial_no: str
    apiv3_key: str  # WeChat Pay's 32-character symmetric key


def sandbox_dir() -> Path:
    return Path(settings.PAYMENT_SANDBOX_DIR)


def _read_or_create(path: Path, make) -> str:
    if path.exists():
        return path.read_text()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write aside, then link into place: two processes starting at once keep the first key.
    fd, tmp = tempfile.mkstemp(dir=path.parent)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(make())
        os.chmod(tmp, 0o600)
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        os.unlink(tmp)
    return path.read_text()


def _serial(public_pem: str) -> str:
    return hashlib.sha1(public_pem.encode()).hexdigest().upper()


@lru_cache(maxsize=4)
def _load(folder: str) -> SandboxKeys:
    base = Path(folder)
    platform = _read_or_create(base / "platform_private.pem", new_private_key_pem)
    merchant = _read_or_create(base / "merchant_private.pem", new_private_key_pem)
    apiv3 = _read_or_create(base / "wechat_apiv3.key", lambda: secrets.token_hex(16)).strip()
    platform_public = public_key_pem(platform)
    merchant_public = public_key_pem(merchant)
    return SandboxKeys(
        platform_private=platform,
        platform_public=platform_public,
        platform_serial_no=_serial(platform_public),
        merchant_private=merchant,
        merchant_public=merchant_public,
        merchant_serial_no=_serial(merchant_public),
        apiv3_key=apiv3,
    )


def sandbox_keys() -> SandboxKeys:
    return _load(str(sandbox_dir()))
