"""`nexus import`: summary table, --json, --dry-run, progress on stderr, git sources; load_demo."""

import io
import json
import re
import subprocess

import pytest
from django.core.management import CommandError, call_command

from nexus.core import clock
from nexus.importer.models import ImportedItem
from nexus.knowledge.models import Article
from tests.importer.journals import JOURNAL


@pytest.fixture
def journal_file(tmp_path):
    path = tmp_path / "README.md"
    path.write_text(JOURNAL, encoding="utf-8")
    return path


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_cli_prints_a_summary_table_and_a_progress_bar(journal_file, admin_user):
    out, err = _run(str(journal_file))
    assert re.search(r"^created +7$", out, re.MULTILINE)
    assert re.search(r"^pending +0$", out, re.MULTILINE)
    assert "[##############################] 1/1 README.md" in err
    out, _err = _run(str(journal_file), "--no-progress")
    assert "1 unchanged" in out


def test_cli_json_and_dry_run_write_nothing(journal_file, owner):
    out, _err = _run(str(journal_file), "--json", "--dry-run", "--user", owner.email)
    report = json.loads(out)
    assert report["dry_run"] is True
    assert report["totals"]["created"] == 7
    assert Article.objects.count() == 0
    assert ImportedItem.objects.count() == 0


def test_cli_dry_run_json_lists_what_each_item_was_understood_as(journal_file, owner):
    out, _err = _run(str(journal_file), "--json", "--dry-run", "--user", owner.email)
    items = {
        (i["kind"], i["title"]): i["details"] for i in json.loads(out)["file_reports"][0]["items"]
    }
    assert items[("technology", "Redis")] == {"category": "Caching & Queues"}
    assert items[("challenge", "Slow list page")] == {
        "has_solution": True,
        "solution": "select_related.",
    }
    month = items[("month", "Month 1: Basics")]
    assert month["dated_by"] == "counted back from the import date"
    assert month["date"] == clock.today().replace(day=1).isoformat()
    # A milestone carries the month it belongs to and how that month was dated.
    assert month["milestones"] == [
        {
            "title": "Milestone 1: First app",
            "month": 1,
            "date": month["date"],
            "dated_by": "counted back from the import date",
        }
    ]


def test_cli_refuses_unknown_users_and_missing_sources(journal_file, owner):
    with pytest.raises(CommandError, match="No user"):
        _run(str(journal_file), "--user", "nobody@example.com")
    with pytest.raises(CommandError, match="No such"):
        _run("/nonexistent/file.md", "--user", owner.email)


def test_cli_imports_a_git_repository_through_file_url(tmp_path, owner):
    work = tmp_path / "work"
    work.mkdir()
    (work / "README.md").write_text(JOURNAL)
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "-C", str(work)]
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "init"], check=True)
    bare = tmp_path / "repo.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
    out, _err = _run(f"file://{bare}", "--user", owner.email, "--json")
    report = json.loads(out)
    assert report["kind"] == "git"
    assert len(report["commit"]) == 40
    source = Article.objects.get(title="Ada's backend journal")
    assert f"commit `{report['commit'][:12]}`" in source.body
    # A local repository's URL is a path on the server: readers see the file's own path only.
    assert "> Imported from `README.md` in a git repository, commit" in source.body
    assert str(tmp_path) not in source.body


def test_load_demo_imports_the_demo_content_once(db):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    created = Article.objects.count()
    assert created >= 10
    assert Article.objects.filter(tags__name="learning-journal").exists()
    call_command("load_demo", stdout=out)
    assert Article.objects.count() == created
    imported = [line for line in out.getvalue().splitlines() if line.startswith("Demo content")]
    assert "0 created, 0 updated" in imported[-1]
