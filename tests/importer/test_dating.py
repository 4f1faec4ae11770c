"""Journal entries are dated from real history: in a git repository, by when the lines of each
month or week were first committed; otherwise by the dates written in the text; the cohort's start
and counting back from the import date are the last resorts, and never a date in the future. The
report names the rule that dated every period and milestone.

The repositories are real: built here with commits dated through GIT_AUTHOR_DATE and cloned
through `sources.cloned` (file://, which honours --depth as the web's https clones do).
"""

import datetime as dt
import io
import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from nexus.core import clock
from nexus.importer import sources
from nexus.importer.parsing.dates import dates_in, first_written_date
from nexus.importer.pipeline import run_import
from nexus.importer.sources import git as git_sources
from nexus.journal import selectors as journal_selectors
from nexus.journal import services as journal
from nexus.journal.models import Entry
from tests import figures

GIT_DATING = "git history"
TEXT_DATING = "date in the text"
COHORT_DATING = "cohort start"
COUNTED_BACK = "counted back from the import date"
KEPT = "kept from the first import"


class History:
    """A working repository whose commits carry chosen dates, served as a bare clone."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.work = root / "work"
        self.work.mkdir(parents=True)
        self._git("init", "-q", "-b", "main")

    def _git(self, *args: str, when: dt.datetime | None = None) -> None:
        env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
        if when is not None:
            stamp = when.isoformat()
            env |= {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
        identity = ["-c", "user.name=Learner", "-c", "user.email=learner@example.com"]
        subprocess.run(["git", *identity, "-C", str(self.work), *args], check=True, env=env)

    def commit(self, when: dt.datetime, files: dict[str, str]) -> None:
        for path, text in files.items():
            (self.work / path).write_text(text, encoding="utf-8")
        self._git("add", ".")
        self._git("commit", "-qm", f"notes of {when:%Y-%m-%d}", when=when)

    def url(self) -> str:
        bare = self.root / "journal.git"
        if bare.exists():
            subprocess.run(["rm", "-rf", str(bare)], check=True)
        subprocess.run(["git", "clone", "-q", "--bare", str(self.work), str(bare)], check=True)
        return f"file://{bare}"


def noon(day: dt.date, offset_hours: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), dt.timezone(dt.timedelta(hours=offset_hours)))


def _import(owner, url, *, dry_run=False):
    with sources.cloned(url, allow_local=True) as source:
        return run_import(owner=owner, source=source, dry_run=dry_run)


def _periods(report, path="README.md"):
    file = next(f for f in report["file_reports"] if f["path"] == path)
    return {item["title"]: item for item in file["items"] if item["kind"] in ("month", "week")}


def _dating(periods):
    return {title: (i["details"]["date"], i["details"]["dated_by"]) for title, i in periods.items()}


def _join_cohort(owner, mentor, start):
    program = journal_selectors.default_program()
    cohort = journal.cohort_create(actor=mentor, program=program, name="Spring", start_date=start)
    journal.cohort_add_learner(actor=mentor, cohort=cohort, learner=owner)
    return cohort


FRONT = """---
title: Lin's backend journal
tags: [backend]
---
# Lin's backend journal

<!--
notes to self:
keep this short
-->

