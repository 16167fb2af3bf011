"""Seed the help centre (knowledge.seed): topics, articles in Chinese and English, canned
replies and macros."""

from django.db import migrations

from knowledge.seed import ARTICLES, ensure_help_content


def seed(apps, schema_editor):
    ensure_help_content(apps)


def unseed(apps, schema_editor):
    apps.get_model("knowledge", "Article").objects.filter(
        slug__in=[row[0] for row in ARTICLES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0002_search_indexes"), ("aftersales", "0002_seed_reasons")]
    operations = [migrations.RunPython(seed, unseed)]
