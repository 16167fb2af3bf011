"""Sessions are read from Redis and written through to PostgreSQL: a signed-in page costs no
session query, and a Redis that lost everything (it keeps nothing on disk) logs nobody out."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def _session_queries(client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, [q["sql"] for q in queries if "django_session" in q["sql"]]


def test_a_signed_in_shopper_s_pages_read_the_session_from_redis(client):
    # given a signed-in shopper
    client.force_login(UserFactory())
    client.get(reverse("accounts:profile"))
    # when they open their profile again
    code, session_sql = _session_queries(client, reverse("accounts:profile"))
    # then the page is theirs, and PostgreSQL was not asked for the session
    assert code == 200
    assert session_sql == []


def test_a_redis_that_lost_its_data_logs_nobody_out(client):
    # given a signed-in shopper, and then Redis emptied (a restart: it saves nothing)
    client.force_login(UserFactory())
    cache.clear()
    # when they open their profile
    code, session_sql = _session_queries(client, reverse("accounts:profile"))
    # then they are still signed in: the session was read back from the database, once
    assert code == 200
    assert len(session_sql) == 1
    # and the next page is served from Redis again
    assert _session_queries(client, reverse("accounts:profile")) == (200, [])
