"""`manage.py sync_push_rules`: the default push rules (notifications.default_rules) into the
database; rules ops edited keep their text and switch. Idempotent (run by seed_demo)."""

from django.core.management.base import BaseCommand

from notifications.seed import push_rules_sync


class Command(BaseCommand):
    help = (
        "Create the missing default push rules and bring the ones still as seeded to the "
        "present wording; rules edited in the admin are left alone."
    )

    def handle(self, *args, **options):
        synced = push_rules_sync()
        self.stdout.write(
            f"Push rules: {synced.created} created, {synced.reworded} reworded, "
            f"{synced.switched_off} switched off, {synced.chinese_filled} given their Chinese text."
        )
