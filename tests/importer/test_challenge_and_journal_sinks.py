"""The challenge and journal sinks: Problem/Solution pairs become solved challenges, months become
private worklog entries; re-imports are no-ops and edits made in Nexus are kept."""

import datetime as dt

from nexus.challenges import services as challenges
from nexus.challenges.models import Challenge, ChallengeStatus
from nexus.core import clock
from nexus.importer import sources
from nexus.importer.pipeline import run_import
from nexus.journal import selectors as journal_selectors
from nexus.journal import services as journal
from nexus.journal.models import Entry
from tests.importer.conftest import SEED_JOURNAL, shared_file

SYNTHETIC = """# Lin's backend notebook

## Monthly Worklog

### Month 1: Getting started
- Installed Python and wrote a first Django view
- **Milestone 1:** Hello world service

### Month 2: Data
- Modelled the schema in Postgres

### Month 3: Shipping
- Wrapped the app in Docker

### Month 4: Capstone
- Built the final project with Redis caching

## Challenges & Solutions

1. **Migrations failing on deploy**
   - *Problem:* The container ran before the database accepted connections.
   - *Solution:* Waited for the database health check before migrating.

2. **Flaky tests in the pipeline**
   - *Problem:* Tests shared state through the cache between runs.
   - *Solution:* Cleared the cache in a fixture before every test.
"""


def _import(owner, text, *, key="test:sinks"):
    source = sources.from_bytes(name="notebook.md", data=text.encode(), key=key)
    return run_import(owner=owner, source=source)


def _items(report, kind):
    return [i for f in report["file_reports"] for i in f["items"] if i["kind"] == kind]


def _assert_two_solved_challenges_and_four_months(owner):
    mine = Challenge.objects.filter(author=owner)
    assert mine.count() == 2
    for challenge in mine:
        assert challenge.status == ChallengeStatus.SOLVED
        assert challenge.accepted_solution is not None
        assert challenge.accepted_solution.author_id == owner.pk
        assert challenge.solutions.count() == 1
    entries = list(Entry.objects.filter(author=owner).order_by("date"))
    assert len(entries) == 4
    assert {entry.visibility for entry in entries} == {"private"}
    assert len({(entry.date.year, entry.date.month) for entry in entries}) == 4
    assert all(entry.date <= clock.today() for entry in entries)


