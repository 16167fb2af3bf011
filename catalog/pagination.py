"""Pages of a listing whose size is not worth counting exactly."""

from django.core.paginator import Paginator
from django.db import connections, transaction
from django.utils.functional import cached_property

from shop.db import is_postgres


class CappedPaginator(Paginator):
    """A Paginator that counts at most `cap` + 1 objects (`SELECT COUNT(*) FROM (... LIMIT
    cap + 1)`) and pages through the first `cap`: the count of a broad listing costs what a
    small one does. `is_capped` says there are more than `cap`, for a "1,000+" on the page."""

    def __init__(self, object_list, per_page, *, cap: int, counted: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap
        # Up to cap + 1, when the caller knows it already (a cached listing summary).
        self.known_count = counted

    @cached_property
    def _counted(self) -> int:
        if self.known_count is not None:
            return min(self.known_count, self.cap + 1)
        return capped_count(self.object_list, self.cap + 1)

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def is_capped(self) -> bool:
        return self._counted > self.cap


def capped_count(queryset, limit: int) -> int:
    """How many of `queryset` there are, counted up to `limit`, planned without parallel workers.

    A count stopped at 1,001 rows is a short statement, but PostgreSQL plans the in-stock
    listing's (a semi-join over the stock rows) under a Gather Merge of two parallel workers, and
    starting them was most of its time: 15-26 ms, against 7 ms in one process (EXPLAIN ANALYZE
    at 100,200 products). `SET LOCAL` keeps the setting to a transaction of the count's own; the
    shop's other statements plan as the server is configured. Inside a transaction already (the
    setting would outlive the count) the count is planned as configured."""
    counted = queryset.order_by().values("pk")[:limit]
    alias = counted.db
    connection = connections[alias]
    if not is_postgres(connection) or connection.in_atomic_block:
        return counted.count()
    with transaction.atomic(using=alias):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        return counted.using(alias).count()
