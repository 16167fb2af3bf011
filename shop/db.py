"""Database plumbing: migration operations (PostgreSQL-only SQL, a table that moves to another
app), and the router that sends storefront catalogue reads to a read replica when one is
configured.

`make run` can fall back to SQLite when PostgreSQL is unreachable; the search indexes then do
not exist and search falls back to plain substring matching (catalog.selectors).
"""

import datetime
import decimal
import functools
import json
import uuid

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, Error, connections, migrations
from django.db.migrations.operations.base import Operation
from django.utils.connection import ConnectionProxy


class RunSQLOnPostgres(migrations.RunSQL):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class AdoptTable(Operation):
    """The database half of moving a model into this app: the table another app created for it
    (`old_table`) is renamed to the model's own, rows, keys and indexes kept; where that table
    was never created (a fresh database, whose history no longer makes it), the table is
    created. Backwards, the table gets its old name back.

    The model's state comes from a CreateModel earlier in the same migration, inside
    SeparateDatabaseAndState(state_operations=[...])."""

    reversible = True
    reduces_to_sql = False

    def __init__(self, model_name: str, old_table: str):
        self.model_name = model_name
        self.old_table = old_table

    def deconstruct(self):
        return (
            self.__class__.__qualname__,
            [],
            {"model_name": self.model_name, "old_table": self.old_table},
        )

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if self.old_table in schema_editor.connection.introspection.table_names():
            schema_editor.alter_db_table(model, self.old_table, model._meta.db_table)
        else:
            schema_editor.create_model(model)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.alter_db_table(model, model._meta.db_table, self.old_table)

    def describe(self):
        return f"Adopt table {self.old_table} for {self.model_name}"


def move_content_types(*, old_app: str, new_app: str, models: list[str]) -> migrations.RunPython:
    """The migration step that gives moved models' content types their new app label, so that
    their permissions (and the groups and users holding them) and admin history follow them.
    Nothing to move on a fresh database."""

    def relabel(apps, from_label: str, to_label: str) -> None:
        content_types = apps.get_model("contenttypes", "ContentType").objects
        for model in models:
            moving = content_types.filter(app_label=from_label, model=model).first()
            if moving is None:
                continue
            # One made under the new label by an earlier migrate's post_migrate holds only the
            # permissions made with it: the old one, and all that refers to it, takes its place.
            content_types.filter(app_label=to_label, model=model).delete()
            moving.app_label = to_label
            moving.save(update_fields=["app_label"])

    return migrations.RunPython(
        lambda apps, schema_editor: relabel(apps, old_app, new_app),
        lambda apps, schema_editor: relabel(apps, new_app, old_app),
    )


def is_postgres(connection) -> bool:
    return connection.vendor == "postgresql"


def insert_values(obj, fields, connection) -> list:
    """The values Model.save() would insert for `obj` in `fields` (pre_save fills auto_now_add
    and the like), ready as query parameters."""
    return [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]


@functools.cache
def insertable_fields(model, *, without: tuple[str, ...] = ()) -> tuple:
    """The columns an INSERT of `model` writes: all but the primary key and `without` (worked
    out once per model: the flash sale asks for them on every order)."""
    return tuple(
        f for f in model._meta.concrete_fields if not f.primary_key and f.column not in without
    )


def _json_value(value):
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    raise TypeError(f"{type(value).__name__} has no JSON form for an INSERT")


# One encoder for every row: json.dumps(default=...) builds a new JSONEncoder on each call.
_encode = json.JSONEncoder(default=_json_value).encode


def rows_as_json(objects: list, fields) -> str:
    """`objects` as one JSON array of {column: value}, the values Model.save() would write,
    for PostgreSQL's json_populate_recordset: one query parameter however many rows and
    columns, so the statement's text stays the same from one call to the next (psycopg parses
    a statement of at most 50 parameters once) and Python does not adapt every value."""
    return _encode([_row(obj, fields) for obj in objects])


