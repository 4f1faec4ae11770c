"""Importing: what is written, idempotent re-imports, updates as revisions, user edits kept."""

import pytest

from nexus.core.markdown import render_markdown
from nexus.importer import pipeline, sources
from nexus.importer.items import FileContext, provenance
from nexus.importer.models import ImportedItem
from nexus.importer.pipeline import run_import
from nexus.importer.sinks import knowledge as knowledge_sink
from nexus.knowledge import services as knowledge
from nexus.knowledge.models import Article, ArticleRevision
from tests.importer.journals import JOURNAL, changed_journal


def _import(owner, text, *, name="journal.md", dry_run=False):
    source = sources.from_bytes(name=name, data=text.encode(), key="test:journal")
    return run_import(owner=owner, source=source, dry_run=dry_run)


def _article(owner, kind, title):
    return Article.objects.get(author=owner, kind=kind, title=title)


def test_a_journal_becomes_source_overview_concept_and_practice_articles(owner):
    report = _import(owner, JOURNAL)
    assert report["files"]["imported"] == 1
    source = _article(owner, "guide", "Ada's backend journal")
    assert source.body.startswith("> Imported from an uploaded file, `journal.md`.")
    assert {"python", "django", "postgresql", "redis"} <= {
        t.slug for t in source.technologies.all()
    }
    assert {tag.name for tag in source.tags.all()} >= {"imported", "learning-journal"}
    assert _article(owner, "guide", "Ada's backend journal: overview").status == "published"
    stub = _article(owner, "concept", "Cursor pagination")
    assert "stub" in {tag.name for tag in stub.tags.all()}
    practice = _article(owner, "best_practice", "Test query counts")
    assert "Pin the number of queries." in practice.body
    totals = report["totals"]
    assert totals["created"] == 7  # 5 articles, the challenge and the month's worklog entry
    assert totals["matched"] == 4
    assert totals["pending"] == 0


def test_challenges_and_months_are_written_by_their_sinks_not_left_pending(owner):
    report = _import(owner, JOURNAL)
    items = {i["kind"]: i for i in report["file_reports"][0]["items"]}
    assert items["challenge"]["action"] == "created"
    assert items["challenge"]["url"].startswith("/challenges/")
    assert items["month"]["action"] == "created"
    assert "Milestone 1: First app" in items["month"]["reason"]


