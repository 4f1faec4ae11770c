"""The expand/contract check (make migrations-check): the repository passes; each contract or
locking pattern, written as a migration new since the previous release, is refused with its fix;
the expand patterns and the reviewed escape hatch are accepted."""

import re
import shutil
import sys
from pathlib import Path

import pytest
from django.contrib.postgres.operations import (
    AddConstraintNotValid,
    AddIndexConcurrently,
    ValidateConstraint,
)
from django.core.management import CommandError, call_command
from django.db import connection, migrations, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState
from django.test import override_settings

from nexus.core.migration_safety import (
    BASELINE,
    MigrationCheckError,
    Report,
    check_migrations,
    read_baseline,
)
from nexus.core.migration_safety.postgresql import type_change
from nexus.knowledge import migrations as knowledge_migrations
from tests import figures

NOOP = migrations.RunPython.noop


@pytest.fixture(scope="module")
def released() -> ProjectState:
    """The state of the previous release: today every migration has shipped."""
    return MigrationLoader(None, ignore_no_migrations=True).project_state()


def judge(
    released: ProjectState, *operations: Operation, atomic: bool = True, **attributes: object
) -> Report:
    migration_class = type(
        "Migration",
        (migrations.Migration,),
        {"operations": list(operations), "atomic": atomic, **attributes},
    )
    return check_migrations(released, [migration_class("0999_under_test", "knowledge")])


def refusals(report: Report) -> str:
    return "\n".join(str(finding) for finding in report.refused)


def foreign_key_to_user() -> models.ForeignKey:
    return models.ForeignKey("accounts.user", null=True, on_delete=models.SET_NULL)


class Reindex(Operation):
    """A project-made operation: the check cannot tell what it locks."""

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        pass

    def describe(self) -> str:
        return "Rebuild every index"


CONTRACT_AND_LOCKS = {
    "drop a column": (
        [migrations.RemoveField("article", "summary")],
        "drops column summary of knowledge_article, which the previous release still reads",
    ),
    "drop a table": (
        [migrations.DeleteModel("bookmark")],
        "drops table knowledge_bookmark, which the previous release still reads",
    ),
    "rename a column": (
        [migrations.RenameField("article", "summary", "abstract")],
        "renames column summary of knowledge_article, which the previous release still reads",
    ),
    "rename a table": (
        [migrations.RenameModel("Bookmark", "SavedArticle")],
        "renames table knowledge_bookmark, which the previous release still reads",
    ),
    "narrow a column": (
        [migrations.AlterField("article", "title", models.CharField(max_length=100))],
        "changes the type of knowledge_article.title (varchar(200) → varchar(100))",
    ),
    "change a column's type": (
        [migrations.AlterField("article", "kind", models.IntegerField(default=0))],
        "changes the type of knowledge_article.kind (varchar(16) → integer)",
    ),
    "make a column NOT NULL": (
        [migrations.AlterField("article", "published_at", models.DateTimeField())],
        "makes knowledge_article.published_at NOT NULL",
    ),
    "add a NOT NULL column with only Django's default": (
        [migrations.AddField("article", "score", models.IntegerField(default=0))],
        "adds NOT NULL column score to knowledge_article without a database default",
    ),
    "add an indexed foreign key": (
        [migrations.AddField("article", "reviewer", foreign_key_to_user())],
        "builds an index for reviewer on knowledge_article while blocking its writes",
    ),
    "add a foreign key constraint": (
        [
            migrations.AddField(
                "article",
                "reviewer",
                models.ForeignKey(
                    "accounts.user", null=True, on_delete=models.SET_NULL, db_index=False
                ),
            )
        ],
        "adds a foreign key constraint on knowledge_article.reviewer, which reads every row",
    ),
    "index a column in place": (
        [
            migrations.AlterField(
                "article", "title", models.CharField(max_length=200, db_index=True)
            )
        ],
        "builds an index for knowledge_article.title while blocking the table's writes",
    ),
    "add an index": (
        [migrations.AddIndex("article", models.Index(fields=["title"], name="article_title"))],
        "builds an index on knowledge_article while blocking its writes",
    ),
    "add a unique_together": (
        [migrations.AlterUniqueTogether("article", {("title", "kind")})],
        "builds an index on knowledge_article while blocking its writes",
    ),
    "an operation the check does not know": (
        [Reindex()],
        "Reindex is not an operation this check knows",
    ),
    "drop an index": (
        [migrations.RemoveIndex("article", "knowledge_a_kind_75d956_idx")],
        "drops an index of knowledge_article under an ACCESS EXCLUSIVE lock",
    ),
    "add a unique constraint": (
        [
            migrations.AddConstraint(
                "article", models.UniqueConstraint(fields=["title"], name="article_unique_title")
            )
        ],
        "adds unique constraint article_unique_title to knowledge_article",
    ),
    "add a check constraint": (
        [
            migrations.AddConstraint(
                "article",
                models.CheckConstraint(condition=models.Q(version__gte=1), name="article_v1"),
            )
        ],
        "validating every row under an ACCESS EXCLUSIVE lock",
    ),
    "a data migration": (
        [migrations.RunPython(NOOP, NOOP)],
        "runs Python the check cannot judge",
    ),
    "SQL the check does not understand": (
        [migrations.RunSQL("UPDATE knowledge_article SET title = upper(title)")],
        "runs SQL the check cannot judge: 'UPDATE knowledge_article SET title = upper(title)'",
    ),
    "drop a column still read, in SQL": (
        [migrations.RunSQL("ALTER TABLE knowledge_article DROP COLUMN summary")],
        "drops a column the previous release still reads",
    ),
    "drop a table still read, in SQL": (
        [migrations.RunSQL("DROP TABLE IF EXISTS knowledge_bookmark;")],
        "drops a table the previous release still reads",
    ),
    "remove a NOT NULL column from the code only": (
        [
            migrations.SeparateDatabaseAndState(
                state_operations=[migrations.RemoveField("article", "summary")]
            )
        ],
        "the new release would insert rows without it",
    ),
}


