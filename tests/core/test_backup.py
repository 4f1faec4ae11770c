"""Backups without PostgreSQL: the archive, its checksum and encryption, rotation over two months,
the S3 adapter, the pg_dump argv, and a SQLite backup restored."""

import datetime as dt
import io
import sqlite3
import tarfile
from pathlib import Path

import environ
import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from nexus.core.backup import archive as archives
from nexus.core.backup import rotation
from nexus.core.backup.dump import (
    SQLITE,
    BackupError,
    Database,
    pg_dump_command,
    pg_restore_command,
)
from nexus.core.backup.restore import restore
from nexus.core.backup.run import backup
from nexus.core.backup.storage import FolderDestination, S3Destination
from tests import figures


def _sqlite_database(path: Path, rows: int = 3) -> Database:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)")
        connection.executemany(
            "INSERT INTO note (body) VALUES (?)", [(f"n{i}",) for i in range(rows)]
        )
    return Database(engine=SQLITE, name=str(path))


@pytest.fixture
def instance(tmp_path):
    """A small SQLite instance with one media file, and a folder to back it up into."""
    media = tmp_path / "media" / "attachments"
    media.mkdir(parents=True)
    (media / "cat.txt").write_bytes(b"meow")
    database = _sqlite_database(tmp_path / "source.sqlite3")
    return database, tmp_path / "media", FolderDestination(tmp_path / "backups")


def _archive_path(destination: FolderDestination, name: str) -> Path:
    return destination.folder / name


def test_a_sqlite_backup_restores_into_an_empty_database_with_its_media(instance, tmp_path):
    database, media_root, destination = instance
    result = backup(destination=destination, database=database, media_root=media_root, key="")

    restored_media = tmp_path / "restored-media"
    target = Database(engine=SQLITE, name=str(tmp_path / "restored.sqlite3"))
    restored = restore(
        _archive_path(destination, result.name), database=target, media_root=restored_media
    )

    assert result.row_counts == {"note": 3}
    assert [(t.table, t.in_backup, t.restored) for t in restored.tables] == [("note", 3, 3)]
    assert restored.differences == []
    assert (restored_media / "attachments" / "cat.txt").read_bytes() == b"meow"
    assert sorted(destination.names()) == [result.name, result.name + ".sha256"]


def test_an_encrypted_backup_needs_its_key(instance, tmp_path):
    database, media_root, destination = instance
    key = Fernet.generate_key().decode()
    result = backup(destination=destination, database=database, media_root=media_root, key=key)
    archive = _archive_path(destination, result.name)
    target = Database(engine=SQLITE, name=str(tmp_path / "restored.sqlite3"))

    assert result.name.endswith(".tar.gz.enc")
    assert b"meow" not in archive.read_bytes()
    with pytest.raises(BackupError, match="set NEXUS_BACKUP_KEY"):
        restore(archive, database=target, media_root=None)
    with pytest.raises(BackupError, match="wrong NEXUS_BACKUP_KEY"):
        restore(archive, database=target, media_root=None, key=Fernet.generate_key().decode())
    assert restore(archive, database=target, media_root=None, key=key).differences == []


def test_a_bad_key_is_refused_before_anything_is_dumped(instance):
    database, media_root, destination = instance
    with pytest.raises(BackupError, match="not a Fernet key"):
        backup(destination=destination, database=database, media_root=media_root, key="hunter2")
    assert destination.names() == []


