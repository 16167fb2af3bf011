"""The sandbox is exercised the way payments uses it: the same keys folder, no network, and
orders paid on its cashier (payments' fixtures)."""

from tests.payments.conftest import _no_network, _sandbox_keys_in_tmp, sandbox_paid_order

__all__ = ["_no_network", "_sandbox_keys_in_tmp", "sandbox_paid_order"]
