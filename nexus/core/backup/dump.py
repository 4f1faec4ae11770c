"""The database half of a backup: a consistent dump and the row count of every table in it.

PostgreSQL: the counts are taken in a REPEATABLE READ transaction whose snapshot pg_dump then
shares (`--snapshot`), so the manifest describes exactly the rows the dump holds. The password
reaches pg_dump and pg_restore through PGPASSWORD, never argv: argv is visible to every user
of the machine (`ps`) and lands in logs.
SQLite (embedded mode): the online backup API, which copies a consistent image while writers
carry on; the counts are read from the copy.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

POSTGRESQL = "django.db.backends.postgresql"
SQLITE = "django.db.backends.sqlite3"
PG_DUMP_FILE = "database.dump"
SQLITE_FILE = "database.sqlite3"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and is safe to print."""


@dataclass(frozen=True)
class Database:
    """Where a database is, from a Django DATABASES entry (or a parsed DATABASE_URL)."""

    engine: str
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""
    sslmode: str = ""

    @classmethod
    def from_settings(cls, entry: dict[str, Any]) -> Database:
        return cls(
            engine=entry["ENGINE"],
            name=str(entry["NAME"]),
            user=entry.get("USER") or "",
            password=entry.get("PASSWORD") or "",
            host=entry.get("HOST") or "",
            port=str(entry.get("PORT") or ""),
            sslmode=str((entry.get("OPTIONS") or {}).get("sslmode") or ""),
        )

    @property
    def is_postgresql(self) -> bool:
        return self.engine == POSTGRESQL

    def connect(self, **options: Any) -> psycopg.Connection[Any]:
        return psycopg.connect(
            dbname=self.name,
            user=self.user or None,
            password=self.password or None,
            host=self.host or None,
            port=self.port or None,
            sslmode=self.sslmode or None,
            **options,
        )

    def client_environment(self) -> dict[str, str]:
        """The environment pg_dump and pg_restore read the connection from, password included."""
        variables = {
            "PGDATABASE": self.name,
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
            "PGHOST": self.host,
            "PGPORT": self.port,
            "PGSSLMODE": self.sslmode,
        }
        return {**os.environ, **{key: value for key, value in variables.items() if value}}


def dump_database(database: Database, folder: Path) -> tuple[str, dict[str, int], str]:
    """Dump `database` into `folder`; (the dump's file name, row count per table, server
    version)."""
    if database.is_postgresql:
        return _dump_postgresql(database, folder)
    if database.engine == SQLITE:
        return _dump_sqlite(database, folder)
    raise BackupError(f"Cannot back up a {database.engine} database.")


def _dump_postgresql(database: Database, folder: Path) -> tuple[str, dict[str, int], str]:
    with database.connect() as connection:
        connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = connection.execute("SELECT pg_export_snapshot()").fetchone()
        counts = postgresql_row_counts(connection)
        version = connection.info.server_version
        # The snapshot lives as long as this transaction: pg_dump must run inside the block.
        run_client(
            pg_dump_command(
                pg_tool("pg_dump", version),
                folder / PG_DUMP_FILE,
                str(snapshot[0] if snapshot else ""),
            ),
            database,
        )
    return PG_DUMP_FILE, counts, f"PostgreSQL {version // 10000}.{version % 10000}"


def pg_dump_command(program: str, output: Path, snapshot: str) -> list[str]:
    """pg_dump's argv: the connection (password included) comes from the environment."""
    command = [program, "--format=custom", "--no-password", f"--file={output}"]
    if snapshot:
        command.append(f"--snapshot={snapshot}")
    return command


def pg_restore_command(program: str, dump: Path, database_name: str) -> list[str]:
    """pg_restore's argv: objects owned by whoever restores, stop at the first error."""
    return [
        program,
        "--no-owner",
        "--no-acl",
        "--exit-on-error",
        "--no-password",
        f"--dbname={database_name}",
        str(dump),
    ]


def pg_tool(name: str, server_version: int) -> str:
    """The client program of the server's major version when several are installed (a newer
    pg_dump reads an older server, but its dump may not restore into that server)."""
    versioned = Path(f"/usr/lib/postgresql/{server_version // 10000}/bin/{name}")
    if versioned.exists():
        return str(versioned)
    if found := shutil.which(name):
        return found
    raise BackupError(f"{name} is not installed (PostgreSQL client tools are needed).")


def run_client(command: list[str], database: Database) -> None:
    """Run pg_dump or pg_restore with the connection in its environment; its error, if any, is
    raised as a BackupError (pg_* never print the password)."""
    completed = subprocess.run(  # noqa: S603 (argv is ours, no shell)
        command,
        env=database.client_environment(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        program = Path(command[0]).name
        raise BackupError(f"{program} failed: {completed.stderr.strip()[-2000:]}")


def postgresql_tables(connection: psycopg.Connection[Any]) -> list[str]:
    """The tables of the public schema, by name."""
    rows = connection.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    ).fetchall()
    return [row[0] for row in rows]


def postgresql_row_counts(connection: psycopg.Connection[Any]) -> dict[str, int]:
    """Row count per table of the public schema."""
    counts = {}
    for table in postgresql_tables(connection):
        query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        row = connection.execute(query).fetchone()
        counts[table] = int(row[0]) if row else 0
    return counts


def _dump_sqlite(database: Database, folder: Path) -> tuple[str, dict[str, int], str]:
    target = folder / SQLITE_FILE
    with sqlite3.connect(database.name) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return SQLITE_FILE, sqlite_row_counts(target), f"SQLite {sqlite3.sqlite_version}"


def sqlite_row_counts(path: Path) -> dict[str, int]:
    """Row count per table of a SQLite file (its own bookkeeping tables aside)."""
    with sqlite3.connect(path) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "ORDER BY name"
            )
        ]
        return {
            table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            for table in tables
        }
