import pytest


@pytest.fixture(autouse=True)
def _sandbox_keys_in_tmp(settings, tmp_path_factory):
    """The payments sandbox keeps its keys outside the repository; tests share one set."""
    settings.PAYMENT_SANDBOX_DIR = str(tmp_path_factory.getbasetemp() / "payments-sandbox")


@pytest.fixture(autouse=True)
def _default_carriers_and_reasons(db):
    """Carriers and case reasons are seeded by migrations; a transactional test elsewhere may
    have flushed them."""
    from logistics.seed import ensure_default_carriers
    from tests.aftersales.factories import ensure_reasons

    ensure_default_carriers()
    ensure_reasons()