def row_as_json(obj, fields) -> str:
    """One row as rows_as_json words it, a JSON object, for json_populate_record."""
    return _encode(_row(obj, fields))


def _row(obj, fields) -> dict:
    return {f.column: f.pre_save(obj, add=True) for f in fields}


def json_insert_sql(
    model, fields, *, connection, source: str = "%s::json", single=False, parent=None
) -> str:
    """`INSERT INTO <table> (<columns>) SELECT ... FROM json_populate_recordset(NULL::<table>,
    <source>)`: the rows rows_as_json wrote, typed by the table's own columns
    (json_populate_record and row_as_json for one row). `parent` = (column, relation) fills
    that column with `relation.id`, e.g. ("order_id", "new_order") for rows of an order
    inserted by an earlier CTE of the same statement. PostgreSQL only."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    function = "json_populate_record" if single else "json_populate_recordset"
    columns = [quote(f.column) for f in fields]
    values = [f"r.{column}" for column in columns]
    relations = f"{function}(NULL::{table}, {source}) AS r"
    if parent is not None:
        column, relation = parent
        columns.insert(0, quote(column))
        values.insert(0, f"{relation}.id")
        relations = f"{relation}, {relations}"
    return f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {relations}"


def insert_returning_ids(model, objects: list, *, connection, ignore_conflicts=False) -> list:
    """INSERT `objects` in one statement and return the new rows' ids: bulk_create, except that
    with `ignore_conflicts` it still says which rows were written (ON CONFLICT DO NOTHING
    RETURNING id returns those, not the ones a unique constraint turned away; bulk_create returns
    no id at all then, and the caller had to read them back). PostgreSQL takes the rows as one
    JSON parameter (rows_as_json), SQLite as VALUES."""
    if not objects:
        return []
    fields = insertable_fields(model)
    quote = connection.ops.quote_name
    if is_postgres(connection):
        insert = json_insert_sql(model, fields, connection=connection)
        params = [rows_as_json(objects, fields)]
    else:
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        columns = ", ".join(quote(f.column) for f in fields)
        insert = (
            f"INSERT INTO {quote(model._meta.db_table)} ({columns})"
            f" VALUES {', '.join([row] * len(objects))}"
        )
        params = [value for obj in objects for value in insert_values(obj, fields, connection)]
    conflicts = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    sql = f"{insert}{conflicts} RETURNING {quote(model._meta.pk.column)}"
    # On PostgreSQL the text is the same for any number of rows: planned once per connection.
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


# Storefront reads that may be a moment behind the primary: the catalogue as shoppers browse it.
# Orders, payments, stock and accounts are always read from the primary (read-your-writes: a
# shopper who just paid must see the order paid).
REPLICA_READ_MODELS = {
    "catalog.category",
    "catalog.brand",
    "catalog.attribute",
    "catalog.attributevalue",
    "catalog.product",
    "catalog.productimage",
    "catalog.sku",
    "catalog.merchant",
    "reviews.review",
    "reviews.reviewimage",
}


# psycopg prepares a statement by count once Connection.prepare_threshold is set; Django leaves it
# None (never), which keeps connection poolers that cannot track prepared statements working.
# prepared_cursor asks for each of its statements explicitly, and the threshold is lifted only
# around that call (psycopg honours prepare=True only with a threshold), so every other query of
# the shop stays unprepared, as before.
_ONLY_WHEN_ASKED = 2**31 - 1


@functools.cache
def _preparing_cursor_class():
    """Built on first use: the PostgreSQL backend's module imports psycopg, which a SQLite run
    does not need."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        """Server-side parameters, and the statement prepared on this connection the first time
        and executed by name after that. Used bare (see prepared_cursor), it does itself what
        Django's cursor wrapper would: refuse to run in a broken transaction, and raise
        Django's error classes (IntegrityError, OperationalError ...) for psycopg's."""

        def __init__(self, django_connection):
            super().__init__(django_connection.connection)
            self.django_connection = django_connection

        def execute(self, query, params=None, *, prepare=None, binary=None):
            django_connection = self.django_connection
            django_connection.validate_no_broken_transaction()
            connection = self.connection
            threshold = connection.prepare_threshold
            connection.prepare_threshold = _ONLY_WHEN_ASKED
            try:
                with django_connection.wrap_database_errors:
                    return super().execute(query, params, prepare=True, binary=binary)
            finally:
                connection.prepare_threshold = threshold
                # Django's query log (DEBUG, CaptureQueriesContext) reads the statement where a
                # client-side cursor keeps it; a prepared one is sent by name, so give it the
                # text with the values merged in, composed only if the log reads it.
                self._query = _AsLogged(connection, query, params)

    return PreparingCursor


class _AsLogged:
    __slots__ = ("_connection", "_sql", "params")

    def __init__(self, connection, sql, params):
        self._connection, self._sql, self.params = connection, sql, params

    @property
    def query(self) -> bytes:
        from psycopg import ClientCursor

        with ClientCursor(self._connection) as cursor:
            return cursor.mogrify(self._sql, self.params).encode()


def prepared_cursor(connection):
    """A cursor whose statements PostgreSQL parses and plans once per connection, for the few
    statements whose text never changes and that run thousands of times a minute (the flash
    sale's order writes; their rows travel as JSON parameters, rows_as_json). Planning was most
    of their database time: the shopper's facts, a five-table join, took 0.41 ms a call as plain
    text and 0.05-0.11 ms prepared (pgbench, one connection).

    Django's error classes either way; wrapped like any Django cursor where the query log or an
    execute wrapper would read it (DEBUG, CaptureQueriesContext, connection.execute_wrapper),
    bare elsewhere. Off (plain cursors) on SQLite and with DATABASE_PREPARED_STATEMENTS=0, for
    a pooler that cannot keep prepared statements (PgBouncer before 1.21, or without
    max_prepared_statements).
    """
    if isinstance(connection, ConnectionProxy):
        # The connection itself, not django.db.connection's proxy, which looks it up again in
        # the thread's storage (about 1.6 us) at each of the attribute reads below.
        connection = connections[DEFAULT_DB_ALIAS]
    if not (is_postgres(connection) and settings.DATABASE_PREPARED_STATEMENTS):
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    cursor = _preparing_cursor_class()(connection)
    if connection.queries_logged or connection.execute_wrappers:
        # Wrapped as connection.cursor() wraps its own, so the query log and the wrappers see it.
        return connection._prepare_cursor(cursor)
    # Otherwise bare: Django's wrapper cost more instructions than psycopg's whole execute.
    return cursor


def read_without_health_check(connection, read):
    """`read()` (statements that change nothing, outside any transaction) on the persistent
    connection without the `SELECT 1` that CONN_HEALTH_CHECKS sends first on every request.

    The read itself is the health check: if the connection turns out dead (PostgreSQL
    restarted, the connection killed while the worker idled), it is closed and `read()` runs
    once more on a new one, which is all the check would have done. An error on a connection
    that is still usable (a bad statement, a timeout) is raised as always. For the flash sale's
    first statement, where the check was one round trip of the thirteen an order makes.
    """
    if (
        connection.connection is None
        or not connection.health_check_enabled
        or connection.health_check_done
        or connection.in_atomic_block
    ):
        return read()
    connection.health_check_done = True
    try:
        return read()
    except Error:
        if connection.is_usable():
            raise
        connection.close()
        return read()


class ReadReplicaRouter:
    """DATABASE_REPLICA_URL set: catalogue reads go to the `replica` alias, everything else and
    every write to `default`. Inside a transaction on the primary the read stays there (it may
    depend on what the transaction wrote), and migrations run on the primary only (the replica
    follows by streaming replication)."""

    replica = "replica"

    def db_for_read(self, model, **hints):
        from django.db import connections

        if self.replica not in connections.settings:
            return None
        if model._meta.label_lower not in REPLICA_READ_MODELS:
            return "default"
        if connections["default"].in_atomic_block:
            return "default"
        return self.replica

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