@pytest.mark.parametrize(
    ("operations", "message"), CONTRACT_AND_LOCKS.values(), ids=CONTRACT_AND_LOCKS
)
def test_each_contract_or_locking_operation_is_refused_with_its_fix(
    released: ProjectState, operations: list[Operation], message: str
) -> None:
    report = judge(released, *operations)

    assert not report.ok
    assert message in refusals(report)
    assert "knowledge.0999_under_test, operation 1" in refusals(report)
    assert all(finding.problem.fix for finding in report.refused)


def test_a_concurrent_index_inside_a_transaction_is_refused(released: ProjectState) -> None:
    index = models.Index(fields=["title"], name="article_title")

    report = judge(released, AddIndexConcurrently("article", index))

    assert "AddIndexConcurrently cannot run inside a transaction" in refusals(report)
    assert "set atomic = False" in refusals(report)


EXPAND = {
    "a nullable column": [migrations.AddField("article", "score", models.IntegerField(null=True))],
    "a NOT NULL column with a database default": [
        migrations.AddField("article", "score", models.IntegerField(db_default=0))
    ],
    "a many-to-many field (a new table)": [
        migrations.AddField("article", "readers", models.ManyToManyField("accounts.user"))
    ],
    "a foreign key: its column, its index concurrently, its constraint NOT VALID": [
        migrations.AddField(
            "article",
            "reviewer",
            models.ForeignKey(
                "accounts.user",
                null=True,
                on_delete=models.SET_NULL,
                db_index=False,
                db_constraint=False,
            ),
        ),
        AddIndexConcurrently("article", models.Index(fields=["reviewer"], name="art_reviewer")),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    "article",
                    "reviewer",
                    models.ForeignKey(
                        "accounts.user", null=True, on_delete=models.SET_NULL, db_index=False
                    ),
                )
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE knowledge_article ADD CONSTRAINT article_reviewer_fk "
                    "FOREIGN KEY (reviewer_id) REFERENCES accounts_user (id) "
                    "DEFERRABLE INITIALLY DEFERRED NOT VALID"
                ),
                migrations.RunSQL(
                    "ALTER TABLE knowledge_article VALIDATE CONSTRAINT article_reviewer_fk"
                ),
            ],
        ),
    ],
    "a wider column": [
        migrations.AlterField("article", "title", models.CharField(max_length=300)),
        migrations.AlterField("article", "summary", models.TextField()),
    ],
    "a new table with its indexes": [
        migrations.CreateModel(
            "Highlight",
            [
                ("id", models.BigAutoField(primary_key=True)),
                ("article", models.ForeignKey("knowledge.article", on_delete=models.CASCADE)),
                ("text", models.TextField()),
            ],
        ),
        migrations.AddIndex("highlight", models.Index(fields=["text"], name="highlight_text")),
    ],
    "a column added and dropped within the release": [
        migrations.AddField("article", "draft_note", models.TextField(null=True)),
        migrations.RemoveField("article", "draft_note"),
    ],
    "a unique index built concurrently, then attached as the constraint": [
        migrations.RunSQL(
            "CREATE UNIQUE INDEX CONCURRENTLY article_unique_title ON knowledge_article (title)"
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(
                    "article",
                    models.UniqueConstraint(fields=["title"], name="article_unique_title"),
                )
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE knowledge_article ADD CONSTRAINT article_unique_title "
                    "UNIQUE USING INDEX article_unique_title"
                )
            ],
        ),
    ],
    "a check constraint added NOT VALID, then validated": [
        AddConstraintNotValid(
            "article", models.CheckConstraint(condition=models.Q(version__gte=1), name="art_v1")
        ),
        ValidateConstraint("article", "art_v1"),
    ],
    "a column made nullable and removed from the code in one operation": [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterField(
                    "article", "summary", models.CharField(max_length=500, null=True)
                )
            ],
            state_operations=[migrations.RemoveField("article", "summary")],
        )
    ],
    "a model renamed in Python only": [
        migrations.AlterModelTable("bookmark", "knowledge_bookmark"),
        migrations.RenameModel("Bookmark", "SavedArticle"),
    ],
    "a column renamed in Python only": [
        migrations.AlterField(
            "article", "summary", models.CharField(max_length=500, db_column="summary")
        ),
        migrations.RenameField("article", "summary", "abstract"),
    ],
}


