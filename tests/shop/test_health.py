import pytest

from shop import health


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
