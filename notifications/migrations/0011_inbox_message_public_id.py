"""Inbox messages get an opaque public id (the API and pages use it; the pk stays internal).
Added nullable, filled row by row for what exists, then made required and unique."""

import uuid

from django.db import migrations, models


def fill_public_ids(apps, schema_editor):
    InboxMessage = apps.get_model("notifications", "InboxMessage")
    batch = []
    for message in InboxMessage.objects.filter(public_id__isnull=True).only("pk").iterator():
        message.public_id = uuid.uuid4()
        batch.append(message)
        if len(batch) >= 1000:
            InboxMessage.objects.bulk_update(batch, ["public_id"])
            batch = []
    InboxMessage.objects.bulk_update(batch, ["public_id"])


class Migration(migrations.Migration):
    dependencies = [("notifications", "0010_pay_again_and_one_parcel_message")]

    operations = [
        migrations.AddField(
            model_name="inboxmessage",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="inboxmessage",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
