from django.db import migrations, models
from django.db.models import F


def schedule_unacknowledged(apps, schema_editor):
    # Notifications still waiting are due now: the next sweep resends them, freshly signed.
    SandboxNotification = apps.get_model("payments", "SandboxNotification")
    SandboxNotification.objects.filter(acknowledged_at__isnull=True).update(
        next_attempt_at=F("created_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="sandboxnotification",
            name="next_attempt_at",
            field=models.DateTimeField(blank=True, db_index=True, null=True),
        ),
        migrations.RunPython(schedule_unacknowledged, migrations.RunPython.noop),
    ]
