"""The sandbox's tasks moved app but not name: tasks already queued in production carry
"payments.tasks.*", the payments queue routes them and beat sends the sweep by that name."""

from django.conf import settings

from sandbox.tasks import deliver_sandbox_notification, sweep_sandbox_notifications
from shop.celery import app


def test_the_sandbox_tasks_keep_their_registered_names_and_queue():
    # given / when / then
    for task, name in (
        (deliver_sandbox_notification, "payments.tasks.deliver_sandbox_notification"),
        (sweep_sandbox_notifications, "payments.tasks.sweep_sandbox_notifications"),
    ):
        assert task.name == name and name in app.tasks
        assert app.amqp.router.route({}, name)["queue"].name == "payments"
    beat = settings.CELERY_BEAT_SCHEDULE["payments-sandbox-notifications"]
    assert beat["task"] == sweep_sandbox_notifications.name