def test_reimporting_the_same_source_changes_nothing(owner):
    _import(owner, JOURNAL)
    articles = Article.objects.count()
    revisions = ArticleRevision.objects.count()
    stamps = list(ImportedItem.objects.order_by("pk").values_list("updated_at", flat=True))
    report = _import(owner, JOURNAL)
    assert report["files"]["unchanged"] == 1
    assert report["totals"]["created"] == report["totals"]["updated"] == 0
    assert Article.objects.count() == articles
    assert ArticleRevision.objects.count() == revisions
    assert list(ImportedItem.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps


def test_a_changed_source_updates_changed_items_as_new_revisions_only(owner):
    _import(owner, JOURNAL)
    small_commits = _article(owner, "best_practice", "Small commits")
    report = _import(owner, changed_journal())
    practice = _article(owner, "best_practice", "Test query counts")
    assert practice.version == 2
    assert "Pin queries at two page sizes." in practice.body
    assert practice.revisions.first().message.startswith("Re-imported")
    assert _article(owner, "best_practice", "Small commits").version == small_commits.version
    assert _article(owner, "best_practice", "Read the traceback").version == 1
    assert report["totals"]["created"] == 1
    assert report["totals"]["updated"] == 2  # the practice and the source article


def test_an_article_edited_in_nexus_is_not_overwritten(owner, mentor):
    _import(owner, JOURNAL)
    practice = _article(owner, "best_practice", "Test query counts")
    knowledge.article_update(
        article=practice, editor=mentor, expected_version=practice.version, body="Mentor's words."
    )
    report = _import(owner, changed_journal())
    practice.refresh_from_db()
    assert practice.body == "Mentor's words."
    skipped = [i for i in report["file_reports"][0]["items"] if i["action"] == "skipped"]
    assert [i["title"] for i in skipped] == ["Test query counts"]
    assert "edited in Nexus" in skipped[0]["reason"]


def test_a_dry_run_reports_but_writes_nothing(owner):
    report = _import(owner, JOURNAL, dry_run=True)
    assert report["dry_run"] is True
    assert report["totals"]["created"] == 7
    assert Article.objects.count() == 0
    assert ImportedItem.objects.count() == 0


def test_existing_concepts_are_linked_not_duplicated(owner, other_user):
    existing = knowledge.article_create(
        author=other_user, title="Cursor pagination", body="Real text.", status="published"
    )
    report = _import(owner, JOURNAL)
    linked = [i for i in report["file_reports"][0]["items"] if i["action"] == "linked"]
    assert [i["url"] for i in linked] == [existing.get_absolute_url()]
    assert Article.objects.filter(title="Cursor pagination").count() == 1


def test_an_item_the_service_refuses_is_reported_and_the_rest_of_its_file_lands(owner, settings):
    settings.NEXUS_IMPORT_MAX_FILE_BYTES = 2 * 1024 * 1024
    too_big_for_an_article = "word " * 120_000
    text = f"{JOURNAL}\n## Appendix: everything\n\n{too_big_for_an_article}\n"
    source = sources.from_bytes(name="a.md", data=text.encode(), key="test:one")
    report = run_import(owner=owner, source=source)
    (file_report,) = report["file_reports"]
    assert file_report["status"] == "imported"
    skipped = [item for item in file_report["items"] if item["action"] == "skipped"]
    assert len(skipped) == 1
    assert "body: The body is larger than" in skipped[0]["reason"]
    created = [item for item in file_report["items"] if item["action"] == "created"]
    assert {item["kind"] for item in created} >= {"overview", "concept", "challenge", "month"}
    assert not Article.objects.filter(title__icontains="Appendix").exists()


def test_a_file_that_fails_is_reported_and_the_others_still_import(owner, monkeypatch):
    real_parse = pipeline.parse_document

    def parse_failing_on_b(data, *, path):
        if path == "b.md":
            raise RuntimeError("the parser fell over")
        return real_parse(data, path=path)

    monkeypatch.setattr(pipeline, "parse_document", parse_failing_on_b)
    source = sources.from_bytes(name="a.md", data=JOURNAL.encode(), key="test:two")
    source.files.append(sources.SourceFile(path="b.md", data=b"# Fine\n\nText.\n"))
    report = run_import(owner=owner, source=source)
    statuses = {f["path"]: f["status"] for f in report["file_reports"]}
    assert statuses == {"a.md": "imported", "b.md": "failed"}
    assert "the parser fell over" in report["file_reports"][1]["reason"]
    assert not ImportedItem.objects.filter(path="b.md").exists()


@pytest.mark.parametrize("front_kind", ["concept", "not-a-kind"])
def test_other_markdown_becomes_an_article_with_front_matter(owner, front_kind):
    text = (
        f"---\ntitle: Caching notes\nkind: {front_kind}\ntags: [cache]\nstatus: draft\n---\n# x\n"
    )
    _import(owner, text, name="notes.md")
    article = Article.objects.get(title="Caching notes")
    assert article.kind == ("concept" if front_kind == "concept" else "guide")
    assert article.status == "draft"
    assert "cache" in {tag.name for tag in article.tags.all()}


@pytest.mark.parametrize(
    ("context", "line"),
    [
        (
            FileContext(
                source_key="k",
                source_label="https://github.com/ada/notes",
                source_kind="git",
                path="docs/a.md",
                repository="https://github.com/ada/notes",
                commit="0123456789abcdef",
            ),
            "> Imported from repository `https://github.com/ada/notes`, path `docs/a.md`, "
            "commit `0123456789ab`.",
        ),
        (
            FileContext(
                source_key="k",
                source_label="/srv/nexus/demo",
                source_kind="folder",
                path="docs/a.md",
            ),
            "> Imported from `docs/a.md` in an imported folder.",
        ),
        (
            FileContext(
                source_key="k",
                source_label="C:\\Users\\ada\\notes.zip",
                source_kind="zip",
                path="notes/a.md",
            ),
            "> Imported from `notes/a.md` in the uploaded archive `notes.zip`.",
        ),
        (
            FileContext(
                source_key="k",
                source_label="/home/ada/repo",
                source_kind="git",
                path="a.md",
                repository="/home/ada/repo",
            ),
            "> Imported from `a.md` in a git repository.",
        ),
        (
            FileContext(source_key="k", source_label="journal.md", source_kind="file", path="j.md"),
            "> Imported from an uploaded file, `j.md`.",
        ),
    ],
)
def test_the_provenance_line_names_no_path_on_the_server(context, line):
    assert provenance(context) == line


def test_summaries_of_imported_articles_are_plain_text_not_markdown(owner):
    _import(owner, JOURNAL)
    overview = _article(owner, "guide", "Ada's backend journal: overview")
    assert overview.summary.startswith("Project Objective Keep notes of the backend track")
    for markdown in ("#", "**", "- "):
        assert markdown not in overview.summary


def test_a_long_overview_is_summarised_from_its_first_blocks_as_from_the_whole(owner):
    paragraph = "Caching with **Redis** keeps the [feed](https://example.com) fast. " * 8
    overview = f"# Project Objective\n\n{paragraph}\n\n" + "\n\n".join([paragraph] * 60)
    whole = " ".join(render_markdown(overview).plain_text.split())

    summary = knowledge_sink._summary(overview)

    assert len(overview) > 10 * knowledge_sink.SUMMARY_SOURCE_CHARS
    assert summary.endswith("…")
    assert whole.startswith(summary.removesuffix("…"))


def test_an_author_reviewed_before_publishing_gets_drafts_and_is_told_why(owner, admin_user):
    from nexus.mentorship.services.articles import author_article_review_set

    author_article_review_set(actor=admin_user, author=owner, required=True)

    report = _import(owner, JOURNAL)

    assert report["totals"]["created"] == 7
    assert not Article.objects.filter(author=owner, status="published").exists()
    articles = [i for i in report["file_reports"][0]["items"] if i["kind"] == "best_practice"]
    assert articles[0]["action"] == "created"
    assert "reviewed before they are published" in articles[0]["reason"]
    assert _article(owner, "best_practice", "Test query counts").status == "draft"
