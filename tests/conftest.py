"""Suite-wide fixtures: real PostgreSQL (pytest-django's test database) and real Redis.

Celery tasks run eagerly by default so that a test sees the whole effect of an action; the tests
that are about the broker itself (outbox relay, broker down) switch eager mode off.
"""

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from shop.celery import app as celery_app

# Property tests hunt for wrong answers, not slow ones: a 200 ms per-example deadline only makes
# them fail at random on a busy CI machine. print_blob lets a failure be replayed exactly.
hypothesis_settings.register_profile("shop", deadline=None, print_blob=True)
hypothesis_settings.load_profile("shop")

# Factories hash a password for every user they make; production's PBKDF2 costs ~0.5 s each on
# this machine (a 50-shopper race spent most of its time hashing) and says nothing about the
# behaviour under test. Set before the first hash, so the cached hasher list never holds PBKDF2.
django_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _celery_eager():
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = True


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory):
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    settings.PRIVATE_MEDIA_ROOT = tmp_path_factory.mktemp("private")


@pytest.fixture(autouse=True)
def _push_rules_read_afresh():
    # Kept per process for a few seconds (notifications.selectors): a test's rules roll back
    # with its transaction, which no signal reports.
    from notifications.selectors import push_rules_forget

    push_rules_forget()
    yield
    push_rules_forget()


@pytest.fixture(autouse=True)
def _language_of_the_settings():
    # A request through LocaleMiddleware leaves its language active on the thread; without this a
    # test after one that asked for Chinese would read Chinese from code run outside a request.
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def celery_not_eager():
    """Tasks go to the real broker (Redis) instead of running in the test."""
    celery_app.conf.task_always_eager = False
    yield celery_app
    celery_app.conf.task_always_eager = True


@pytest.fixture
def dead_broker(celery_not_eager, monkeypatch):
    """Celery pointed at a broker nobody listens on, with the shop's own transport options."""
    app = celery_not_eager
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)  # it would win over conf
    saved = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app._pool = None
    app.amqp._producer_pool = None
    yield app
    app.conf.broker_url = saved
    app._pool = None
    app.amqp._producer_pool = None
