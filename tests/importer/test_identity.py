"""Identity is the content's own: the same journals imported by another route (single files, a
folder, a zip) find what the first import wrote and create nothing again."""

import io
import zipfile

from nexus.challenges.models import Challenge
from nexus.importer import sources
from nexus.importer.pipeline import run_import
from nexus.journal.models import Entry
from nexus.knowledge.models import Article
from tests.importer.journals import JOURNAL, changed_journal

SECOND = JOURNAL.replace("Ada's backend journal", "Grace's backend journal").replace(
    "Slow list page", "Flaky deploys"
)


def _written(owner) -> tuple[int, int, int]:
    return (
        Article.objects.filter(author=owner).count(),
        Challenge.objects.filter(author=owner).count(),
        Entry.objects.filter(author=owner).count(),
    )


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(f"journals/{name}", text)
    return buffer.getvalue()


def test_the_same_journals_by_files_then_folder_then_zip_create_nothing_new(owner, tmp_path):
    files = {"ada.md": JOURNAL, "grace.md": SECOND}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        report = run_import(owner=owner, source=sources.from_path(tmp_path / name))
        assert report["totals"]["created"] > 0
    first = _written(owner)

    for source in (
        sources.from_path(tmp_path),
        sources.from_bytes(name="journals.zip", data=_zip(files), key="upload:journals.zip"),
    ):
        report = run_import(owner=owner, source=source)
        assert report["files"]["imported"] == 2
        assert report["totals"]["created"] == report["totals"]["updated"] == 0
        assert _written(owner) == first


def test_a_changed_item_by_another_route_is_new_and_the_rest_is_found(owner, tmp_path):
    (tmp_path / "ada.md").write_text(JOURNAL, encoding="utf-8")
    run_import(owner=owner, source=sources.from_path(tmp_path / "ada.md"))
    articles, challenges, entries = _written(owner)
    changed = sources.from_bytes(
        name="ada.zip", data=_zip({"ada.md": changed_journal()}), key="upload:ada.zip"
    )
    report = run_import(owner=owner, source=changed)
    # The practice whose explanation changed, the added practice and the source article differ.
    assert report["totals"]["created"] == 3
    assert _written(owner) == (articles + 3, challenges, entries)


def test_the_whole_corpus_by_files_then_folders_then_a_zip_creates_nothing_new(corpus_dir, owner):
    folders = [corpus_dir / "readmes", corpus_dir / "readmes-product"]
    paths = sorted(path for folder in folders for path in folder.glob("*.md"))
    assert len(paths) >= 70
    for path in paths:
        report = run_import(owner=owner, source=sources.from_path(path))
        assert report["files"]["failed"] == 0, path.name
    first = _written(owner)
    assert min(first) > 0

    archive = _zip(
        {path.name: path.read_text(encoding="utf-8", errors="replace") for path in paths}
    )
    for source in [
        *(sources.from_path(folder) for folder in folders),
        sources.from_bytes(name="journals.zip", data=archive, key="upload:journals.zip"),
    ]:
        report = run_import(owner=owner, source=source)
        created = [
            (file["path"], item["kind"], item["title"])
            for file in report["file_reports"]
            for item in file["items"]
            if item["action"] in ("created", "updated")
        ]
        assert created == [], source.label
        assert _written(owner) == first


def test_items_whose_titles_make_the_same_key_are_each_found_again(owner, tmp_path):
    alike = JOURNAL.replace(
        "## Best Practices & Takeaways\n",
        "## Best Practices & Takeaways\n- Cache reads\n- Cache, reads\n",
    )
    (tmp_path / "ada.md").write_text(alike, encoding="utf-8")
    first = run_import(owner=owner, source=sources.from_path(tmp_path / "ada.md"))
    keys = [item["key"] for file in first["file_reports"] for item in file["items"]]
    assert {"practice:cache-reads", "practice:cache-reads-2"} <= set(keys)
    written = _written(owner)

    again = run_import(owner=owner, source=sources.from_path(tmp_path))

    assert (again["totals"]["created"], again["totals"]["updated"]) == (0, 0)
    assert _written(owner) == written
