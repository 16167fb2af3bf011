from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from tqdm import tqdm

from catalog.demo import seed
from catalog.demo.data import USERS


class Command(BaseCommand):
    help = (
        "Fills the database with a demo shop (merchants, 200 products, stock, promotions, "
        "coupons, demo logins). Idempotent. --products N adds N more products for benchmarks."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--products",
            type=int,
            default=0,
            help="Also add this many extra products (2-4 SKUs each), in bulk.",
        )

    def handle(self, *args, products: int, **options):
        if products < 0:
            raise CommandError("--products must be zero or more.")
        counts = seed.seed_base()
        self.stdout.write(
            f"Demo shop: {counts['merchants']} merchants, {counts['warehouses']} warehouses, "
            f"{counts['categories']} categories, {counts['products']} products "
            f"({counts['products_added']} new), {counts['skus']} SKUs, "
            f"{counts['promotions']} promotions, {counts['coupons']} coupons."
        )
        # The apps above catalog seed their own demo data, by command name (no import upwards).
        call_command("seed_demo_cases", stdout=self.stdout)
        call_command("sync_push_rules", stdout=self.stdout)
        if products:
            bar = tqdm(total=products, unit="product", disable=options["verbosity"] < 1)
            with bar:
                result = seed.add_bulk_products(products, progress=bar)
            if connection.vendor == "postgresql":
                # Fresh statistics for the planner: with stale ones (autovacuum has not run
                # yet) a storefront query over the new rows took minutes instead of 0.1 s.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
                    # What autovacuum does soon after: the rows a bulk insert left in the GIN
                    # indexes' pending lists (up to gin_pending_list_limit, 4 MB each) merged
                    # into the indexes; until then every search reads those lists whole.
                    cursor.execute(
                        "SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i "
                        "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
                        "WHERE a.amname = 'gin' AND i.indrelid = 'catalog_product'::regclass"
                    )
            rate = result["skus"] / result["seconds"] if result["seconds"] else 0
            self.stdout.write(
                f"Added {result['products']} products / {result['skus']} SKUs in "
                f"{result['seconds']:.1f} s ({rate:,.0f} SKUs/s)."
            )
        logins = ", ".join(f"{name}/{password}" for name, password in USERS.items())
        self.stdout.write(self.style.SUCCESS(f"Logins: {logins}"))
