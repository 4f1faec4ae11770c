"""What PostgreSQL makes of a column type change and of the SQL statements in a RunSQL."""

import re
from collections.abc import Iterator

from django.db import models
from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLWrapper

# Column type changes PostgreSQL makes in its catalogue without rewriting the table.
_VARCHAR = re.compile(r"varchar\((\d+)\)")
_NUMERIC = re.compile(r"numeric\((\d+), (\d+)\)")

# RunSQL statements the check understands; anything else needs a review.
_IDENT = r'"?[\w.]+"?'
CREATE_INDEX_CONCURRENTLY = re.compile(
    rf"create (unique )?index concurrently (if not exists )?{_IDENT} on .+", re.I | re.S
)
DROP_INDEX_CONCURRENTLY = re.compile(rf"drop index concurrently (if exists )?{_IDENT}", re.I)
UNIQUE_USING_INDEX = re.compile(
    rf"alter table (if exists )?{_IDENT} add constraint {_IDENT} unique using index {_IDENT}",
    re.I,
)
# Added without reading the table, then validated under a lock that lets writes through.
CONSTRAINT_NOT_VALID = re.compile(
    rf"alter table (if exists )?{_IDENT} add constraint {_IDENT} (foreign key|check) .+ not valid",
    re.I | re.S,
)
VALIDATE_CONSTRAINT = re.compile(
    rf"alter table (if exists )?{_IDENT} validate constraint {_IDENT}", re.I
)
DROP_COLUMN = re.compile(
    rf"alter table (?:if exists )?({_IDENT}) drop column (?:if exists )?({_IDENT})", re.I
)
DROP_TABLE = re.compile(rf"drop table (?:if exists )?({_IDENT})", re.I)

# Django's field types, rendered as PostgreSQL would see them. No connection is opened: the
# wrapper only lends its type table, so the check runs the same on SQLite and in CI.
_POSTGRESQL = PostgreSQLWrapper(
    {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "migration-check",
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "OPTIONS": {},
        "TIME_ZONE": None,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
        "TEST": {},
    },
    alias="migration-check",
)


def type_change(old: models.Field, new: models.Field) -> str:
    """'old → new' when the column's type changes in a way that rewrites the table, else ''."""
    if old.is_relation or new.is_relation:
        old_target = old.deconstruct()[3].get("to") if old.is_relation else None
        new_target = new.deconstruct()[3].get("to") if new.is_relation else None
        return "" if old_target == new_target else f"{old_target} → {new_target}"
    old_type, new_type = old.db_type(_POSTGRESQL), new.db_type(_POSTGRESQL)
    if old_type == new_type or _widens(old_type or "", new_type or ""):
        return ""
    return f"{old_type} → {new_type}"


def _widens(old_type: str, new_type: str) -> bool:
    if old_varchar := _VARCHAR.fullmatch(old_type):
        if new_type in {"text", "varchar"}:
            return True
        new_varchar = _VARCHAR.fullmatch(new_type)
        return new_varchar is not None and int(new_varchar[1]) >= int(old_varchar[1])
    if old_numeric := _NUMERIC.fullmatch(old_type):
        if new_type == "numeric":
            return True
        new_numeric = _NUMERIC.fullmatch(new_type)
        return (
            new_numeric is not None
            and new_numeric[2] == old_numeric[2]
            and int(new_numeric[1]) >= int(old_numeric[1])
        )
    return False


def statements(sql: object) -> Iterator[str]:
    """The statements of a RunSQL's sql (a string, or a list of strings or (sql, params))."""
    # A naive split on ';' errs on the safe side: a fragment of a string literal matches none
    # of the understood statements, so it asks for a review.
    parts = [sql] if isinstance(sql, str) else list(sql)  # type: ignore[call-overload]
    for part in parts:
        text = part[0] if isinstance(part, (list, tuple)) else part
        for statement in str(text).split(";"):
            if statement := " ".join(statement.split()):
                yield statement


def unquote(name: str) -> str:
    """A table or column name without its quotes or schema."""
    return name.strip('"').rsplit(".", 1)[-1]
