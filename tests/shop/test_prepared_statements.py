"""shop.db.prepared_cursor: the flash sale's hot statements are planned once per connection,
and nothing else of the shop is prepared (Django keeps psycopg's automatic preparing off)."""

import pytest
from django.db import DatabaseError, DataError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from shop.db import prepared_cursor

STATEMENT = "SELECT %s::int + 1"


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def _run(sql: str, params) -> int:
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_statement_is_prepared_once_and_answers_each_call_with_its_own_values():
    assert [_run(STATEMENT, [n]) for n in (1, 2, 3)] == [2, 3, 4]
    prepared = [text for text in _prepared_statements() if "::int + 1" in text]
    assert prepared == ["SELECT $1::int + 1"]


@pytest.mark.django_db
def test_ordinary_queries_stay_unprepared():
    _run(STATEMENT, [1])
    for _ in range(10):  # far past psycopg's own threshold of 5, were it on
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM django_content_type WHERE id > %s", [0])
    assert not [text for text in _prepared_statements() if "django_content_type" in text]
    assert connection.connection.prepare_threshold is None


@pytest.mark.django_db
def test_its_statements_are_logged_and_counted_like_any_other():
    with CaptureQueriesContext(connection) as queries:
        _run(STATEMENT, [41])
    assert [query["sql"] for query in queries.captured_queries] == ["SELECT 41::int + 1"]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_the_next_call_working():
    assert _run(STATEMENT, [1]) == 2
    # Django's error class, as from any cursor.
    with pytest.raises(DatabaseError), transaction.atomic():
        _run("SELECT 1 / %s::int", [0])
    assert _run(STATEMENT, [5]) == 6
    assert _run("SELECT 1 / %s::int", [1]) == 1


@pytest.mark.django_db
def test_switched_off_nothing_is_prepared(settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    assert _run("SELECT %s::int * 7", [6]) == 42
    assert not [text for text in _prepared_statements() if "* 7" in text]


@pytest.mark.django_db
def test_unlogged_it_still_raises_djangos_errors_and_refuses_a_broken_transaction():
    # given: no query log and no execute wrapper, so the cursor is used bare
    assert not connection.queries_logged and not connection.execute_wrappers
    with transaction.atomic():
        # when: a statement fails in a block that has no savepoint of its own
        with pytest.raises(DataError), transaction.atomic(savepoint=False):
            _run("SELECT 1 / %s::int", [0])  # Django's DataError, not psycopg's DivisionByZero
        # then: the next one in the aborted transaction is refused, as Django refuses it
        with pytest.raises(TransactionManagementError):
            _run(STATEMENT, [1])
    assert _run(STATEMENT, [2]) == 3


@pytest.mark.django_db
def test_an_execute_wrapper_sees_its_statements():
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        assert _run(STATEMENT, [9]) == 10
    assert seen == [(STATEMENT, [9])]
