import json

import pytest

from shop import health
from tests.shop.fresh_process import run_django


@pytest.mark.django_db
def test_healthz_reports_database_and_broker_reachable(client):
    # when
    response = client.get("/healthz")

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True


@pytest.mark.django_db
def test_healthz_answers_503_when_the_broker_is_down(client, monkeypatch):
    # given a broker that refuses connections
    monkeypatch.setattr(health, "broker_is_reachable", lambda: (False, "Connection refused"))

    # when
    response = client.get("/healthz")

    # then
    assert response.status_code == 503
    assert response.json()["broker"] == {"ok": False, "detail": "Connection refused"}


def test_healthz_answers_503_when_the_database_is_down():
    # given: a web process whose database address has nothing listening
    result = run_django(
        "from django.test import Client; r = Client().get('/healthz');"
        "print(r.status_code); print(r.content.decode())",
        DATABASE_URL="postgres://postgres@127.0.0.1:1/shop",
    )
    # then: unavailable, and it says which service
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.split("\n", 1)
    assert status == "503"
    assert json.loads(body)["database"]["ok"] is False
