"""An import writes the new items of several files (a chunk) in one set of bulk statements, and
each file gets what it gets when written alone: the same per-file report and ledger rows, a bad
file is the only one that fails, and a concept named by two files of a chunk is one article."""

import logging

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from nexus.importer import pipeline
from nexus.importer.models import ImportedItem
from nexus.importer.pipeline import run_import
from nexus.importer.sources import Source, SourceFile
from nexus.knowledge.models import Article, ArticleKind
from tests import figures
from tests.factories import UserFactory
from tests.importer.journals import numbered_journal

pytestmark = pytest.mark.django_db

WORKLOG = "## Monthly Worklog\n\n### Month 1: Basics\n- Models and migrations\n- **Milestone 1:** First app\n\n"


def _concept(number: int, explanation: str) -> str:
    """A distinct journal whose one concept is "Event sourcing", explained its own way."""
    concept = f"- **Event sourcing**: {explanation}"
    return numbered_journal(number).replace(f"- Cursor {number} pagination", concept)


def _mixed_files() -> list[SourceFile]:
    """Distinct journals, one of them twice under another path (the same items), and two files
    that name one concept with different explanations; the pairs in one chunk (files 4 to 7:
    chunks are of 1, 2, 4, ... files)."""
    texts = [numbered_journal(n) for n in (0, 2, 3, 1)]
    texts.append(numbered_journal(1))
    texts.append(_concept(7, "Events are the source of truth."))
    texts.append(_concept(8, "State is a fold over events."))
    texts.append(numbered_journal(4))
    # A source's files are in path order: the paths keep the order above.
    names = ["j0", "j2", "j3", "j1", "copy", "a", "b", "j4"]
    texts = {
        f"{n}-{name}/README.md": text
        for n, (name, text) in enumerate(zip(names, texts, strict=True))
    }
    return [SourceFile(path=path, data=text.encode()) for path, text in texts.items()]


def _comparable(report: dict) -> list[tuple]:
    """A report without its URLs (a challenge's holds its id, which a rolled-back insert used)."""
    return [
        (
            file["path"],
            file["status"],
            file["reason"],
            sorted(file["counts"].items()),
            [(item["key"], item["action"], item["reason"]) for item in file["items"]],
        )
        for file in report["file_reports"]
    ]


def _ledger(owner) -> list[tuple]:
    return sorted(
        ImportedItem.objects.filter(owner=owner).values_list(
            "path", "item_key", "content_hash", "identity", "target_kind", "target_version"
        )
    )


def _fell_back(caplog) -> bool:
    return any("one at a time" in record.getMessage() for record in caplog.records)


def test_a_chunk_gives_each_file_what_it_gets_when_written_alone(owner, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="nexus.importer.pipeline")
    files = _mixed_files()
    source = Source(key="t:chunk", label="", kind="folder", files=files)
    # One file at a time first, rolled back, so both imports start from the same database.
    monkeypatch.setattr(pipeline, "CHUNK_FILES", 1)
    with transaction.atomic():
        one_by_one = run_import(owner=owner, source=source)
        alone_ledger = _ledger(owner)
        transaction.set_rollback(True)
    monkeypatch.undo()
    together = run_import(owner=owner, source=source)

    assert not _fell_back(caplog)
    assert _comparable(together) == _comparable(one_by_one)
    assert _ledger(owner) == alone_ledger
    assert together["files"]["failed"] == 0
    copy = next(f for f in together["file_reports"] if f["path"] == "4-copy/README.md")
    assert {item["action"] for item in copy["items"]} == {"unchanged"}
    again = run_import(owner=owner, source=source)
    assert again["totals"]["created"] == 0
    assert again["files"]["unchanged"] == len(files)