@pytest.mark.parametrize("operations", EXPAND.values(), ids=EXPAND)
def test_expand_operations_are_accepted(
    released: ProjectState, operations: list[Operation]
) -> None:
    report = judge(released, *operations, atomic=False)

    assert report.ok, refusals(report)


def test_a_column_is_dropped_in_two_releases(released: ProjectState) -> None:
    stop_reading = [
        migrations.AlterField("article", "summary", models.CharField(max_length=500, null=True)),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveField("article", "summary")]
        ),
    ]
    drop = migrations.RunSQL("ALTER TABLE knowledge_article DROP COLUMN summary")

    first = judge(released, *stop_reading)
    assert first.ok, refusals(first)
    assert not judge(released, *stop_reading, drop).ok, "dropped in the release that stops reading"

    after_first = released.clone()
    for operation in stop_reading:
        operation.state_forwards("knowledge", after_first)
    second = judge(after_first, drop)
    assert second.ok, refusals(second)


def test_a_table_is_dropped_in_two_releases(released: ProjectState) -> None:
    stop_reading = migrations.SeparateDatabaseAndState(
        state_operations=[migrations.DeleteModel("bookmark")]
    )
    drop = migrations.RunSQL("DROP TABLE knowledge_bookmark")
    assert judge(released, stop_reading).ok

    after_first = released.clone()
    stop_reading.state_forwards("knowledge", after_first)
    assert judge(after_first, drop).ok


def test_a_reviewed_migration_is_accepted_and_says_why(released: ProjectState) -> None:
    reason = "fills 12 rows of a lookup table; reviewed by the on-call DBA"

    report = judge(released, migrations.RunPython(NOOP, NOOP), reviewed_as_safe=reason)

    assert report.ok
    [(finding, why)] = report.reviewed
    assert why == reason
    assert "runs Python" in finding.problem.what


@pytest.mark.parametrize("reason", ["", "ok", 42])
def test_a_review_without_a_reason_is_refused(released: ProjectState, reason: object) -> None:
    with pytest.raises(MigrationCheckError, match="reviewed_as_safe must say why"):
        judge(released, migrations.RunPython(NOOP, NOOP), reviewed_as_safe=reason)


def test_the_repository_passes_against_its_baseline() -> None:
    released = read_baseline(BASELINE)
    own = {
        node
        for node in MigrationLoader(None, ignore_no_migrations=True).graph.nodes
        if node[0] in {label for label, _ in released}
    }

    call_command("check_migrations")

    assert released <= own, f"released migrations that no longer exist: {sorted(released - own)}"
    figures.report(
        f"migration check: the repository passes, {len(released)} released migrations and "
        f"{len(own - released)} new since that release; "
        f"{len(CONTRACT_AND_LOCKS) + 1} contract/lock patterns refused with their fix, "
        f"{len(EXPAND) + 2} expand patterns accepted"
    )


def test_the_repository_is_judged_as_of_an_older_release(tmp_path: Path) -> None:
    """As if the last accounts and knowledge migrations had not shipped yet: the real files are
    loaded, ordered and judged, and the check names the two that would break that release."""
    not_yet = {
        "accounts.0003_user_signup_pending",
        "accounts.0004_user_auth_generation",
        "accounts.0005_names_for_apis",
        "knowledge.0008_article_in_review",
    }
    lines = BASELINE.read_text().splitlines()
    older = tmp_path / "released.txt"
    older.write_text("\n".join(line for line in lines if line not in not_yet) + "\n")

    with pytest.raises(CommandError) as refused:
        call_command("check_migrations", "--baseline", str(older))

    message = str(refused.value)
    assert message.startswith("3 operation(s) would break the previous release")
    assert (
        "accounts.0003_user_signup_pending, operation 1 AddField (Add field signup_pending to user)"
        in message
    )
    assert "adds NOT NULL column signup_pending to accounts_user" in message
    assert "adds check constraint accounts_user_pending_signup_is_inactive" in message
    assert "accounts.0004_user_auth_generation, operation 1 AddField" in message
    assert "knowledge.0008" not in message


