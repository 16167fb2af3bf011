"""`GET /healthz`: is the database and the Celery broker reachable? For load balancers and ops."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from shop.celery import app as celery_app


def database_is_reachable() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down" for a health check
        return False, str(exc)[:200]
    return True, connection.vendor


def broker_is_reachable() -> tuple[bool, str]:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            return True, conn.transport_cls if isinstance(conn.transport_cls, str) else "ok"
    except Exception as exc:
        return False, str(exc)[:200]


@never_cache
@require_GET
def healthz(request):
    db_ok, db_info = database_is_reachable()
    broker_ok, broker_info = broker_is_reachable()
    healthy = db_ok and broker_ok
    body = {
        "status": "ok" if healthy else "unavailable",
        "database": {"ok": db_ok, "detail": db_info},
        "broker": {"ok": broker_ok, "detail": broker_info},
    }
    return JsonResponse(body, status=200 if healthy else 503)
