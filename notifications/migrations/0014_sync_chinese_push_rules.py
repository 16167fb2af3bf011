"""The default push rules get their Simplified Chinese text (notifications/default_rules.py):
`seed.push_rules_sync` fills it on the rules still as seeded, leaves ops' edits alone."""

from django.db import migrations

from notifications.seed import push_rules_sync


def sync_defaults(apps, schema_editor):
    push_rules_sync(push_rule_model=apps.get_model("notifications", "PushRule"))


class Migration(migrations.Migration):
    dependencies = [("notifications", "0013_messages_in_two_languages")]

    operations = [migrations.RunPython(sync_defaults, migrations.RunPython.noop)]