def test_a_concept_named_in_two_files_of_one_chunk_is_one_article(owner, caplog):
    caplog.set_level(logging.INFO, logger="nexus.importer.pipeline")
    files = _mixed_files()[4:7]  # the copy (a chunk of its own), then the two in one chunk
    source = Source(key="t:concept", label="", kind="folder", files=files)
    report = run_import(owner=owner, source=source)

    assert not _fell_back(caplog)
    first, second = report["file_reports"][1:]
    (made,) = [item for item in first["items"] if item["kind"] == "concept"]
    (linked,) = [item for item in second["items"] if item["kind"] == "concept"]
    assert (made["action"], linked["action"]) == ("created", "linked")
    assert linked["reason"] == "existing concept article"
    assert made["url"] == linked["url"]
    assert Article.objects.filter(kind=ArticleKind.CONCEPT, title="Event sourcing").count() == 1
    rows = ImportedItem.objects.filter(owner=owner, item_key=made["key"])
    assert len({row.target_id for row in rows}) == 1


def _refuse_ledger_rows_of(path: str) -> None:
    """The database itself refuses the ledger rows of one file: a write that fails (a trigger,
    so neither the services nor the importer can tell it apart from a real failure)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_ledger_row() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'ledger row refused by the test'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_ledger_row BEFORE INSERT ON importer_importeditem "
                f"FOR EACH ROW WHEN (NEW.path = '{path}') EXECUTE FUNCTION refuse_ledger_row()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER refuse_ledger_row BEFORE INSERT ON importer_importeditem "
                f"WHEN NEW.path = '{path}' "
                "BEGIN SELECT RAISE(ABORT, 'ledger row refused by the test'); END"
            )


def test_a_file_failing_inside_a_chunk_is_the_only_failure_and_the_others_land(owner, caplog):
    caplog.set_level(logging.INFO, logger="nexus.importer.pipeline")
    texts = [numbered_journal(n) for n in range(6)]
    files = [SourceFile(path=f"f{n}.md", data=text.encode()) for n, text in enumerate(texts)]
    _refuse_ledger_rows_of("f3.md")
    seen: list[tuple[int, str]] = []

    report = run_import(
        owner=owner,
        source=Source(key="t:bad", label="", kind="folder", files=files),
        progress=lambda update: seen.append((update.files_done, update.path)),
    )

    assert _fell_back(caplog)  # the chunk of files 4 to 6 failed, and was written file by file
    statuses = [(file["path"], file["status"]) for file in report["file_reports"]]
    assert statuses == [(f"f{n}.md", "failed" if n == 3 else "imported") for n in range(6)]
    assert "ledger row refused by the test" in report["file_reports"][3]["reason"]
    assert not ImportedItem.objects.filter(owner=owner, path="f3.md").exists()
    assert not Article.objects.filter(author=owner, title="Small commits 3").exists()
    for n in (0, 1, 2, 4, 5):
        assert Article.objects.filter(author=owner, title=f"Small commits {n}").exists()
    # Progress is reported for every file, in order, failed or not.
    assert [done for done, path in seen if done] == [1, 2, 3, 4, 5, 6]


def _statements(owner, count: int, key: str) -> int:
    """Statements of a first import of `count` distinct journals without worklog months (whose
    entries the journal service writes one by one)."""
    files = [
        SourceFile(path=f"{key}/{n:03}.md", data=numbered_journal(n).replace(WORKLOG, "").encode())
        for n in range(count)
    ]
    with CaptureQueriesContext(connection) as queries:
        report = run_import(
            owner=owner, source=Source(key=key, label="", kind="folder", files=files)
        )
    assert report["files"]["imported"] == count
    assert all(file["counts"].get("created") for file in report["file_reports"])
    return len(queries.captured_queries)


def test_statements_per_import_grow_by_chunk_not_by_file():
    assert WORKLOG in numbered_journal(0)
    one = _statements(UserFactory(), 1, "t:one")
    fifteen = _statements(UserFactory(), 15, "t:fifteen")  # chunks of 1, 2, 4 and 8 files
    thirty_one = _statements(UserFactory(), 31, "t:thirty-one")  # and one of 16 more

    # 16 more files are one more chunk: about what one file costs, not 16 times it.
    assert thirty_one - fifteen <= one
    figures.report(
        f"import statements (journals without months): {one} for 1 file, {fifteen} for 15, "
        f"{thirty_one} for 31 (chunks of up to {pipeline.CHUNK_FILES} files)"
    )