def test_the_release_command_records_every_migration(tmp_path: Path) -> None:
    baseline = tmp_path / "released.txt"

    call_command("check_migrations", "--release", "--baseline", str(baseline))

    recorded = read_baseline(baseline)
    own = {
        node
        for node in MigrationLoader(None, ignore_no_migrations=True).graph.nodes
        if node[0] in {label for label, _ in recorded}
    }
    assert read_baseline(BASELINE) <= recorded == own
    call_command("check_migrations", "--baseline", str(baseline))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("knowledge 0001_initial\n", "line 1: 'knowledge 0001_initial' is not `app_label"),
        ("knowledge.0042_never_written\n", "lists migrations the project does not have"),
    ],
)
def test_a_broken_baseline_is_refused_clearly(tmp_path: Path, content: str, message: str) -> None:
    baseline = tmp_path / "released.txt"
    baseline.write_text(content)

    with pytest.raises(CommandError, match=message):
        call_command("check_migrations", "--baseline", str(baseline))


def test_a_missing_baseline_says_how_to_write_it(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"write it with `manage.py check_migrations --release`"):
        call_command("check_migrations", "--baseline", str(tmp_path / "absent.txt"))


def knowledge_migrations_plus(
    tmp_path: Path, new_migration: str, name: str = "0999_under_test"
) -> dict[str, str]:
    """A copy of knowledge's migrations with one more file, as MIGRATION_MODULES to use."""
    package = f"knowledge_migrations_{tmp_path.name}"
    folder = tmp_path / package
    shutil.copytree(Path(knowledge_migrations.__file__).parent, folder)
    (folder / f"{name}.py").write_text(new_migration)
    sys.path.insert(0, str(tmp_path))
    return {"knowledge": package}


REVIEWED_MIGRATION = """
from django.db import migrations


class Migration(migrations.Migration):
    reviewed_as_safe = "copies 3 rows between two lookup tables; reviewed in the release meeting"
    dependencies = [("knowledge", "0008_article_in_review")]
    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
"""


def test_a_reviewed_migration_file_passes_and_its_reason_is_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    modules = knowledge_migrations_plus(tmp_path, REVIEWED_MIGRATION)
    try:
        with override_settings(MIGRATION_MODULES=modules):
            call_command("check_migrations")
    finally:
        sys.path.remove(str(tmp_path))

    out = capsys.readouterr().out
    assert (
        "accepted by review (copies 3 rows between two lookup tables; reviewed in the release "
        "meeting):\nknowledge.0999_under_test, operation 1 RunPython" in out
    )
    assert re.search(
        r"\d+ migration\(s\) new since the previous release, none refused \(1 accepted", out
    )


def test_a_migration_file_that_drops_a_column_fails_the_check(tmp_path: Path) -> None:
    dropping = REVIEWED_MIGRATION.replace(
        '    reviewed_as_safe = "copies 3 rows between two lookup tables; reviewed in the '
        'release meeting"\n',
        "",
    ).replace(
        "migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)",
        'migrations.RemoveField("article", "summary")',
    )
    modules = knowledge_migrations_plus(tmp_path, dropping)
    try:
        with override_settings(MIGRATION_MODULES=modules), pytest.raises(CommandError) as refused:
            call_command("check_migrations")
    finally:
        sys.path.remove(str(tmp_path))

    assert str(refused.value).startswith(
        "1 operation(s) would break the previous release or lock one of its tables during the "
        "deploy:\nknowledge.0999_under_test, operation 1 RemoveField (Remove field summary from "
        "article):\n    drops column summary of knowledge_article, which the previous release "
        "still reads\n    fix: contract in two releases"
    )


