"""Seed the default carriers (logistics.seed.DEFAULT_CARRIERS)."""

from django.db import migrations

from logistics.seed import DEFAULT_CARRIERS, ensure_default_carriers


def seed(apps, schema_editor):
    ensure_default_carriers(apps.get_model("logistics", "Carrier"))


def unseed(apps, schema_editor):
    apps.get_model("logistics", "Carrier").objects.filter(
        code__in=[row[0] for row in DEFAULT_CARRIERS], shipments__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("logistics", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
