"""Every journal and product README of the shared corpus imports without error."""

import pytest

from nexus.importer import sources
from nexus.importer.parsing import parse_document
from nexus.importer.pipeline import run_import
from nexus.knowledge.models import Article
from tests.tiers import VERIFY, whole_in_verify

# The corpus is imported in slices, so that parallel test workers share the work; make test
# imports one of them, make verify all.
SLICES = 4


def corpus_markdown(corpus_dir):
    source = sources.from_path(corpus_dir)
    return source, [file for file in source.files if file.path.startswith("readmes")]


@whole_in_verify
@pytest.mark.parametrize("part", range(SLICES) if VERIFY else [0])
def test_every_corpus_file_imports_without_error(corpus_dir, owner, part):
    source, markdown = corpus_markdown(corpus_dir)
    assert len(markdown) >= 70
    source.files = markdown[part::SLICES]
    report = run_import(owner=owner, source=source)
    failed = [(f["path"], f["reason"]) for f in report["file_reports"] if f["status"] != "imported"]
    assert failed == []
    journals = [f for f in report["file_reports"] if f["journal"]]
    journal_articles = Article.objects.filter(author=owner, tags__name="learning-journal")
    assert journal_articles.count() >= len(journals) > 0


def test_most_readmes_of_the_corpus_are_recognised_as_journals(corpus_dir):
    _, markdown = corpus_markdown(corpus_dir)
    documents = [parse_document(file.data, path=file.path) for file in markdown]
    assert sum(1 for document in documents if document.is_journal) >= 40


def test_product_readmes_yield_no_challenges_or_practices_without_such_a_heading(corpus_dir):
    for path in sorted((corpus_dir / "readmes-product").glob("*.md")):
        document = parse_document(path.read_bytes(), path=path.name)
        kinds = {kind for _title, kind in document.sections}
        if "challenges" not in kinds:
            assert document.challenges == [], path.name
        if "practices" not in kinds:
            assert document.practices == [], path.name