@pytest.mark.parametrize("damage", ["flipped byte", "cut short", "no checksum file"])
def test_a_tampered_or_truncated_archive_is_refused(instance, tmp_path, damage):
    database, media_root, destination = instance
    archive = _archive_path(
        destination,
        backup(destination=destination, database=database, media_root=media_root, key="").name,
    )
    data = bytearray(archive.read_bytes())
    if damage == "flipped byte":
        data[len(data) // 2] ^= 0xFF
        archive.write_bytes(bytes(data))
    elif damage == "cut short":
        archive.write_bytes(bytes(data[: len(data) // 2]))
    else:
        archive.with_name(archive.name + ".sha256").unlink()
    target = tmp_path / "restored.sqlite3"

    with pytest.raises(CommandError, match="checksum"):
        call_command("restore", str(archive), f"--database-url=sqlite:///{target}")
    assert not target.exists()


def test_a_member_that_differs_from_the_manifest_is_refused(instance, tmp_path):
    database, media_root, destination = instance
    result = backup(destination=destination, database=database, media_root=media_root, key="")
    archive = destination.folder / result.name
    forged = tmp_path / "forged.tar.gz"
    with tarfile.open(archive) as original, tarfile.open(forged, "w:gz") as copy:
        for member in original.getmembers():
            content = original.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "media/attachments/cat.txt":
                content = b"woof"
            member.size = len(content)
            copy.addfile(member, io.BytesIO(content))
    archives.write_checksum(forged)
    target = Database(engine=SQLITE, name=str(tmp_path / "restored.sqlite3"))

    with pytest.raises(BackupError, match=r"cat\.txt does not match the manifest"):
        restore(forged, database=target, media_root=None)


def test_an_encrypted_archive_cut_at_a_chunk_boundary_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(archives, "CHUNK_BYTES", 16)
    key = Fernet.generate_key().decode()
    plain, sealed, opened = tmp_path / "plain", tmp_path / "sealed", tmp_path / "opened"
    plain.write_bytes(b"x" * 100)
    archives.encrypt_file(plain, sealed, key)
    archives.decrypt_file(sealed, opened, key)
    first_token = 4 + int.from_bytes(sealed.read_bytes()[:4])
    sealed.write_bytes(sealed.read_bytes()[:first_token])

    assert opened.read_bytes() == b"x" * 100
    with pytest.raises(BackupError, match="cut short"):
        archives.decrypt_file(sealed, opened, key)


def test_restore_refuses_a_database_that_is_not_empty(instance, tmp_path):
    database, media_root, destination = instance
    result = backup(destination=destination, database=database, media_root=media_root, key="")
    occupied = _sqlite_database(tmp_path / "occupied.sqlite3", rows=1)

    with pytest.raises(BackupError, match="not empty"):
        restore(_archive_path(destination, result.name), database=occupied, media_root=None)
    forced = restore(
        _archive_path(destination, result.name), database=occupied, media_root=None, force=True
    )
    assert forced.differences == []


def test_restore_explains_a_database_url_it_cannot_read(instance):
    with pytest.raises(CommandError, match="--database-url"):
        call_command("restore", "whatever.tar.gz", "--database-url=nosuchscheme://x")


def test_rotation_keeps_seven_daily_and_four_weekly_over_sixty_days(awkward_moment, tmp_path):
    database = _sqlite_database(tmp_path / "source.sqlite3")
    destination = FolderDestination(tmp_path / "backups")
    written = []
    for _ in range(60):
        written.append(backup(destination=destination, database=database, media_root=None, key=""))
        awkward_moment.advance(dt.timedelta(days=1))

    kept = rotation.parse_archives(destination.names())
    daily = [a for a in kept if a.kind == rotation.DAILY]
    weekly = [a for a in kept if a.kind == rotation.WEEKLY]
    written_weekly = [r.name for r in written if r.kind == rotation.WEEKLY]
    written_daily = [r.name for r in written if r.kind == rotation.DAILY]
    weeks = [a.taken_at.isocalendar()[:2] for a in weekly]

    assert (len(daily), len(weekly)) == (7, 4)
    assert [a.name for a in daily] == written_daily[-7:]
    assert [a.name for a in weekly] == written_weekly[-4:]
    assert len(set(weeks)) == 4
    assert written[-1].name in destination.names()
    assert len(destination.names()) == 2 * 11  # each with its .sha256
    figures.report(
        f"backup rotation from {awkward_moment.today}: 60 daily runs, {len(written_weekly)} weekly, "
        f"kept {len(daily)} daily + {len(weekly)} weekly"
    )


def test_rotation_never_deletes_the_archive_just_written():
    archives_ = rotation.parse_archives(
        [
            "nexus-20270101T023000Z-weekly.tar.gz",
            "nexus-20270102T023000Z-daily.tar.gz",
            "nexus-20260101T023000Z-daily.tar.gz.enc",
            "notes.txt",
        ]
    )
    deleted = rotation.to_delete(
        archives_,
        keep_daily=0,
        keep_weekly=0,
        just_written="nexus-20260101T023000Z-daily.tar.gz.enc",
    )
    assert deleted == [
        "nexus-20270101T023000Z-weekly.tar.gz",
        "nexus-20270102T023000Z-daily.tar.gz",
    ]


def test_the_first_backup_of_an_iso_week_is_the_weekly_one():
    monday = dt.datetime(2027, 3, 1, 2, 30, tzinfo=dt.UTC)
    sunday = monday + dt.timedelta(days=6)
    weekly = rotation.parse_archives([rotation.archive_name(monday, "weekly", encrypted=False)])

    assert rotation.kind_for(monday, []) == rotation.WEEKLY
    assert rotation.kind_for(sunday, weekly) == rotation.DAILY
    assert rotation.kind_for(sunday + dt.timedelta(days=1), weekly) == rotation.WEEKLY


def test_pg_dump_gets_the_password_from_its_environment_never_argv(tmp_path):
    database = Database(
        engine="django.db.backends.postgresql",
        name="nexus",
        user="nexus",
        password="s3cret-Pa55",
        host="127.0.0.1",
        port="5432",
    )
    command = pg_dump_command("pg_dump", tmp_path / "database.dump", "00000003-1")

    restore_command = pg_restore_command("pg_restore", tmp_path / "database.dump", "nexus")

    assert not any("s3cret" in part for part in command + restore_command)
    assert database.client_environment()["PGPASSWORD"] == "s3cret-Pa55"
    assert "--format=custom" in command
    assert "--snapshot=00000003-1" in command


def test_the_s3_destination_lists_stores_fetches_and_deletes_under_its_prefix(tmp_path):
    import boto3

    client = boto3.client(
        "s3", region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    destination = S3Destination(client, "nexus-backups", "nightly/")
    archive = tmp_path / "nexus-20270301T023000Z-weekly.tar.gz"
    archive.write_bytes(b"archive")
    key = "nightly/" + archive.name
    with Stubber(client) as stub:
        stub.add_response(
            "list_objects_v2",
            {"Contents": [{"Key": key}, {"Key": "nightly/deeper/x"}], "IsTruncated": False},
            {"Bucket": "nexus-backups", "Prefix": "nightly/"},
        )
        stub.add_response("put_object", {}, {"Bucket": "nexus-backups", "Key": key, "Body": ANY})
        stub.add_response(
            "get_object",
            {"Body": StreamingBody(io.BytesIO(b"archive"), 7)},
            {"Bucket": "nexus-backups", "Key": key},
        )
        stub.add_client_error("get_object", "NoSuchKey", http_status_code=404)
        stub.add_response("delete_object", {}, {"Bucket": "nexus-backups", "Key": key})

        assert destination.names() == [archive.name]
        destination.put(archive)
        destination.fetch(archive.name, tmp_path / "fetched")
        with pytest.raises(BackupError, match=r"No gone\.tar\.gz"):
            destination.fetch("gone.tar.gz", tmp_path / "gone")
        destination.delete(archive.name)
        stub.assert_no_pending_responses()
    assert (tmp_path / "fetched").read_bytes() == b"archive"


def test_the_restore_command_prints_each_table_with_its_counts(instance, tmp_path, settings):
    database, media_root, destination = instance
    result = backup(destination=destination, database=database, media_root=media_root, key="")
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    target = tmp_path / "restored.sqlite3"
    output = io.StringIO()

    call_command(
        "restore",
        str(destination.folder / result.name),
        f"--database-url=sqlite:///{target}",
        stdout=output,
    )

    lines = output.getvalue().splitlines()
    assert lines[1].split() == ["table", "backup", "restored", "match"]
    assert lines[2].split() == ["note", "3", "3", "yes"]
    assert lines[-1] == "1 tables, 0 differences, 1 media files."
    assert (tmp_path / "restored-media" / "attachments" / "cat.txt").read_bytes() == b"meow"


def test_the_connection_comes_from_the_database_url_ssl_mode_included():
    entry = environ.Env.db_url_config("postgres://nexus:pw@db.internal:6432/nexus?sslmode=require")
    environment = Database.from_settings(entry).client_environment()

    assert {key: environment[key] for key in ("PGHOST", "PGPORT", "PGDATABASE", "PGSSLMODE")} == {
        "PGHOST": "db.internal",
        "PGPORT": "6432",
        "PGDATABASE": "nexus",
        "PGSSLMODE": "require",
    }


def test_an_archive_is_restored_only_into_the_same_kind_of_database(instance):
    database, media_root, destination = instance
    result = backup(destination=destination, database=database, media_root=media_root, key="")
    postgresql = Database(engine="django.db.backends.postgresql", name="nowhere")

    with pytest.raises(BackupError, match="holds a sqlite3 database; the target is postgresql"):
        restore(destination.folder / result.name, database=postgresql, media_root=None)
