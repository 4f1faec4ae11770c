"""Every journal and product README of the shared corpus imports without error."""

from nexus.importer import sources
from nexus.importer.parsing import parse_document
from nexus.importer.pipeline import run_import
from nexus.knowledge.models import Article


def test_every_corpus_file_imports_without_error(corpus_dir, owner):
    source = sources.from_path(corpus_dir)
    markdown = [file for file in source.files if file.path.startswith("readmes")]
    assert len(markdown) >= 70
    source.files = markdown
    report = run_import(owner=owner, source=source)
    failed = [(f["path"], f["reason"]) for f in report["file_reports"] if f["status"] != "imported"]
    assert failed == []
    journals = [
        f for f in report["file_reports"] if f["path"].startswith("readmes/") and f["journal"]
    ]
    assert len(journals) >= 40
    assert Article.objects.filter(author=owner, tags__name="learning-journal").count() >= 40


def test_product_readmes_yield_no_challenges_or_practices_without_such_a_heading(corpus_dir):
    for path in sorted((corpus_dir / "readmes-product").glob("*.md")):
        document = parse_document(path.read_bytes(), path=path.name)
        kinds = {kind for _title, kind in document.sections}
        if "challenges" not in kinds:
            assert document.challenges == [], path.name
        if "practices" not in kinds:
            assert document.practices == [], path.name
