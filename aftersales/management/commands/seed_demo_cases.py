"""`manage.py seed_demo_cases`: return addresses and a few demo after-sales cases (idempotent;
run by seed_demo after the catalogue and the demo users exist)."""

from django.core.management.base import BaseCommand

from aftersales.demo import seed_demo_cases


class Command(BaseCommand):
    help = "Return addresses for every merchant and a few after-sales cases of the demo shopper."

    def handle(self, *args, **options):
        added = seed_demo_cases()
        self.stdout.write(f"After-sales: {added} demo case(s) added.")
