from django.core.management.base import BaseCommand, CommandError

from catalog.selectors import stock_ledger_mismatches


class Command(BaseCommand):
    help = "Checks that every stock record equals the sum of its StockMove ledger."

    def handle(self, *args, **options):
        mismatches = stock_ledger_mismatches()
        for row in mismatches:
            self.stderr.write(
                f"SKU {row['sku_id']} warehouse {row['warehouse_id']}: "
                f"on_hand {row['on_hand']} vs ledger {row['ledger_on_hand']}, "
                f"allocated {row['allocated']} vs ledger {row['ledger_allocated']}"
            )
        if mismatches:
            raise CommandError(f"{len(mismatches)} stock record(s) disagree with the ledger.")
        self.stdout.write(self.style.SUCCESS("Stock ledger balances."))
