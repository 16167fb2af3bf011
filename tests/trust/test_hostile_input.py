"""Hostile bytes are a 400 (or 413), never a 500: NUL and lone surrogates anywhere a client can
put text, JSON nested past the bound or too big, numbers past what a column holds. The routes
come from the live schema, so a new route is attacked the day it is added."""

import functools
import json
import re

import pytest
from django.db import DataError, connection
from django.test import RequestFactory
from drf_spectacular.generators import SchemaGenerator
from rest_framework.exceptions import ParseError

from shop.hardening import BoundedJSONParser, HostileInput, HostileInputMiddleware, check_json_value
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db
METHODS = ("get", "post", "put", "patch", "delete")
# Signed callbacks check their own raw bytes and answer in the sender's format (tests/payments).
RAW_BODY_PREFIXES = ("/api/payments/notify/", "/api/logistics/webhook/")


@functools.cache
def api_operations() -> list[tuple[str, str, dict]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (path, method, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method in METHODS
    ]


def _call(client, method: str, path: str, **kwargs):
    return getattr(client, method)(path, **kwargs)


@pytest.fixture
def shopper_api(api_client):
    api_client.force_authenticate(UserFactory())
    return api_client


def test_a_nul_byte_in_any_path_parameter_of_any_route_is_a_400(shopper_api):
    # given: every operation with a path parameter, e.g. GET /api/orders/{no}/
    routes = [(p, m) for p, m, _ in api_operations() if "{" in p]
    assert len(routes) >= 20
    failures = []
    for path, method in routes:
        # when
        response = _call(shopper_api, method, re.sub(r"\{[^}]+\}", "%00", path))
        # then
        if response.status_code != 400 or response.json().get("code") != "invalid_character":
            failures.append((method, path, response.status_code))
    assert failures == []


def test_get_orders_nul_is_400_with_a_readable_code(shopper_api):
    response = shopper_api.get("/api/orders/%00/")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The address contains a character that cannot be stored (NUL or an invalid "
        "code point).",
        "code": "invalid_character",
    }


@pytest.mark.parametrize(
    "body",
    [
        b'{"recipient": "a\\u0000b", "phone": "13800000000", "province": "x", "city": "c"}',
        b'{"recipient": "a\\ud800b"}',  # a lone surrogate: not encodable for PostgreSQL
        b'{"a\\u0000": 1}',
        b'{"lines": [{"note": ["deep", {"x": "\\u0000"}]}]}',
    ],
)
def test_unstorable_text_in_a_json_body_is_a_400(shopper_api, body):
    response = shopper_api.post("/api/addresses/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_character"


def test_review_text_with_a_nul_byte_is_a_400(shopper_api):
    # the case: a review whose text is "a\x00b" (multipart, like the storefront's)
    response = shopper_api.post(
        "/api/reviews/", {"order_line_id": 1, "rating": 5, "text": "a\x00b"}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_character"


def test_a_nul_byte_in_a_storefront_form_or_query_string_is_a_400_with_a_message(client):
    signup = client.post(
        "/accounts/signup/",
        {"username": "a\x00b", "password": "x-Y-z-12345", "password_again": "x-Y-z-12345"},
    )
    assert signup.status_code == 400
    assert "cannot be stored" in signup.content.decode()
    search = client.get("/?q=%00")
    assert search.status_code == 400
    assert client.get("/api/orders/?status=%00").status_code in (400, 401)


def test_deeply_nested_json_is_a_400_on_every_json_write(shopper_api):
    # given: 100 000 nested arrays, which recursion-based parsers die on
    hostile = b"[" * 100_000 + b"]" * 100_000
    writes = [
        (p, m)
        for p, m, op in api_operations()
        if m in ("post", "put", "patch")
        and "application/json" in op.get("requestBody", {}).get("content", {})
        and not p.startswith(RAW_BODY_PREFIXES)
    ]
    assert len(writes) >= 10
    failures = []
    for path, method in writes:
        url = re.sub(r"\{[^}]+\}", "X1", path)
        # when
        response = _call(shopper_api, method, url, data=hostile, content_type="application/json")
        # then
        if response.status_code != 400 or response.json().get("code") != "json_too_deep":
            failures.append((method, path, response.status_code))
    assert failures == []


def test_nesting_up_to_the_bound_passes_and_one_more_level_is_refused(settings):
    nested = "x"
    for _ in range(settings.JSON_MAX_DEPTH):
        nested = [nested]
    check_json_value(nested, max_depth=settings.JSON_MAX_DEPTH)
    with pytest.raises(HostileInput):
        check_json_value([nested], max_depth=settings.JSON_MAX_DEPTH)


def test_a_json_body_over_the_size_bound_is_a_413(shopper_api, settings):
    body = json.dumps({"detail": "x" * (settings.JSON_MAX_BODY_BYTES + 1)})
    response = shopper_api.post("/api/addresses/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


@pytest.mark.parametrize("number", [10**30, -(2**63) - 1, 2**63])
def test_an_integer_no_column_can_hold_is_a_400(shopper_api, number):
    body = json.dumps({"items": [{"sku_id": number, "quantity": 1}], "address_id": 1})
    response = shopper_api.post("/api/orders/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "out_of_range"


def test_a_value_the_database_refuses_is_a_400_not_a_500():
    # given: a real "integer out of range" from PostgreSQL (a number too big for a 32-bit
    # column that no serializer bounded)
    with pytest.raises(DataError) as raised, connection.cursor() as cursor:
        cursor.execute("SELECT %s::int4", [2**40])
    middleware = HostileInputMiddleware(lambda request: None)
    # when
    api = middleware.process_exception(RequestFactory().post("/api/x/"), raised.value)
    page = middleware.process_exception(RequestFactory().post("/admin/x/"), raised.value)
    # then
    assert api.status_code == 400 and json.loads(api.content)["code"] == "out_of_range"
    assert page.status_code == 400 and b"out of range" in page.content


def test_the_api_json_parser_bounds_nesting_by_itself():
    import io

    with pytest.raises(ParseError):
        BoundedJSONParser().parse(io.BytesIO(b"[" * 50_000 + b"]" * 50_000))
    with pytest.raises(ParseError):
        BoundedJSONParser().parse(io.BytesIO(b'{"a": NaN}'))
    assert BoundedJSONParser().parse(io.BytesIO(b'{"a": [1, 2]}')) == {"a": [1, 2]}
