import pytest


@pytest.fixture(autouse=True)
def _sandbox_keys_in_tmp(settings, tmp_path_factory):
    """The sandbox keeps its keys outside the repository; tests share one generated set."""
    settings.PAYMENT_SANDBOX_DIR = str(tmp_path_factory.getbasetemp() / "payments-sandbox")
