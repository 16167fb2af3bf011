"""Compare a day's payments and refunds with the gateways' records and print the mismatches."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from catalog.actors import SYSTEM
from payments.services import reconcile_payments


class Command(BaseCommand):
    help = "Reconcile a day's payments and refunds with the gateways (default: yesterday)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD, local date (default: yesterday)")

    def handle(self, *args, **options):
        if options["date"]:
            try:
                day = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("--date must be YYYY-MM-DD") from exc
        else:
            day = timezone.localdate() - timedelta(days=1)
        run = reconcile_payments(day=day, actor=SYSTEM)
        self.stdout.write(
            f"{day}: {run.payments_checked} payments, {run.refunds_checked} refunds checked, "
            f"{run.mismatch_count} mismatches"
        )
        for item in run.mismatches.all():
            self.stdout.write(
                f"  {item.subject} {item.reference}: {item.get_kind_display()} "
                f"(ours {item.our_status or '-'} {item.our_amount or '-'}, "
                f"gateway {item.gateway_status or '-'} {item.gateway_amount or '-'})"
            )
