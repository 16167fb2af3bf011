"""The sandbox's ledger left payments for its own app without losing a row: the tables are
renamed (payments_sandbox* -> sandbox_*), their rows, keys and links kept, and the way back
works too."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

CONTENT_TYPES = ("contenttypes", "0002_remove_content_type_name")
BEFORE = [CONTENT_TYPES, ("payments", "0005_admin_names"), ("sandbox", None)]
AFTER = [CONTENT_TYPES, ("payments", "0006_sandbox_is_its_own_app"), ("sandbox", "0001_initial")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    applied = [target for target in targets if target[1] is not None]
    return executor.loader.project_state(applied).apps


def _tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


@pytest.mark.django_db(transaction=True)
def test_the_ledger_moves_to_the_sandbox_app_with_its_rows():
    # given: the database as it was, with a trade, its notification and a refund in payments
    old = _migrate(BEFORE)
    assert {"payments_sandboxtrade", "payments_sandboxnotification"} <= _tables()
    trade = old.get_model("payments", "SandboxTrade").objects.create(
        gateway="alipay",
        trade_no="2026120322000000000001",
        payment_no="P2026120300000001",
        amount=Decimal("88.00"),
        status="success",
    )
    old.get_model("payments", "SandboxNotification").objects.create(
        trade=trade, body="a=1", content_type="application/x-www-form-urlencoded", attempts=2
    )
    old.get_model("payments", "SandboxRefund").objects.create(
        gateway="alipay",
        refund_id="500000000000000000001",
        out_refund_no="R2026120300000001",
        trade_no=trade.trade_no,
        amount=Decimal("8.00"),
    )
    ContentType = old.get_model("contenttypes", "ContentType")
    ContentType.objects.get_or_create(app_label="payments", model="sandboxtrade")

    try:
        # when
        new = _migrate(AFTER)

        # then: the same rows, in the sandbox app's tables, linked as before
        tables = _tables()
        assert {"sandbox_trade", "sandbox_notification", "sandbox_refund"} <= tables
        assert not {"payments_sandboxtrade", "payments_sandboxnotification"} & tables
        moved = new.get_model("sandbox", "SandboxTrade").objects.get()
        assert (moved.pk, moved.trade_no, moved.amount) == (
            trade.pk,
            "2026120322000000000001",
            Decimal("88.00"),
        )
        notification = new.get_model("sandbox", "SandboxNotification").objects.get()
        assert notification.trade_id == moved.pk and notification.attempts == 2
        assert new.get_model("sandbox", "SandboxRefund").objects.get().amount == Decimal("8.00")
        content_types = new.get_model("contenttypes", "ContentType").objects
        assert content_types.filter(app_label="sandbox", model="sandboxtrade").exists()
        assert not content_types.filter(app_label="payments", model="sandboxtrade").exists()
        # and a new row gets the next id, not a clash with a moved one
        assert (
            new.get_model("sandbox", "SandboxTrade")
            .objects.create(
                gateway="wechat",
                trade_no="4200",
                payment_no="P2",
                amount=Decimal("1.00"),
                status="failed",
            )
            .pk
            > moved.pk
        )

        # when: migrated back
        back = _migrate(BEFORE)
        # then: payments' tables again, rows still there
        assert back.get_model("payments", "SandboxTrade").objects.count() == 2
        assert back.get_model("payments", "SandboxNotification").objects.get().attempts == 2
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
