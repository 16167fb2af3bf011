"""The sandbox's ledger moves out of payments into its own app, rows and all.

The three tables already exist (payments/migrations/0001, 0002). This migration only tells
Django's state that they are now the sandbox app's (SeparateDatabaseAndState: created in the
state, nothing created in the database), then renames them to the app's prefix with
AlterModelTable (an ALTER TABLE ... RENAME: instant, no row copied, foreign keys and indexes
follow the table). Renamed rather than kept as payments_* so that a table's name says whose it
is. The content types (and so the permissions and admin log entries) move with them.
payments/migrations/0006 then drops the three models from payments' state, touching no table."""

import django.db.models.deletion
from django.db import migrations, models

MODELS = ("sandboxtrade", "sandboxnotification", "sandboxrefund")


def move_content_types(apps, schema_editor, *, source="payments", target="sandbox"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    there = set(ContentType.objects.filter(app_label=target).values_list("model", flat=True))
    # A content type already made for the target is kept; the source's is then only stale.
    ContentType.objects.filter(app_label=source, model__in=set(MODELS) - there).update(
        app_label=target
    )


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="sandbox", target="payments")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("payments", "0005_admin_names"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SandboxTrade",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("gateway", models.CharField(max_length=16)),
                        ("trade_no", models.CharField(max_length=64, unique=True)),
                        ("payment_no", models.CharField(max_length=32)),
                        ("amount", models.DecimalField(decimal_places=2, max_digits=12)),
                        ("status", models.CharField(choices=[("success", "Paid"), ("failed", "Failed")], max_length=16)),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                    ],
                    options={
                        "db_table": "payments_sandboxtrade",
                        "ordering": ["-created_at", "-id"],
                        "constraints": [models.UniqueConstraint(fields=("gateway", "payment_no"), name="sandbox_trade_once")],
                    },
                ),
                migrations.CreateModel(
                    name="SandboxNotification",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("body", models.TextField()),
                        ("headers", models.JSONField(blank=True, default=dict)),
                        ("content_type", models.CharField(max_length=64)),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("next_attempt_at", models.DateTimeField(blank=True, db_index=True, null=True)),
                        ("acknowledged_at", models.DateTimeField(blank=True, null=True)),
                        ("last_response", models.CharField(blank=True, max_length=255)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("trade", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="notifications", to="sandbox.sandboxtrade")),
                    ],
                    options={"db_table": "payments_sandboxnotification"},
                ),
                migrations.CreateModel(
                    name="SandboxRefund",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("gateway", models.CharField(max_length=16)),
                        ("refund_id", models.CharField(max_length=64, unique=True)),
                        ("out_refund_no", models.CharField(max_length=32, unique=True)),
                        ("trade_no", models.CharField(max_length=64)),
                        ("amount", models.DecimalField(decimal_places=2, max_digits=12)),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                    ],
                    options={"db_table": "payments_sandboxrefund"},
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="sandboxtrade", table="sandbox_trade"),
        migrations.AlterModelTable(name="sandboxnotification", table="sandbox_notification"),
        migrations.AlterModelTable(name="sandboxrefund", table="sandbox_refund"),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
