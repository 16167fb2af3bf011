"""What a web process would otherwise do on its first request, done when it starts.

Django builds its URL resolver (importing every app's urls, views and admin, and compiling some
1,500 patterns), the translation catalogues of a language and Celery's task registry lazily, on
the first request that needs them: about 280 ms of CPU in a fresh process. Under gunicorn every
worker pays it again after a deploy, a crash or a `--max-requests` recycle, and it lands on the
first shoppers it serves: during a flash sale, five workers starting at once spent over a second
of the two cores' first seconds on it (docs/benchmarks.md). gunicorn loads the WSGI module before
a worker accepts connections, so work done here is done before any shopper waits for it.

Nothing here opens a connection (database, Redis, broker): with `gunicorn --preload` this runs
in the master before it forks, and a socket shared by forked workers would mix their traffic.
"""

import logging

from django.conf import settings
from django.urls import get_resolver
from django.utils import translation

logger = logging.getLogger(__name__)


def warm_up() -> None:
    # Reading the reverse map populates the resolver: every URLconf imported, every pattern
    # compiled (reverse() and resolve() of any request would do it otherwise).
    get_resolver().reverse_dict  # noqa: B018 (the read is the point)
    for code, _name in settings.LANGUAGES:
        # Loads (and keeps, per process) the language's catalogues of every installed app.
        translation.trans_real.translation(code)
    from shop.celery import app as celery_app

    # Imports the apps' tasks modules and binds the tasks: the first send_after_commit would.
    celery_app.loader.import_default_modules()
    celery_app.finalize(auto=True)
    # The result backend (none: loaded by name through the package entry points), the message
    # builder and the broker transport's class: objects only, the connection comes on first send.
    celery_app.backend  # noqa: B018
    celery_app.amqp.router  # noqa: B018
    celery_app.connection_for_write().get_transport_cls()
    logger.debug("Warmed up: URL resolver, %d languages, Celery tasks", len(settings.LANGUAGES))
