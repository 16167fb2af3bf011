from django.db import migrations, models
from django.db.models import F


def parcels_already_shipped_were_tracked(apps, schema_editor):
    # Parcels shipped before this field existed had their tracking started at shipping; without
    # this the new sweep would subscribe them all again.
    Shipment = apps.get_model("logistics", "Shipment")
    Shipment.objects.filter(shipped_at__isnull=False).update(tracking_started_at=F("shipped_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("logistics", "0003_shipment_returned_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="shipment",
            name="tracking_started_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(parcels_already_shipped_were_tracked, migrations.RunPython.noop),
    ]
