"""The API fuzzed from its own live schema (schemathesis): every operation, as a signed-in
shopper and as a merchant's staff, with bounded examples. Any 5xx, or an answer whose body or
content type breaks the schema, fails the suite."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from shop.throttling import ScopedWriteThrottle
from tests.accounts.factories import UserFactory
from tests.catalog.factories import MerchantFactory
from tests.catalog.factories_admin import merchant_staff_user

# Examples per operation and role: 42 operations x 2 roles x this stays well under 2 minutes.
EXAMPLES = 4
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture(scope="session")
def live_schema(django_db_blocker):
    with django_db_blocker.unblock():
        return schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@pytest.fixture
def api_schema(live_schema, monkeypatch):
    # The WSGI client sends Django's request signals, whose connection clean-up would close
    # the test's transaction (Django's own test client disconnects them the same way).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    # Rate limits are tested on their own (test_brute_force); here they would only shorten
    # the fuzz of the write operations into 429s.
    monkeypatch.setattr(ScopedWriteThrottle, "allow_request", lambda self, request, view: True)
    yield live_schema
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def shopper_token(db):
    return Token.objects.create(user=UserFactory()).key


@pytest.fixture
def merchant_token(db):
    return Token.objects.create(user=merchant_staff_user(MerchantFactory())).key


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def fuzz_every_operation(schema, token: str) -> list[str]:
    """Each operation's examples in turn; what failed, operation by operation."""
    headers = {"Authorization": f"Token {token}"}
    failures = []
    statuses = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40
    for operation in operations:

        @FUZZ
        @given(case=operation.as_strategy())
        def run(case):
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            statuses.append(response.status_code)

        try:
            run()
        except Exception as failure:
            failures.append(f"{operation.label}: {str(failure)[:2000]}")
    # It did attack: every operation was called, and some calls got past validation.
    assert len(statuses) >= len(operations) * 2
    assert any(200 <= status < 300 for status in statuses)
    print(f"{len(operations)} operations, {len(statuses)} requests")
    return failures


@pytest.mark.django_db
def test_as_a_shopper_no_operation_answers_a_server_error_or_breaks_its_schema(
    api_schema, shopper_token
):
    assert fuzz_every_operation(api_schema, shopper_token) == []


@pytest.mark.django_db
def test_as_merchant_staff_no_operation_answers_a_server_error_or_breaks_its_schema(
    api_schema, merchant_token
):
    assert fuzz_every_operation(api_schema, merchant_token) == []