## Monthly Worklog
"""
MONTHS = [
    "\n### Month 1: Getting started\n- Installed Python\n- **Milestone 1:** Hello world service\n",
    "\n### Month 2: Data\n- Modelled the schema in Postgres\n",
    "\n### Month 3: Shipping\n- Wrapped the app in Docker\n",
    "\n### Month 4: Capstone\n- Built the final project with Redis caching\n",
]


def test_months_are_dated_by_when_their_lines_were_first_committed(
    awkward_moment, owner, mentor, tmp_path
):
    today = awkward_moment.today
    # The cohort began 45 days ago: by its start, months 3 and 4 would lie in the future (the
    # importer used to refuse them); the learner wrote all four months in its first month.
    start = today - dt.timedelta(days=45)
    _join_cohort(owner, mentor, start)
    written = [start + dt.timedelta(days=days) for days in (3, 10, 20, 30)]
    history = History(tmp_path)
    text = FRONT
    for index, day in enumerate(written):
        text += MONTHS[index]
        history.commit(noon(day), {"README.md": text, "notes.md": "# Notes\n\nNo months.\n"})
    # Later edits (a line added to month 1, a re-indented line of month 2) leave their dates.
    text = text.replace("- Installed Python\n", "- Installed Python\n- Read the tutorial\n")
    text = text.replace("- Modelled the schema", "-   Modelled the schema")
    history.commit(noon(today - dt.timedelta(days=2)), {"README.md": text})

    report = _import(owner, history.url())
    periods = _periods(report)
    titles = ["Month 1: Getting started", "Month 2: Data", "Month 3: Shipping", "Month 4: Capstone"]
    for title, day in zip(titles, written, strict=True):
        item = periods[title]
        assert (item["action"], item["details"]) == (
            "created",
            {
                "month": int(title.split()[1].rstrip(":")),
                "milestones": item["details"]["milestones"],
                "date": day.isoformat(),
                "dated_by": GIT_DATING,
            },
        ), title
    assert periods["Month 1: Getting started"]["details"]["milestones"] == [
        {
            "title": "Milestone 1: Hello world service",
            "month": 1,
            "date": written[0].isoformat(),
            "dated_by": GIT_DATING,
        }
    ]
    dates = sorted(Entry.objects.filter(author=owner).values_list("date", flat=True))
    assert dates == written
    # Re-imported after another change to the file, the months keep their dates, and the report
    # still says so for every period and milestone.
    history.commit(noon(today - dt.timedelta(days=1)), {"README.md": text + "\n## About\nMe.\n"})
    again = _periods(_import(owner, history.url()))
    for title, day in zip(titles, written, strict=True):
        assert again[title]["action"] == "unchanged"
        assert again[title]["details"]["date"] == day.isoformat()
        assert again[title]["details"]["dated_by"] == KEPT
    assert again[titles[0]]["details"]["milestones"][0]["dated_by"] == KEPT


def test_only_files_with_months_or_weeks_are_blamed(owner, tmp_path, monkeypatch):
    history = History(tmp_path)
    text = FRONT
    for days, month in zip((40, 30, 20, 10), MONTHS, strict=True):
        text += month
        docs = "# Docker notes\n\n## Technologies\n\n- Docker\n- Redis\n- Postgres\n"
        history.commit(
            noon(clock.today() - dt.timedelta(days=days)), {"README.md": text, "docs.md": docs}
        )
    blamed: list[tuple[str, float]] = []
    real_blame = git_sources.BlameHistory._blame

    def timed(self):
        started = time.perf_counter()
        lines = real_blame(self)
        blamed.append((self.path, time.perf_counter() - started))
        return lines

    monkeypatch.setattr(git_sources.BlameHistory, "_blame", timed)
    report = _import(owner, history.url())
    assert [path for path, _seconds in blamed] == ["README.md"]
    assert {i["details"]["dated_by"] for i in _periods(report).values()} == {GIT_DATING}
    figures.report(
        f"git dating: 4 months of a {len(text.splitlines())}-line journal in 4 commits dated from "
        f"one blame of {blamed[0][1] * 1000:.1f} ms; the file without months: no blame"
    )
    blamed.clear()
    history.commit(noon(clock.today()), {"docs.md": "# Docker notes\n\nNo months.\n"})
    _import(owner, history.url())  # the journal is unchanged: nothing to date, no blame at all
    assert blamed == []


def test_a_shallow_history_dates_only_what_it_holds(
    awkward_moment, owner, mentor, tmp_path, monkeypatch
):
    today = awkward_moment.today
    start = (today - dt.timedelta(days=60)).replace(day=1)
    _join_cohort(owner, mentor, start)
    history = History(tmp_path)
    text = FRONT + f"\n### Month 1: Basics ({start:%B %Y})\n- Models\n"
    history.commit(noon(start + dt.timedelta(days=6)), {"README.md": text})
    text += "\n### Month 2: Data\n- Queries\n"
    history.commit(noon(start + dt.timedelta(days=35)), {"README.md": text})
    text += "\n### Month 3: APIs\n- Serializers\n"
    history.commit(noon(today - dt.timedelta(days=1)), {"README.md": text})

    # The clone keeps two commits: the older is the boundary, and the lines it holds (months 1
    # and 2) may be older than the clone can tell: they go to the next rules.
    monkeypatch.setattr(git_sources, "HISTORY_DEPTH", 2)
    periods = _periods(_import(owner, history.url()))
    second_month = (start + dt.timedelta(days=32)).replace(day=1)
    assert _dating(periods) == {
        f"Month 1: Basics ({start:%B %Y})": (start.isoformat(), TEXT_DATING),
        "Month 2: Data": (second_month.isoformat(), COHORT_DATING),
        "Month 3: APIs": ((today - dt.timedelta(days=1)).isoformat(), GIT_DATING),
    }
    assert {i["action"] for i in periods.values()} == {"created"}


DATED_IN_TEXT = """# Sam's frontend log

