"""The restore drill: a populated instance backed up, restored into a fresh PostgreSQL database,
and compared table by table (row counts and a hash of every row's content) and file by file.

The rows must be committed for pg_dump (another session) to see them, hence a transactional
test; it creates and drops its own database next to the test database.
"""

import hashlib
import subprocess
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import transaction
from psycopg import sql

from nexus.challenges.services import challenges, votes
from nexus.core import clock
from nexus.core.backup import dump
from nexus.core.backup.dump import BackupError, Database, postgresql_tables
from nexus.core.backup.restore import restore
from nexus.core.backup.run import backup
from nexus.core.backup.storage import FolderDestination
from nexus.importer import sources
from nexus.importer.pipeline import run_import
from nexus.journal.services.journal import entry_create
from nexus.knowledge.services import articles, attachments
from nexus.payments.ledger import ledger_move, system_account, wallet_account
from nexus.payments.models import EntryKind
from tests import figures
from tests.factories import UserFactory
from tests.importer.journals import JOURNAL

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != dump.POSTGRESQL,
        reason="the restore drill needs PostgreSQL (pg_dump and pg_restore); CI always has it",
    ),
]


def _populate(media_root: Path) -> None:
    """A little of everything, written through the services."""
    ada, grace, admin = UserFactory(), UserFactory(), UserFactory(is_superuser=True)
    article = articles.article_create(
        author=ada, title="Cursor pagination", body="Keyset, not OFFSET.", status="published"
    )
    articles.article_update(
        article=article, editor=ada, expected_version=article.version, body="Keyset; never OFFSET."
    )
    challenge = challenges.challenge_create(
        author=ada, title="Why is my list page slow?", body="It counts every row on each page."
    )
    solution = challenges.solution_create(
        challenge=challenge, author=grace, body="Drop the count, use a cursor."
    )
    votes.challenge_vote(challenge=challenge, user=grace, value=1)
    votes.solution_vote(solution=solution, user=ada, value=1)
    entry_create(
        author=ada, date=clock.today(), body="Read about keyset pagination.", minutes_spent=45
    )
    run_import(
        owner=admin,
        source=sources.from_bytes(name="journal.md", data=JOURNAL.encode(), key="drill"),
    )
    attachments.attachment_create(
        owner=ada, upload=SimpleUploadedFile("notes.txt", b"keyset pagination notes", "text/plain")
    )
    with transaction.atomic():
        ledger_move(
            kind=EntryKind.CHARGE,
            source=system_account("world", currency="ETB"),
            destination=wallet_account(ada, currency="ETB"),
            amount=Decimal("250.00"),
            key="drill:charge",
        )
    assert any(path.is_file() for path in media_root.rglob("*"))


def _table_fingerprints(database: Database) -> dict[str, tuple[int, str]]:
    """(rows, md5 of every row's text in a fixed order) per table."""
    fingerprints = {}
    with database.connect() as connection:
        for table in postgresql_tables(connection):
            query = sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                "FROM {} AS t"
            ).format(sql.Identifier(table))
            row = connection.execute(query).fetchone()
            assert row is not None
            fingerprints[table] = (int(row[0]), str(row[1]))
    return fingerprints


def _file_hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def drill_database():
    """A fresh, empty database beside the test database, dropped afterwards."""
    source = Database.from_settings(settings.DATABASES["default"])
    name = f"nexus_backup_drill_{uuid.uuid4().hex[:8]}"
    with source.connect(autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield Database(**{**source.__dict__, "name": name})
    finally:
        with source.connect(autocommit=True) as connection:
            # Not WITH (FORCE): it must be allowed to end every session on the database, and an
            # autovacuum worker analysing the freshly restored tables belongs to no role, so
            # PostgreSQL 15 refuses. Our own sessions are ended here; a plain DROP asks autovacuum
            # to stop and waits (up to 5 s) for the sessions to go.
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND usename = current_user AND pid <> pg_backend_pid()",
                [name],
            )
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


@pytest.fixture
def client_calls(monkeypatch):
    """Every pg_dump / pg_restore argv and environment, the programs still run for real."""
    calls: list[tuple[list[str], dict[str, str]]] = []
    real_run = subprocess.run

    def recording_run(command, **kwargs):
        calls.append((list(command), dict(kwargs.get("env") or {})))
        return real_run(command, **kwargs)

    monkeypatch.setattr(dump.subprocess, "run", recording_run)
    return calls


def test_a_backup_restores_into_a_fresh_database_with_no_difference(
    settings, tmp_path, drill_database, client_calls
):
    settings.MEDIA_ROOT = tmp_path / "media"
    _populate(settings.MEDIA_ROOT)
    key = Fernet.generate_key().decode()
    source = Database.from_settings(settings.DATABASES["default"])
    result = backup(destination=FolderDestination(tmp_path / "backups"), key=key)
    archive = tmp_path / "backups" / result.name

    restored_media = tmp_path / "restored-media"
    restored = restore(archive, database=drill_database, media_root=restored_media, key=key)

    before, after = _table_fingerprints(source), _table_fingerprints(drill_database)
    rows = [
        (
            table,
            before[table][0],
            after.get(table, (None, ""))[0],
            before[table] == after.get(table),
        )
        for table in sorted(before)
    ]
    differences = [row for row in rows if not row[3]] + [
        (table, None, after[table][0], False) for table in sorted(set(after) - set(before))
    ]
    media_before, media_after = _file_hashes(settings.MEDIA_ROOT), _file_hashes(restored_media)
    print(f"{'table':<45} {'rows':>6} {'restored':>8}  hash")
    for table, rows_before, rows_after, same in rows:
        print(f"{table:<45} {rows_before:>6} {rows_after!s:>8}  {'match' if same else 'DIFFERS'}")

    assert restored.differences == []
    assert differences == []
    assert media_after == media_before
    populated = [row for row in rows if row[1]]
    assert len(populated) >= 20
    figures.report(
        f"restore drill: {len(rows)} tables, {sum(row[1] for row in rows)} rows, "
        f"{len(populated)} tables with rows, {len(media_before)} media files, "
        f"{len(differences)} differences (row counts and content hashes), "
        f"archive {result.size:,} bytes encrypted"
    )
    password = source.password
    assert password
    assert [Path(argv[0]).name for argv, _ in client_calls] == ["pg_dump", "pg_restore"]
    for argv, env in client_calls:
        # No connection string, no password option, no bare password among the arguments.
        assert [
            part for part in argv if "://" in part or "password=" in part or part == password
        ] == []
        assert env["PGPASSWORD"] == password

    with pytest.raises(BackupError, match="is not empty"):
        restore(archive, database=drill_database, media_root=None, key=key)
    forced = restore(archive, database=drill_database, media_root=None, key=key, force=True)
    assert forced.differences == []
    assert _table_fingerprints(drill_database) == before


def test_the_restore_command_refuses_a_database_that_is_not_empty(settings, tmp_path):
    settings.NEXUS_BACKUP_DIR = tmp_path / "backups"
    settings.NEXUS_BACKUP_KEY = ""
    settings.MEDIA_ROOT = tmp_path / "media"
    UserFactory()
    call_command("backup")
    (archive,) = (tmp_path / "backups").glob("*.tar.gz")

    with pytest.raises(CommandError, match=r"not empty.*--force"):
        call_command("restore", str(archive))
