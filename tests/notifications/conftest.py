import pytest

from shop.events import DomainEvent, emit


@pytest.fixture
def make_event():
    def make(node="order.created", subject_id=1, subject_type="order", **kwargs):
        data = {"order_no": "O2026112500001", "path": "/orders/O2026112500001/"}
        data.update(kwargs.pop("data", {}))
        return DomainEvent(
            node=node, subject_type=subject_type, subject_id=subject_id, data=data, **kwargs
        )

    return make


@pytest.fixture
def commit_emit(django_capture_on_commit_callbacks):
    """Emit as a service does, then run what waits for the commit (the delivery task, eager)."""

    def run(event: DomainEvent) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            emit(event)

    return run


@pytest.fixture
def default_rules(db):
    """The seeded rules, re-seeded in case a transactional test elsewhere flushed them."""
    import importlib

    from django.apps import apps

    seed = importlib.import_module("notifications.migrations.0002_default_push_rules")
    seed.seed_rules(apps, None)
    return seed.DEFAULT_RULES


@pytest.fixture
def only_rules(db):
    """Start from no rules at all, so a test's own rules are the only ones."""
    from notifications.models import PushRule

    PushRule.objects.all().delete()
