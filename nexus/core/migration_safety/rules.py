"""What one migration operation does to the previous release and to PostgreSQL's locks.

Each rule sees the operation, the project state just before it and the previous release's state
(what the code still serving requests during the deploy reads and writes). "A table that existed"
means a model of the previous release: every such table is treated as big, because nothing in a
migration says how many rows production holds, and a lock that is harmless on 100 rows is an
outage on 10 million.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.postgres.operations import (
    AddConstraintNotValid,
    AddIndexConcurrently,
    CreateCollation,
    CreateExtension,
    RemoveIndexConcurrently,
    ValidateConstraint,
)
from django.db import models
from django.db.migrations import operations as ops
from django.db.migrations.migration import Migration
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ModelState, ProjectState

from nexus.core.migration_safety import postgresql

# Operations that change no column the previous release uses and take no lock that waits on a
# table scan: new tables, Python-side options, dropping or renaming an index or constraint.
HARMLESS = (
    ops.CreateModel,
    ops.AlterModelOptions,
    ops.AlterModelManagers,
    ops.AlterModelTableComment,
    ops.RenameIndex,
    ops.RemoveConstraint,
    ops.AlterConstraint,
    AddConstraintNotValid,
    ValidateConstraint,
    CreateExtension,
    CreateCollation,
)


@dataclass(frozen=True)
class Problem:
    """Why an operation may not ship in this release, and how to do it instead."""

    what: str
    fix: str


FIX_ADD_INDEX = (
    "use nexus.core.migration_ops.AddIndexOnline (AddIndexConcurrently on PostgreSQL, a plain "
    "index on SQLite) in a migration with atomic = False"
)
FIX_TWO_STEP_REMOVE = (
    "contract in two releases: first remove it from the model and ship "
    "SeparateDatabaseAndState(state_operations=[{op}]) (make a NOT NULL column null=True or "
    "give it db_default first, so the new code can insert without it); in the next release "
    "drop it with RunSQL({sql})"
)
FIX_REVIEW = (
    "move the work out of the migration (a batched command or task), or, once reviewed, set "
    "reviewed_as_safe = '<why>' on the Migration"
)


class Judge:
    """Rules for the operations of the new migrations, against the previous release's state."""

    def __init__(self, released: ProjectState) -> None:
        self.released = released
        self.released_tables = {
            model.options.get("db_table") or _default_table(model)
            for model in released.models.values()
        }

    def problems(
        self, operation: Operation, migration: Migration, state: ProjectState
    ) -> Iterator[Problem]:
        """Every problem of one operation, given the project state just before it."""
        app_label = migration.app_label
        match operation:
            case ops.SeparateDatabaseAndState():
                yield from self._separate(operation, migration, state)
            case AddIndexConcurrently() | RemoveIndexConcurrently():
                if migration.atomic:
                    yield Problem(
                        f"{type(operation).__name__} cannot run inside a transaction",
                        "set atomic = False on the Migration",
                    )
            case _ if isinstance(operation, HARMLESS):
                pass
            case ops.AddField():
                yield from self._add_field(operation, app_label)
            case ops.RemoveField():
                if self._released_field(app_label, operation.model_name, operation.name):
                    yield self._still_read(
                        f"drops column {operation.name} of {self._table(app_label, operation)}",
                        "RemoveField",
                        f"'ALTER TABLE {self._table(app_label, operation)} DROP COLUMN ...'",
                    )
            case ops.RenameField():
                yield from self._rename_field(operation, app_label, state)
            case ops.AlterField():
                yield from self._alter_field(operation, app_label, state)
            case ops.DeleteModel():
                if self._released_model(app_label, operation.name):
                    yield self._still_read(
                        f"drops table {self._table(app_label, operation)}",
                        "DeleteModel",
                        f"'DROP TABLE {self._table(app_label, operation)}'",
                    )
            case ops.RenameModel():
                model = self._released_model(app_label, operation.old_name)
                current = state.models.get((app_label, operation.old_name_lower))
                if model and not (current and current.options.get("db_table")):
                    yield Problem(
                        f"renames table {_default_table(model)}, which the previous release "
                        "still reads",
                        "set Meta.db_table to the current table name first, then rename the "
                        "model (no SQL runs)",
                    )
            case ops.AlterModelTable():
                model = self._released_model(app_label, operation.name)
                if model and operation.table != (
                    model.options.get("db_table") or _default_table(model)
                ):
                    yield Problem(
                        f"renames table {self._table(app_label, operation)}, which the "
                        "previous release still reads",
                        "keep the table's name; create a new model and copy over releases "
                        "if it must change",
                    )
            case ops.AddIndex():
                if self._released_model(app_label, operation.model_name):
                    yield self._index_built(app_label, operation)
            case ops.AlterUniqueTogether() | ops.AlterIndexTogether():
                model = self._released_model(app_label, operation.name)
                before = model.options.get(operation.option_name, set()) if model else set()
                if model and set(operation.option_value or ()) - set(before):
                    yield self._index_built(app_label, operation)
            case ops.RemoveIndex():
                if self._released_model(app_label, operation.model_name):
                    yield Problem(
                        f"drops an index of {self._table(app_label, operation)} under an "
                        "ACCESS EXCLUSIVE lock",
                        "use nexus.core.migration_ops.RemoveIndexOnline in a "
                        "migration with atomic = False",
                    )
            case ops.AddConstraint():
                yield from self._add_constraint(operation, app_label)
            case ops.AlterOrderWithRespectTo():
                if self._released_model(app_label, operation.name):
                    yield Problem(
                        f"adds a NOT NULL _order column to {self._table(app_label, operation)}",
                        "keep an explicit, nullable ordering field instead",
                    )
            case ops.RunSQL():
                yield from self._run_sql(operation, migration)
            case ops.RunPython():
                yield Problem(
                    "runs Python the check cannot judge: a data migration holds its locks for "
                    "the whole transaction while the previous release serves requests",
                    FIX_REVIEW,
                )
            case _:
                yield Problem(
                    f"{type(operation).__name__} is not an operation this check knows",
                    FIX_REVIEW,
                )

    def _separate(
        self, operation: ops.SeparateDatabaseAndState, migration: Migration, state: ProjectState
    ) -> Iterator[Problem]:
        # The database side runs against a state of its own; the state side only changes what
        # the new code reads, which is the expand half of a two-step removal.
        database_state = state.clone()
        for database_operation in operation.database_operations:
            yield from self.problems(database_operation, migration, database_state)
            database_operation.state_forwards(migration.app_label, database_state)
        for state_operation in operation.state_operations:
            if not isinstance(state_operation, ops.RemoveField):
                continue
            # As the database has it once the database side ran (absent if it dropped it).
            field = _field(
                database_state,
                migration.app_label,
                state_operation.model_name,
                state_operation.name,
            )
            if field is not None and not field.many_to_many and _insert_needs_value(field):
                yield Problem(
                    f"removes {state_operation.model_name}.{state_operation.name} from the "
                    "code while its column stays NOT NULL without a database default: the "
                    "new release would insert rows without it",
                    "first AlterField it to null=True (or give it db_default), in the same "
                    "migration before this operation or in an earlier release",
                )

    def _add_field(self, operation: ops.AddField, app_label: str) -> Iterator[Problem]:
        if not self._released_model(app_label, operation.model_name):
            return
        field = operation.field
        if field.many_to_many:
            return
        table = self._table(app_label, operation)
        if _insert_needs_value(field):
            yield Problem(
                f"adds NOT NULL column {operation.name} to {table} without a database "
                "default: the previous release inserts rows without it",
                "make it null=True (and NOT NULL in a later release), or give it db_default= "
                "(a database default; default= is only Django's)",
            )
        if field.unique or _indexed(field):
            yield Problem(
                f"builds an index for {operation.name} on {table} while blocking its writes",
                "add the field with db_index=False (unique=False), then " + FIX_ADD_INDEX,
            )
        if _constrained(field):
            yield _foreign_key_validated(f"{table}.{operation.name}")

    def _rename_field(
        self, operation: ops.RenameField, app_label: str, state: ProjectState
    ) -> Iterator[Problem]:
        if not self._released_field(app_label, operation.model_name, operation.old_name):
            return
        field = _field(state, app_label, operation.model_name, operation.old_name)
        if field is not None and field.db_column:
            return  # the column keeps its name: only the Python attribute changes
        yield Problem(
            f"renames column {operation.old_name} of {self._table(app_label, operation)}, "
            "which the previous release still reads",
            f"set db_column='{operation.old_name}' on the field and rename only in Python, or "
            "add the new field, write both, backfill, and drop the old one in a later release",
        )

    def _alter_field(
        self, operation: ops.AlterField, app_label: str, state: ProjectState
    ) -> Iterator[Problem]:
        if not self._released_model(app_label, operation.model_name):
            return
        old = _field(state, app_label, operation.model_name, operation.name)
        if old is None:
            return
        new = operation.field
        table = self._table(app_label, operation)
        column = f"{table}.{operation.name}"
        change = postgresql.type_change(old, new)
        if change:
            yield Problem(
                f"changes the type of {column} ({change}): PostgreSQL rewrites the table under "
                "an ACCESS EXCLUSIVE lock, and the previous release reads the old type",
                "add a column of the new type, write both, backfill in batches, read the new "
                "one, and drop the old one in a later release",
            )
        if old.null and not new.null:
            yield Problem(
                f"makes {column} NOT NULL: the previous release may still write NULL, and SET "
                "NOT NULL scans the table under an ACCESS EXCLUSIVE lock",
                "backfill, add CheckConstraint(condition=Q(<field>__isnull=False)) with "
                "AddConstraintNotValid and ValidateConstraint, then switch to NOT NULL in a "
                "later release (PostgreSQL skips the scan) with reviewed_as_safe",
            )
        if _constrained(new) and not _constrained(old):
            yield _foreign_key_validated(column)
        if (new.unique and not old.unique) or (_indexed(new) and not _indexed(old)):
            yield Problem(
                f"builds an index for {column} while blocking the table's writes",
                "keep the field as it is and add the index with " + FIX_ADD_INDEX,
            )

    def _add_constraint(self, operation: ops.AddConstraint, app_label: str) -> Iterator[Problem]:
        if not self._released_model(app_label, operation.model_name):
            return
        table = self._table(app_label, operation)
        constraint = operation.constraint
        if isinstance(constraint, models.UniqueConstraint):
            yield Problem(
                f"adds unique constraint {constraint.name} to {table}, building its index "
                "while blocking writes",
                "RunSQL('CREATE UNIQUE INDEX CONCURRENTLY <name> ON ...') in a migration with "
                "atomic = False, then SeparateDatabaseAndState(state_operations=[AddConstraint"
                "(...)], database_operations=[RunSQL('ALTER TABLE ... ADD CONSTRAINT <name> "
                "UNIQUE USING INDEX <name>')])",
            )
        elif isinstance(constraint, models.CheckConstraint):
            yield Problem(
                f"adds check constraint {constraint.name} to {table}, validating every row "
                "under an ACCESS EXCLUSIVE lock",
                "use django.contrib.postgres.operations.AddConstraintNotValid, then "
                "ValidateConstraint",
            )
        else:
            yield Problem(
                f"adds constraint {constraint.name} to {table} under a lock",
                FIX_REVIEW,
            )

    def _run_sql(self, operation: ops.RunSQL, migration: Migration) -> Iterator[Problem]:
        for statement in postgresql.statements(operation.sql):
            if postgresql.CREATE_INDEX_CONCURRENTLY.fullmatch(statement) or (
                postgresql.DROP_INDEX_CONCURRENTLY.fullmatch(statement)
            ):
                if migration.atomic:
                    yield Problem(
                        f"{statement!r} cannot run inside a transaction",
                        "set atomic = False on the Migration",
                    )
            elif postgresql.UNIQUE_USING_INDEX.fullmatch(statement) or (
                postgresql.CONSTRAINT_NOT_VALID.fullmatch(statement)
                or postgresql.VALIDATE_CONSTRAINT.fullmatch(statement)
            ):
                pass
            elif match := postgresql.DROP_COLUMN.fullmatch(statement):
                table, column = (postgresql.unquote(name) for name in match.groups())
                if self._released_column(table, column):
                    yield Problem(
                        f"{statement!r} drops a column the previous release still reads",
                        FIX_TWO_STEP_REMOVE.format(op="RemoveField(...)", sql="'DROP COLUMN'"),
                    )
            elif match := postgresql.DROP_TABLE.fullmatch(statement):
                if postgresql.unquote(match.group(1)) in self.released_tables:
                    yield Problem(
                        f"{statement!r} drops a table the previous release still reads",
                        FIX_TWO_STEP_REMOVE.format(op="DeleteModel(...)", sql="'DROP TABLE'"),
                    )
            else:
                yield Problem(f"runs SQL the check cannot judge: {statement!r}", FIX_REVIEW)

    def _index_built(self, app_label: str, operation: Operation) -> Problem:
        return Problem(
            f"builds an index on {self._table(app_label, operation)} while blocking its writes "
            "(CREATE INDEX takes a SHARE lock)",
            FIX_ADD_INDEX,
        )

    def _still_read(self, what: str, operation_name: str, sql: str) -> Problem:
        return Problem(
            f"{what}, which the previous release still reads",
            FIX_TWO_STEP_REMOVE.format(op=f"{operation_name}(...)", sql=sql),
        )

    def _released_model(self, app_label: str, model_name: str) -> ModelState | None:
        return self.released.models.get((app_label, model_name.lower()))

    def _released_field(self, app_label: str, model_name: str, field_name: str) -> bool:
        model = self._released_model(app_label, model_name)
        return model is not None and field_name in model.fields

    def _released_column(self, table: str, column: str) -> bool:
        for model in self.released.models.values():
            if (model.options.get("db_table") or _default_table(model)) != table:
                continue
            if any(_column(name, field) == column for name, field in model.fields.items()):
                return True
        return False

    def _table(self, app_label: str, operation: Operation) -> str:
        name = str(getattr(operation, "model_name", None) or getattr(operation, "name", ""))
        model = self._released_model(app_label, name)
        if model is None:
            return f"{app_label}_{name.lower()}"
        return model.options.get("db_table") or _default_table(model)


