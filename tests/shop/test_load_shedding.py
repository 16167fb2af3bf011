"""Bounded waiting: a request that waited in the proxy's queue past SHED_MAX_QUEUE_MS, or that
finds the process at SHED_MAX_IN_FLIGHT, is answered 503 + Retry-After at once, kindly."""

import threading
import time

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from shop.load_shedding import LoadSheddingMiddleware

pytestmark = pytest.mark.django_db


def stamped(seconds_ago: float) -> str:
    return f"t={time.time() - seconds_ago:.3f}"


def test_an_api_request_that_queued_too_long_gets_503_json_with_retry_after(client, settings):
    # given
    settings.SHED_MAX_QUEUE_MS = 1000

    # when
    response = client.post(
        "/api/orders/", {}, content_type="application/json", HTTP_X_REQUEST_START=stamped(3)
    )

    # then
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.SHED_RETRY_AFTER_SECONDS)
    assert response.json()["code"] == "overloaded"


def test_a_page_that_queued_too_long_shows_a_kind_busy_page(client, settings):
    settings.SHED_MAX_QUEUE_MS = 1000

    response = client.get("/", HTTP_X_REQUEST_START=stamped(5))

    assert response.status_code == 503
    assert response["Retry-After"]
    html = response.content.decode()
    assert "very busy" in html
    assert "Nothing was" in html and "ordered or charged" in html
    assert "请稍后再试" in html


def test_a_request_that_did_not_wait_and_the_health_check_are_served(client, settings):
    settings.SHED_MAX_QUEUE_MS = 1000

    assert client.get("/", HTTP_X_REQUEST_START=stamped(0.1)).status_code == 200
    assert client.get("/").status_code == 200  # no stamp: no proxy in front
    assert client.get("/healthz", HTTP_X_REQUEST_START=stamped(60)).status_code != 503


def test_nginx_msec_and_millisecond_stamps_both_count(settings):
    settings.SHED_MAX_QUEUE_MS = 500
    shed = LoadSheddingMiddleware(lambda request: HttpResponse("ok"))
    factory = RequestFactory()

    in_ms = f"t={int((time.time() - 2) * 1000)}"
    assert shed(factory.get("/", HTTP_X_REQUEST_START=in_ms)).status_code == 503
    assert shed(factory.get("/", HTTP_X_REQUEST_START="t=garbage")).status_code == 200


def test_above_the_in_flight_limit_a_request_is_refused_not_queued(settings):
    # given: a process that takes one request at a time and is busy with one
    settings.SHED_MAX_IN_FLIGHT = 1
    settings.SHED_MAX_QUEUE_MS = 0
    release = threading.Event()
    entered = threading.Event()

    def slow_view(request):
        entered.set()
        release.wait(timeout=10)
        return HttpResponse("done")

    shed = LoadSheddingMiddleware(slow_view)
    factory = RequestFactory()
    first: list = []
    worker = threading.Thread(target=lambda: first.append(shed(factory.get("/api/x/"))))
    worker.start()
    assert entered.wait(timeout=10)

    # when
    second = shed(factory.get("/api/x/"))

    # then
    release.set()
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert second.status_code == 503
    assert second["X-Shed-Reason"] == "in_flight"
    assert first[0].status_code == 200
