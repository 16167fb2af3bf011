"""Celery queues by kind: refunds never wait behind a flood of pushes, and a worker started
without -Q (`make run`, the Procfile) consumes every queue, so nothing stalls."""

import pytest

from shop.celery import app


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("payments.tasks.execute_refund", "payments"),
        ("payments.tasks.sweep_pending_refunds", "payments"),
        ("notifications.tasks.deliver_outbox", "celery"),
        ("logistics.tasks.shipment_start_tracking", "tracking"),
        ("orders.tasks.sweep_unpaid_orders", "sweeps"),
        ("aftersales.tasks.sweep_case_deadlines", "sweeps"),
        ("catalog.tasks.reconcile_flash_gates", "sweeps"),
    ],
)
def test_each_kind_of_task_goes_to_its_own_queue(task, queue):
    assert app.amqp.router.route({}, task)["queue"].name == queue


def test_a_worker_without_q_consumes_every_routed_queue():
    routed = {route["queue"] for route in app.conf.task_routes.values()}
    assert routed <= set(app.amqp.queues)
    assert set(app.amqp.queues) == {"celery", "payments", "tracking", "sweeps"}
