"""Database plumbing: migration operations that only make sense on PostgreSQL, and the router
that sends storefront catalogue reads to a read replica when one is configured.

`make run` can fall back to SQLite when PostgreSQL is unreachable; the search indexes then do
not exist and search falls back to plain substring matching (catalog.selectors).
"""

from django.db import migrations


class RunSQLOnPostgres(migrations.RunSQL):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def is_postgres(connection) -> bool:
    return connection.vendor == "postgresql"


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
    "catalog.review",
    "catalog.reviewimage",
}


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
