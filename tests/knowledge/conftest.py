import pytest

# Orders paid on the sandbox cashier and the seeded carriers, as the after-sales tests have them.
from tests.aftersales.conftest import _default_carriers_and_reasons, _sandbox_keys_in_tmp  # noqa: F401


@pytest.fixture(autouse=True)
def _help_content(db):
    """The help centre is seeded by a migration; a transactional test elsewhere may have
    flushed it."""
    from knowledge.seed import ensure_help_content

    ensure_help_content()


@pytest.fixture
def paid(django_capture_on_commit_callbacks):
    """paid_sub_order(), its payment notification delivered."""
    from tests.aftersales.factories import paid_sub_order

    return lambda **kwargs: paid_sub_order(capture=django_capture_on_commit_callbacks, **kwargs)