## Weekly log

### Week 1 (10-16 Feb 2025)
- Set up Vite

### Week 2
- Components, started on Feb 17, 2025 and finished 2025-02-21

### Week 3: State management
- Zustand stores

## Monthly Worklog

### Month 1 — Sept 2024
- HTML and CSS

### Month 2: Layouts
Started on 3 October 2024, after a break.
- Grid and flexbox; the review on 2024-10-28

### Month 3: Planned for January 2099
- Accessibility
"""


def test_dates_written_in_the_text_date_periods_when_there_is_no_history(awkward_moment, owner):
    source = sources.from_bytes(name="README.md", data=DATED_IN_TEXT.encode(), key="test:dated")
    report = run_import(owner=owner, source=source)
    periods = _periods(report)
    today = awkward_moment.today
    this_month = today.replace(day=1)
    assert _dating(periods) == {
        "Month 1: Sept 2024": ("2024-09-01", TEXT_DATING),
        "Month 2: Layouts": ("2024-10-01", TEXT_DATING),
        # January 2099 is in the future: the next rule (no cohort: counted back from today).
        "Month 3: Planned for January 2099": (this_month.isoformat(), COUNTED_BACK),
        # (The parser repeats "Week N" in a week's title: not this test's business.)
        "Week 1: Week 1 (10-16 Feb 2025)": ("2025-02-10", TEXT_DATING),
        "Week 2: Week 2": ("2025-02-17", TEXT_DATING),
        "Week 3: Week 3: State management": (today.isoformat(), COUNTED_BACK),
    }
    assert {i["action"] for i in periods.values()} == {"created"}
    assert Entry.objects.filter(author=owner, date=dt.date(2025, 2, 10)).exists()


def test_a_true_date_before_the_cohort_is_refused_out_loud(awkward_moment, owner, mentor):
    start = awkward_moment.today - dt.timedelta(days=10)
    _join_cohort(owner, mentor, start)
    source = sources.from_bytes(name="README.md", data=DATED_IN_TEXT.encode(), key="test:early")
    report = run_import(owner=owner, source=source)
    month_one = _periods(report)["Month 1: Sept 2024"]
    assert month_one["action"] == "skipped"
    assert month_one["details"] == {
        "month": 1,
        "milestones": [],
        "date": "2024-09-01",
        "dated_by": TEXT_DATING,
    }
    assert month_one["reason"] == (
        f"refused by the journal for 2024-09-01 ({TEXT_DATING}): "
        f"Your cohort Spring starts on {start:%Y-%m-%d}."
    )


def test_the_dry_run_and_the_report_page_name_each_rule(
    awkward_moment, owner, client, tmp_path, django_capture_on_commit_callbacks
):
    path = tmp_path / "README.md"
    path.write_text(DATED_IN_TEXT, encoding="utf-8")
    stdout = io.StringIO()
    call_command("import", str(path), "--dry-run", "--json", "--user", owner.email, stdout=stdout)
    periods = _periods(json.loads(stdout.getvalue()))
    assert {i["details"]["dated_by"] for i in periods.values()} == {TEXT_DATING, COUNTED_BACK}
    assert Entry.objects.count() == 0

    client.force_login(owner)
    upload = SimpleUploadedFile("README.md", DATED_IN_TEXT.encode(), content_type="text/markdown")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/imports/", {"file": upload})
    html = client.get(response["Location"]).content.decode()
    assert "dated 2024-09-01 by date in the text" in html
    assert f"by {COUNTED_BACK}" in html


@pytest.mark.parametrize(
    ("text", "day", "precision"),
    [
        ("January 2025", "2025-01-01", "month"),
        ("2025-03-14", "2025-03-14", "day"),
        ("Mar 3, 2025", "2025-03-03", "day"),
        ("Week 3 (10-16 Feb 2025)", "2025-02-10", "day"),
        ("Month 1 — Sept 2024", "2024-09-01", "month"),
        ("3rd of March, 2025", "2025-03-03", "day"),
        ("Sept. 2024", "2024-09-01", "month"),
        ("Jan\u2013Mar 2025", "2025-01-01", "month"),
        ("28 Dec - 3 Jan 2025", "2024-12-28", "day"),
        ("Dec 28 \u2013 Jan 3, 2025", "2024-12-28", "day"),
        ("from 2024-09 on", "2024-09-01", "month"),
        ("2025/03/14", "2025-03-14", "day"),
        ("Week 3 March 2025", "2025-03-01", "month"),  # week 3, not the 3rd
    ],
)
def test_the_recogniser_reads_the_forms_journals_use(text, day, precision):
    found = dates_in(text)
    assert [(d.day.isoformat(), d.precision) for d in found] == [(day, precision)]


@pytest.mark.parametrize(
    "text",
    [
        *("Python 3.12", "2024-2025", "Feb 30, 2025", "we may 2025 do it", "03/04/2025"),
        *("Route 66", "version 1.2025-01-02", "March", "2025-13", "Marketing 2025"),
    ],
)
def test_the_recogniser_leaves_what_is_no_date(text):
    assert dates_in(text) == []


def test_a_heading_date_wins_over_the_body_then_the_earliest_body_date():
    assert first_written_date("Month 2 (May 2025)", "review on 2025-04-02").day == dt.date(
        2025, 5, 1
    )
    assert first_written_date("Month 2", "done 2025-05-20; began 2025-05-02").day == dt.date(
        2025, 5, 2
    )
    assert first_written_date("Month 2", "no dates") is None


def test_blame_lines_carry_the_authors_own_day_and_the_cut_is_undated():
    porcelain = (
        b"a" * 40 + b" 1 1 1\nauthor L\nauthor-time 1735687800\nauthor-tz -0500\n"
        b"summary one\nfilename R.md\n\t## Month 1\n"
        + b"b"
        * 40
        + b" 1 2 1\nauthor L\nauthor-time 1700000000\nauthor-tz +0000\nboundary\n"
        b"filename R.md\n\t- old line\n" + b"a" * 40 + b" 2 3\n\t- again\n"
    )
    lines = git_sources.parse_blame(porcelain, cut=frozenset({"b" * 40}))
    assert [line.text for line in lines] == ["## Month 1", "- old line", "- again"]
    # 1735687800 is 2025-01-01 00:30 UTC: still New Year's Eve where the author was.
    assert lines[0].written.date() == dt.date(2024, 12, 31)
    assert lines[1].written is None
    assert lines[2].written == lines[0].written
