"""What is the same for every file of an import (the technology index, the author's review gate,
their cohort, the route's ledger) is read once per import, however many files it has; outside an
import it is read every time."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.importer.pipeline import run_import
from nexus.importer.sinks.base import one_import, per_import
from nexus.importer.sources import Source, SourceFile
from nexus.knowledge.models import Article
from tests import figures
from tests.importer.journals import numbered_journal

pytestmark = pytest.mark.django_db


def _source(count: int, key: str) -> Source:
    files = [
        SourceFile(path=f"{key}/{n:03}/README.md", data=_journal(key, n).encode())
        for n in range(count)
    ]
    return Source(key=key, label=key, kind="folder", files=files)


def _journal(key: str, number: int) -> str:
    """A distinct journal: its own practices, challenge and month, so every sink writes."""
    return numbered_journal(number).replace("Models and migrations", f"Models ({key} {number})")


def _shared_reads(sql: str) -> str | None:
    """Which per-import read a statement is, if it is one."""
    if sql.startswith('SELECT "knowledge_technology".') and "WHERE" not in sql:
        return "technology index"
    if "mentorship_authorarticlereview" in sql:
        return "review gate"
    if sql.startswith('SELECT "journal_cohortmembership".'):
        return "cohort"
    if sql.startswith('SELECT "importer_importeditem".') and '"identity" IN' not in sql:
        return "route ledger"
    return None


def _import_reads(
    owner, count: int, key: str, status: str = "imported"
) -> tuple[dict[str, int], int]:
    with CaptureQueriesContext(connection) as queries:
        report = run_import(owner=owner, source=_source(count, key))
    assert report["files"][status] == count, report["files"]
    if status == "imported":
        # Every file wrote something of its own, so each one reached the sinks.
        assert all(file["counts"].get("created") for file in report["file_reports"])
    reads: dict[str, int] = {}
    for query in queries.captured_queries:
        if (kind := _shared_reads(query["sql"])) is not None:
            reads[kind] = reads.get(kind, 0) + 1
    return reads, len(queries.captured_queries)


def test_the_technology_index_and_review_gate_are_read_once_per_import_not_per_file(owner):
    one_file, one_total = _import_reads(owner, 1, "test:one")
    six_files, six_total = _import_reads(owner, 6, "test:six")

    for reads in (one_file, six_files):
        assert (reads["technology index"], reads["review gate"], reads["route ledger"]) == (1, 1, 1)
    # The sink reads the cohort once per import; the journal service checks it again as it
    # writes each file's entry (one more read per file, its own).
    assert six_files["cohort"] == one_file["cohort"] + 5
    assert Article.objects.filter(author=owner, title__startswith="Test query counts").count() == 6
    again, again_total = _import_reads(owner, 6, "test:six", status="unchanged")
    assert again == {"route ledger": 1}
    figures.report(
        "import reads per import (technology index, review gate, route ledger): 1 each for 1 "
        f"file and for 6; cohort reads {one_file['cohort']} and {six_files['cohort']}; "
        f"re-import of the 6 unchanged: {again_total} statements; statements in all: {one_total} for 1 file, {six_total} for 6"
    )


def test_outside_an_import_every_call_computes_and_inside_one_the_first_answer_is_kept():
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert [per_import("key", compute), per_import("key", compute)] == [1, 2]
    with one_import():
        assert [per_import("key", compute), per_import("key", compute)] == [3, 3]
        assert per_import("other", compute) == 4
    with one_import():
        assert per_import("key", compute) == 5


def test_two_files_of_one_path_still_see_what_the_first_wrote(owner):
    text = _journal("twice", 0).encode()
    files = [SourceFile(path="README.md", data=text), SourceFile(path="README.md", data=text)]
    report = run_import(
        owner=owner, source=Source(key="test:twice", label="", kind="zip", files=files)
    )

    first, second = (file["counts"] for file in report["file_reports"])
    assert first.get("created")
    assert not second.get("created")
    assert set(second) == {"unchanged"}
