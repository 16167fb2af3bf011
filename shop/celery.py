import logging
import os

from celery import Celery
from django.db import transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")

app = Celery("shop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


def send_now(task, *args, swept_by: str, **options) -> bool:
    """Queue `task(*args)` at once, for code that already runs after the commit; False when the
    broker refused it. A broker outage is logged, not raised: the beat sweep named in `swept_by`
    sends the work again. No retry loop (retry=False, and the broker transport fails fast, see
    settings), so a web request never waits on a dead broker."""
    try:
        task.apply_async(args=args, retry=False, **options)
    except Exception:
        logger.warning(
            "Could not queue %s%r (broker unreachable?); %s will send it again",
            task.name,
            args,
            swept_by,
            exc_info=True,
        )
        return False
    return True


def send_after_commit(task, *args, swept_by: str, **options) -> None:
    """Queue `task(*args)` once the current transaction has committed.

    By then the state change is saved and the shopper or merchant has their answer coming, so a
    broker outage must not turn it into an error page (send_now).
    """
    transaction.on_commit(lambda: send_now(task, *args, swept_by=swept_by, **options))
