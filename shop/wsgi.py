import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
application = get_wsgi_application()

from shop.warmup import warm_up  # noqa: E402 (needs the apps loaded above)

# Before the worker takes its first request (gunicorn imports this module first).
warm_up()
