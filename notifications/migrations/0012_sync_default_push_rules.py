"""From here on the default push rules are data (notifications/default_rules.py) that
`seed.push_rules_sync` writes; the seeding migrations before this one stay as history. On a
database they ran on, this sync finds every rule in place and changes nothing."""

from django.db import migrations

from notifications.seed import push_rules_sync


def sync_defaults(apps, schema_editor):
    push_rules_sync(push_rule_model=apps.get_model("notifications", "PushRule"))


class Migration(migrations.Migration):
    dependencies = [("notifications", "0011_inbox_message_public_id")]

    operations = [migrations.RunPython(sync_defaults, migrations.RunPython.noop)]
