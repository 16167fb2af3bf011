"""A real Celery worker for the fault tests, in its own process, on the test database.

    python -m tests.trust.worker_process <key dir> [hang-after-refund|hang-after-push <file>]

With hang-after-refund the sandbox gateway records the refund, touches the marker file and then
hangs, so the test can SIGKILL the worker between "the gateway paid the money back" and "the
shop recorded it": the worst moment for a refund. hang-after-push does the same between "the
inbox message is stored" and "the outbox row is marked sent"."""

import sys
import time
from pathlib import Path

import django

django.setup()

from django.conf import settings  # noqa: E402

from shop.celery import app  # noqa: E402

settings.PAYMENT_SANDBOX_DIR = sys.argv[1]
if len(sys.argv) > 3 and sys.argv[2] == "hang-after-refund":
    from sandbox import server

    marker = Path(sys.argv[3])
    real_fetch = server.sandbox_alipay_fetch

    def fetch_then_hang(url: str) -> str:
        answer = real_fetch(url)
        if "alipay.trade.refund" in url:
            marker.write_text("refunded at the gateway")
            time.sleep(600)
        return answer

    server.sandbox_alipay_fetch = fetch_then_hang

if len(sys.argv) > 3 and sys.argv[2] == "hang-after-push":
    from notifications.channels.inbox import InboxBackend

    marker = Path(sys.argv[3])
    real_send = InboxBackend.send

    def send_then_hang(self, delivery):
        answer = real_send(self, delivery)
        marker.write_text("stored in the inbox")
        time.sleep(600)
        return answer

    InboxBackend.send = send_then_hang

app.worker_main(
    [
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=WARNING",
    ]
)