def test_a_synthetic_journal_yields_two_solved_challenges_and_four_months(owner, awkward_moment):
    report = _import(owner, SYNTHETIC)
    assert report["totals"]["pending"] == 0
    assert [i["action"] for i in _items(report, "challenge")] == ["created", "created"]
    assert [i["action"] for i in _items(report, "month")] == ["created"] * 4
    _assert_two_solved_challenges_and_four_months(owner)
    deploy = Challenge.objects.get(author=owner, title="Migrations failing on deploy")
    assert "accepted connections" in deploy.body
    assert "health check" in deploy.accepted_solution.body
    first = Entry.objects.filter(author=owner).order_by("date").first()
    assert "Hello world service" in first.body
    assert {"python", "django"} <= {t.slug for t in first.topics.all()}
    # The last month is the current one: months are counted back from the import date.
    dates = [e.date for e in Entry.objects.filter(author=owner).order_by("date")]
    this_month = awkward_moment.today.replace(day=1)
    assert dates[-1] == this_month
    months_back = this_month.year * 12 + this_month.month - 1 - 3
    assert dates[0] == dt.date(months_back // 12, months_back % 12 + 1, 1)
    month_one = _items(report, "month")[0]
    assert "Milestone 1: Hello world service" in month_one["reason"]


def test_the_founding_journal_yields_two_solved_challenges_and_four_months(owner):
    data = shared_file(SEED_JOURNAL)
    report = _import(owner, data.decode("utf-8", "replace"), key="test:seed")
    assert report["totals"]["pending"] == 0
    _assert_two_solved_challenges_and_four_months(owner)


def test_reimporting_is_a_no_op_and_the_report_lists_unchanged_items(owner):
    _import(owner, SYNTHETIC)
    counts = (Challenge.objects.count(), Entry.objects.count(), challenges_solutions())
    again = _import(owner, SYNTHETIC)
    assert again["files"]["unchanged"] == 1
    assert again["totals"]["created"] == again["totals"]["updated"] == 0
    # A change elsewhere in the file makes it parse again: these items are listed as unchanged.
    changed = _import(owner, SYNTHETIC.replace("# Lin's backend notebook", "# Lin's notebook"))
    assert {i["action"] for i in _items(changed, "challenge")} == {"unchanged"}
    assert {i["action"] for i in _items(changed, "month")} == {"unchanged"}
    assert (Challenge.objects.count(), Entry.objects.count(), challenges_solutions()) == counts


def challenges_solutions():
    return sum(c.solutions.count() for c in Challenge.objects.all())


def test_a_changed_challenge_and_month_are_updated_through_the_services(owner):
    _import(owner, SYNTHETIC)
    text = SYNTHETIC.replace("Cleared the cache", "Flushed the cache").replace(
        "Wrapped the app in Docker", "Wrapped the app in Docker Compose"
    )
    report = _import(owner, text)
    assert [i["action"] for i in _items(report, "challenge")] == ["unchanged", "updated"]
    assert [i["action"] for i in _items(report, "month")].count("updated") == 1
    flaky = Challenge.objects.get(author=owner, title="Flaky tests in the pipeline")
    assert "Flushed the cache" in flaky.accepted_solution.body
    assert flaky.solutions.count() == 1
    assert Entry.objects.filter(author=owner, body__contains="Docker Compose").count() == 1
    assert Entry.objects.filter(author=owner).count() == 4


def test_a_challenge_edited_in_nexus_is_not_overwritten(owner):
    _import(owner, SYNTHETIC)
    deploy = Challenge.objects.get(author=owner, title="Migrations failing on deploy")
    challenges.challenge_update(challenge=deploy, actor=owner, body="My own words now.")
    text = SYNTHETIC.replace("accepted connections", "was ready for connections")
    report = _import(owner, text)
    row = next(i for i in _items(report, "challenge") if i["title"] == deploy.title)
    assert row["action"] == "skipped"
    assert "edited in Nexus" in row["reason"]
    deploy.refresh_from_db()
    assert deploy.body == "My own words now."


def test_an_entry_edited_in_nexus_is_not_overwritten(owner):
    _import(owner, SYNTHETIC)
    entry = Entry.objects.filter(author=owner, body__contains="Docker").get()
    journal.entry_update(entry=entry, actor=owner, body="Rewritten by me.")
    report = _import(owner, SYNTHETIC.replace("in Docker", "in Podman"))
    row = next(i for i in _items(report, "month") if i["title"].startswith("Month 3"))
    assert row["action"] == "skipped"
    entry.refresh_from_db()
    assert entry.body == "Rewritten by me."


def test_a_future_cohort_date_falls_through_and_a_refused_date_says_why(
    owner, mentor, awkward_moment
):
    program = journal_selectors.default_program()
    # A cohort that started on the 15th of last month: its month 2 began on the 1st of this month.
    start = (awkward_moment.today.replace(day=1) - dt.timedelta(days=1)).replace(day=15)
    cohort = journal.cohort_create(
        actor=mentor, program=program, name="Import cohort", start_date=start
    )
    journal.cohort_add_learner(actor=mentor, cohort=cohort, learner=owner)
    report = _import(owner, SYNTHETIC)
    months = {i["title"]: i for i in _items(report, "month")}
    assert months["Month 1: Getting started"]["action"] == "created"
    assert months["Month 1: Getting started"]["details"]["dated_by"] == "cohort start"
    assert Entry.objects.get(author=owner, body__contains="Getting started").date == start
    month_two = Entry.objects.get(author=owner, body__contains="Modelled the schema")
    assert month_two.date == awkward_moment.today.replace(day=1)
    # Months 3 and 4 would begin next month and the month after: never a date in the future,
    # they are counted back from today instead (4 is this month, 3 the last one).
    four = months["Month 4: Capstone"]
    assert (four["action"], four["details"]["dated_by"]) == (
        "created",
        "counted back from the import date",
    )
    assert four["details"]["date"] == awkward_moment.today.replace(day=1).isoformat()
    # The 1st of last month is before the cohort's start: refused, and the report says why.
    three = months["Month 3: Shipping"]
    assert three["action"] == "skipped"
    assert three["details"]["date"] == start.replace(day=1).isoformat()
    assert f"refused by the journal for {start.replace(day=1):%Y-%m-%d}" in three["reason"]
    assert "(counted back from the import date)" in three["reason"]
    assert f"starts on {start:%Y-%m-%d}" in three["reason"]
    assert not Entry.objects.filter(author=owner, date__gt=awkward_moment.today).exists()