def _default_table(model: ModelState) -> str:
    return f"{model.app_label}_{model.name_lower}"


def _field(
    state: ProjectState, app_label: str, model_name: str, field_name: str
) -> models.Field | None:
    model = state.models.get((app_label, model_name.lower()))
    return model.fields.get(field_name) if model else None


def _column(name: str, field: models.Field) -> str:
    if field.db_column:
        return field.db_column
    return f"{name}_id" if field.many_to_one or field.one_to_one else name


def _foreign_key_validated(column: str) -> Problem:
    return Problem(
        f"adds a foreign key constraint on {column}, which reads every row while blocking "
        "writes to both tables (SHARE ROW EXCLUSIVE)",
        "add the field with db_constraint=False, then SeparateDatabaseAndState("
        "state_operations=[AlterField(... db_constraint=True)], database_operations=["
        "RunSQL('ALTER TABLE ... ADD CONSTRAINT <name> FOREIGN KEY (...) REFERENCES ... "
        "NOT VALID'), RunSQL('ALTER TABLE ... VALIDATE CONSTRAINT <name>')])",
    )


def _constrained(field: models.Field) -> bool:
    return bool((field.many_to_one or field.one_to_one) and getattr(field, "db_constraint", False))


def _indexed(field: models.Field) -> bool:
    return bool(getattr(field, "db_index", False))


def _insert_needs_value(field: models.Field) -> bool:
    return not field.null and field.db_default is models.NOT_PROVIDED
