"""A listing's capped count is planned without parallel workers, for that count only."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from catalog.pagination import CappedPaginator
from catalog.selectors import product_search
from tests.catalog.factories import StockRecordFactory


def _parallel_workers_setting() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_the_in_stock_count_is_right_and_its_planner_setting_ends_with_it():
    # given three products with sellable stock and one sold out
    for on_hand in (3, 1, 5, 0):
        StockRecordFactory(on_hand=on_hand)
    configured = _parallel_workers_setting()

    # when the in-stock listing counts its products (capped at two: "2+")
    paginator = CappedPaginator(product_search(in_stock_only=True), 20, cap=2)
    with CaptureQueriesContext(connection) as queries:
        count, capped = paginator.count, paginator.is_capped

    # then the count is the page's, planned in one process, and the server's setting is back
    assert (count, capped) == (2, True)
    assert "SET LOCAL max_parallel_workers_per_gather = 0" in [
        query["sql"] for query in queries.captured_queries
    ]
    assert _parallel_workers_setting() == configured


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_the_count_leaves_the_planner_alone():
    StockRecordFactory(on_hand=2)
    with transaction.atomic():
        paginator = CappedPaginator(product_search(in_stock_only=True), 20, cap=10)
        with CaptureQueriesContext(connection) as queries:
            assert paginator.count == 1
        assert not any("SET LOCAL" in query["sql"] for query in queries.captured_queries)
