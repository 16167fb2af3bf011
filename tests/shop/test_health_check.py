"""shop.db.read_without_health_check: the flash sale's first read stands in for Django's
per-request `SELECT 1` (CONN_HEALTH_CHECKS), and a dead connection is still replaced."""

import pytest
from django.db import ProgrammingError, close_old_connections, connection, connections

from shop.db import read_without_health_check


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _read() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 6 * 7")
        return cursor.fetchone()[0]


def _as_a_new_request_finds_it():
    """What Django does when a request starts: the persistent connection is kept, and its
    health is to be checked before its first use."""
    close_old_connections()
    assert connection.health_check_enabled and not connection.health_check_done


@pytest.fixture
def checks_counted(monkeypatch):
    checks = []
    wrapper_class = type(connections["default"])
    is_usable = wrapper_class.is_usable

    def counted(self):
        checks.append(self.alias)
        return is_usable(self)

    monkeypatch.setattr(wrapper_class, "is_usable", counted)
    return checks


@pytest.mark.django_db(transaction=True)
def test_on_a_live_connection_the_read_is_the_check(checks_counted):
    pid = _backend_pid()
    _as_a_new_request_finds_it()

    assert read_without_health_check(connection, _read) == 42

    assert checks_counted == []  # no SELECT 1 went first
    assert _backend_pid() == pid  # the same connection, and no check later in the request


@pytest.mark.django_db(transaction=True)
def test_a_connection_killed_while_idle_is_replaced_and_the_read_answers(checks_counted):
    pid = _backend_pid()
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
    killer = connections.create_connection("default")
    try:
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        killer.close()
    _as_a_new_request_finds_it()

    assert read_without_health_check(connection, _read) == 42

    assert _backend_pid() != pid


@pytest.mark.django_db(transaction=True)
def test_a_bad_statement_on_a_live_connection_is_raised_not_retried():
    calls = []

    def bad_read():
        calls.append(1)
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")

    _backend_pid()
    _as_a_new_request_finds_it()
    with pytest.raises(ProgrammingError):
        read_without_health_check(connection, bad_read)
    assert calls == [1]
