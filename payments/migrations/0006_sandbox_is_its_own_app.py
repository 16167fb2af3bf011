"""The sandbox's three models leave payments' state; their tables (renamed, rows kept) are the
sandbox app's now (sandbox/migrations/0001). No table is touched here."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0005_admin_names"),
        ("sandbox", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="SandboxNotification"),
                migrations.DeleteModel(name="SandboxRefund"),
                migrations.DeleteModel(name="SandboxTrade"),
            ],
            database_operations=[],
        ),
    ]
