"""SMS, app push and WeChat messages end with `{link}`: the full URL of the page (SITE_URL +
path), since outside the inbox a site path cannot be opened. Only bodies still as seeded change;
rules ops edited keep their text."""

import importlib

from django.db import migrations

OUTSIDE_CHANNELS = ["sms", "app_push", "wechat"]
LINK_SUFFIX = " {link}"


def seeded_bodies() -> set[str]:
    """Every body the earlier migrations seeded or set."""
    seed = importlib.import_module("notifications.migrations.0002_default_push_rules")
    reword = importlib.import_module("notifications.migrations.0004_out_of_stock_wording")
    truthful = importlib.import_module(
        "notifications.migrations.0005_one_paid_message_and_truthful_wording"
    )
    bodies = {body for rules in seed.DEFAULT_RULES.values() for *_rest, body in rules}
    bodies |= {body for rules in truthful.NEW_RULES.values() for *_rest, body in rules}
    bodies |= {reword.NEW_BODY, truthful.PAYMENT_FAILED_NEW}
    return bodies


def add_link(apps, schema_editor):
    """Idempotent. (The defaults now live in notifications/default_rules.py.)"""
    PushRule = apps.get_model("notifications", "PushRule")
    for rule in PushRule.objects.filter(
        channel__in=OUTSIDE_CHANNELS, body_template__in=seeded_bodies()
    ):
        rule.body_template = rule.body_template + LINK_SUFFIX
        rule.save(update_fields=["body_template"])


def remove_link(apps, schema_editor):
    PushRule = apps.get_model("notifications", "PushRule")
    with_link = {body + LINK_SUFFIX for body in seeded_bodies()}
    for rule in PushRule.objects.filter(
        channel__in=OUTSIDE_CHANNELS, body_template__in=with_link
    ):
        rule.body_template = rule.body_template[: -len(LINK_SUFFIX)]
        rule.save(update_fields=["body_template"])


class Migration(migrations.Migration):
    dependencies = [("notifications", "0006_outbox_skipped_status")]

    operations = [migrations.RunPython(add_link, remove_link)]
