"""Migration operations that only make sense on PostgreSQL.

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
