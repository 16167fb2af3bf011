"""Seed the after-sales reasons (aftersales.seed.REASONS)."""

from django.db import migrations

from aftersales.seed import REASONS, ensure_reasons


def seed(apps, schema_editor):
    ensure_reasons(apps.get_model("aftersales", "CaseReason"))


def unseed(apps, schema_editor):
    apps.get_model("aftersales", "CaseReason").objects.filter(
        code__in=[row[0] for row in REASONS], cases__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("aftersales", "0001_cases")]
    operations = [migrations.RunPython(seed, unseed)]
