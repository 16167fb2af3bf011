"""Carrier adapters: `get_adapter(key)` for a Carrier.adapter value."""

from .base import Acknowledgement, CarrierAdapter, InvalidPush, ParsedEvent


def get_adapter(key: str) -> CarrierAdapter:
    from django.conf import settings

    from .kuaidi100 import Kuaidi100Adapter
    from .sandbox import SandboxAdapter

    adapters = {"sandbox": SandboxAdapter, "kuaidi100": Kuaidi100Adapter}
    if not settings.PAYMENT_SANDBOX:
        del adapters["sandbox"]  # its pushes are not accepted where the sandbox is off
    try:
        return adapters[key]()
    except KeyError:
        raise LookupError(f"No carrier adapter {key!r}.") from None


__all__ = ["Acknowledgement", "CarrierAdapter", "InvalidPush", "ParsedEvent", "get_adapter"]
