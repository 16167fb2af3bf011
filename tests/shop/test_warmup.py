"""A web process is ready before its first request: shop.wsgi warms what Django, the translations
and Celery would otherwise load on the first shopper's request, and opens no connection doing it
(safe under gunicorn --preload, whose workers are forked after the import)."""

import json

from tests.shop.fresh_process import run_django

REPORT = """
import json, sys
from django.db import connections
from django.urls import get_resolver
from django.utils.translation import trans_real
import shop.wsgi
from shop.celery import app
print(json.dumps({
    "urlconf_imported": "shop.urls" in sys.modules,
    "resolver_populated": get_resolver()._populated,
    "languages_loaded": sorted(trans_real._translations),
    "celery_finalized": app.finalized,
    "open_database_connections": [
        alias for alias in connections if connections[alias].connection is not None
    ],
}))
"""


def _report(**env) -> dict:
    finished = run_django(REPORT, **env)
    assert finished.returncode == 0, finished.stderr[-2000:]
    return json.loads(finished.stdout.strip().splitlines()[-1])


def test_importing_the_wsgi_module_loads_urls_languages_and_tasks_without_connecting():
    report = _report()
    assert report["urlconf_imported"] is True
    assert report["resolver_populated"] is True
    assert {"zh-hans", "en"} <= set(report["languages_loaded"])
    assert report["celery_finalized"] is True
    assert report["open_database_connections"] == []


def test_a_process_that_does_not_serve_web_requests_is_not_warmed():
    # Celery workers, beat and manage.py commands do not import shop.wsgi: they pay nothing.
    finished = run_django(
        "import sys; from django.urls import get_resolver;"
        " print(get_resolver()._populated, 'shop.urls' in sys.modules)"
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert finished.stdout.split() == ["False", "False"]
