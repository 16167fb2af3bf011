"""Addresses get an opaque public id (pages and the API name an address by it; the pk stays
internal). Added nullable, filled for what exists, then made required and unique."""

import uuid

from django.db import migrations, models


def fill_public_ids(apps, schema_editor):
    Address = apps.get_model("accounts", "Address")
    batch = []
    for address in Address.objects.filter(public_id__isnull=True).only("pk").iterator():
        address.public_id = uuid.uuid4()
        batch.append(address)
        if len(batch) >= 1000:
            Address.objects.bulk_update(batch, ["public_id"])
            batch = []
    Address.objects.bulk_update(batch, ["public_id"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="address",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="address",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
