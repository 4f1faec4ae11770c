"""Index operations for released tables: built and dropped without blocking writes on
PostgreSQL, the ordinary way on SQLite (the embedded mode and a bare clone's tests), which has
no CONCURRENTLY and no concurrent writers to block.

Use them in a migration with `atomic = False` (PostgreSQL refuses CONCURRENTLY in a
transaction); `make migrations-check` accepts them where it refuses a plain AddIndex or
RemoveIndex on a table the previous release already had (docs/deploy.md, expand/contract).
"""

from typing import Any

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db.migrations.operations import AddIndex, RemoveIndex


class _ConcurrentOnPostgreSQL:
    """The concurrent operation (next in the MRO) on PostgreSQL, `plain` on any other database."""

    plain: Any

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)  # type: ignore[misc]
        else:
            self.plain.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)  # type: ignore[misc]
        else:
            self.plain.database_backwards(self, app_label, schema_editor, from_state, to_state)


class AddIndexOnline(_ConcurrentOnPostgreSQL, AddIndexConcurrently):
    plain = AddIndex


class RemoveIndexOnline(_ConcurrentOnPostgreSQL, RemoveIndexConcurrently):
    plain = RemoveIndex