COLUMN_CHANGES = {
    "varchar longer": (models.CharField(max_length=200), models.CharField(max_length=300)),
    "varchar to text": (models.CharField(max_length=200), models.TextField()),
    "varchar shorter": (models.CharField(max_length=200), models.CharField(max_length=100)),
    "text to varchar": (models.TextField(), models.CharField(max_length=100)),
    "more numeric precision": (
        models.DecimalField(max_digits=5, decimal_places=2),
        models.DecimalField(max_digits=7, decimal_places=2),
    ),
    "another numeric scale": (
        models.DecimalField(max_digits=5, decimal_places=2),
        models.DecimalField(max_digits=8, decimal_places=3),
    ),
    "integer to bigint": (models.IntegerField(), models.BigIntegerField()),
    "same type, other choices": (
        models.CharField(max_length=16, choices=[("a", "A")]),
        models.CharField(max_length=16, choices=[("a", "A"), ("b", "B")]),
    ),
}


@pytest.mark.django_db
def test_the_type_rule_matches_what_postgresql_rewrites() -> None:
    """The check calls a type change safe exactly when PostgreSQL keeps the table's file."""
    if connection.vendor != "postgresql":
        pytest.skip("the rewrite is PostgreSQL's; DATABASE_URL names another database")
    rewrites, disagreements = 0, []
    with connection.cursor() as cursor:
        for change, (old, new) in COLUMN_CHANGES.items():
            new_type = new.db_type(connection)
            cursor.execute(f"CREATE TEMPORARY TABLE column_change (c {old.db_type(connection)})")
            cursor.execute("INSERT INTO column_change VALUES ('1')")
            cursor.execute("SELECT pg_relation_filenode('column_change')")
            [before] = cursor.fetchone()
            cursor.execute(
                f"ALTER TABLE column_change ALTER COLUMN c TYPE {new_type} USING c::{new_type}"
            )
            cursor.execute("SELECT pg_relation_filenode('column_change')")
            [after] = cursor.fetchone()
            cursor.execute("DROP TABLE column_change")
            rewrites += after != before
            if bool(type_change(old, new)) != (after != before):
                disagreements.append(f"{change}: PostgreSQL rewrote: {after != before}")

    assert not disagreements
    figures.report(
        f"migration check vs PostgreSQL: {len(COLUMN_CHANGES)} column type changes, {rewrites} "
        f"rewrote the table, {len(disagreements)} disagreements with the check"
    )


SQUASHED_MIGRATION = """
from importlib import import_module

from django.db import migrations

attachment = import_module(f"{__package__}.0007_attachment")
in_review = import_module(f"{__package__}.0008_article_in_review")


class Migration(migrations.Migration):
    replaces = [("knowledge", "0007_attachment"), ("knowledge", "0008_article_in_review")]
    dependencies = attachment.Migration.dependencies
    operations = attachment.Migration.operations + in_review.Migration.operations
"""


def test_a_squash_of_released_migrations_is_released(tmp_path: Path) -> None:
    modules = knowledge_migrations_plus(tmp_path, SQUASHED_MIGRATION, "0007_squashed_0008")
    not_released = tmp_path / "released.txt"
    not_released.write_text(BASELINE.read_text().replace("knowledge.0008_article_in_review\n", ""))
    try:
        with override_settings(MIGRATION_MODULES=modules):
            call_command("check_migrations")
            with pytest.raises(CommandError) as refused:
                call_command("check_migrations", "--baseline", str(not_released))
    finally:
        sys.path.remove(str(tmp_path))

    assert str(refused.value) == (
        "knowledge.0007_squashed_0008 squashes released and unreleased migrations "
        "(0008_article_in_review not released): squash only migrations of a previous release"
    )


def _user_joined_indexed() -> bool:
    with connection.cursor() as cursor:
        return "accounts_user_joined" in connection.introspection.get_constraints(
            cursor, "accounts_user"
        )


@pytest.mark.django_db(transaction=True)
def test_the_online_index_operations_build_and_drop_an_index_on_this_database() -> None:
    """CONCURRENTLY on PostgreSQL, the plain statements on SQLite (which has no CONCURRENTLY):
    the migration that indexes users' sign-up dates runs both ways on either, and so does the
    removal of that index."""
    from django.db.migrations.executor import MigrationExecutor

    from nexus.core.migration_ops import RemoveIndexOnline

    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0005_names_for_apis")])
    assert not _user_joined_indexed()
    executor.loader.build_graph()
    executor.migrate([("accounts", "0006_user_date_joined_index")])
    assert _user_joined_indexed()

    removal = RemoveIndexOnline("user", "accounts_user_joined")
    with_index = MigrationLoader(connection).project_state()
    without = with_index.clone()
    removal.state_forwards("accounts", without)
    with connection.schema_editor(atomic=False) as editor:
        removal.database_forwards("accounts", editor, with_index, without)
    assert not _user_joined_indexed()
    with connection.schema_editor(atomic=False) as editor:
        removal.database_backwards("accounts", editor, without, with_index)
    assert _user_joined_indexed()
