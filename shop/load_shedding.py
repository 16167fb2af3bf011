"""Bounded waiting: when the server is saturated, answer at once "busy, try again" (503 with
Retry-After) instead of keeping a shopper in a queue for tens of seconds.

Two signals, each cheap and each optional:

- Time in the queue. The reverse proxy stamps when it received the request (nginx:
  `proxy_set_header X-Request-Start "t=${msec}";`, see docker-compose.yml). A request that
  waited longer than SHED_MAX_QUEUE_MS for a free worker is answered 503 before any session,
  user or database work: by then the shopper has waited long enough, and serving them would
  only make everybody behind them wait longer.
- Requests in flight in this process (threaded or async workers): above SHED_MAX_IN_FLIGHT the
  request is refused rather than queued behind the others. Sync workers serve one request at a
  time and leave it at 0 (off).

The health check and static files are never shed. API clients get JSON (`code: overloaded`);
pages get a short page saying the shop is busy, with a link to try again.
"""

import threading
import time

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

from shop.api_paths import is_api_request

NEVER_SHED = ("/healthz", "/static/", "/media/")


def _queued_ms(request) -> float | None:
    stamp = request.META.get("HTTP_X_REQUEST_START", "")
    if not stamp:
        return None
    value = stamp.removeprefix("t=")
    try:
        started = float(value)
    except ValueError:
        return None
    # nginx sends seconds with a fraction (msec), others milliseconds or microseconds.
    if started > 1e14:
        started /= 1e6
    elif started > 1e11:
        started /= 1e3
    return max((time.time() - started) * 1000, 0.0)


class LoadSheddingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.max_queue_ms = float(settings.SHED_MAX_QUEUE_MS)
        self.max_in_flight = int(settings.SHED_MAX_IN_FLIGHT)
        self.retry_after = int(settings.SHED_RETRY_AFTER_SECONDS)
        self._in_flight = 0
        self._lock = threading.Lock()

    def __call__(self, request):
        if request.path.startswith(NEVER_SHED):
            return self.get_response(request)
        if self.max_queue_ms:
            queued = _queued_ms(request)
            if queued is not None and queued > self.max_queue_ms:
                return self._busy(request, reason="queued")
        if not self.max_in_flight:
            return self.get_response(request)
        with self._lock:
            if self._in_flight >= self.max_in_flight:
                busy = True
            else:
                busy = False
                self._in_flight += 1
        if busy:
            return self._busy(request, reason="in_flight")
        try:
            return self.get_response(request)
        finally:
            with self._lock:
                self._in_flight -= 1

    def _busy(self, request, *, reason: str):
        if is_api_request(request):
            response = JsonResponse(
                {
                    "detail": "The shop is very busy right now. Please try again in a moment.",
                    "code": "overloaded",
                    "retry_after": self.retry_after,
                },
                status=503,
            )
        else:
            response = HttpResponse(
                render_to_string("busy.html", {"retry_after": self.retry_after}), status=503
            )
        response["Retry-After"] = str(self.retry_after)
        response["X-Shed-Reason"] = reason
        response["Cache-Control"] = "no-store"
        return response
