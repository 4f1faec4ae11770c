"""The demo's showcase, built through the services after the demo import (`nexus load_demo`): a
learning path over the imported notes, an API with three versions whose third breaks what a
consumer uses (so they hold an alert), a cohort with a mentor and learners, answered and open
challenges, and a learner's journal over three months with milestones reviewed against a rubric,
submitted and under way. Every piece is looked up by its name first, so running it again adds
nothing."""

from datetime import date, timedelta
from typing import Any

from nexus.accounts.models import Role, User
from nexus.challenges import services as challenges
from nexus.challenges.models import Challenge
from nexus.collab.models import Api, ApiConsumer
from nexus.collab.services.catalog import api_create, spec_version_create
from nexus.collab.services.consumers import consumer_declare
from nexus.core import clock
from nexus.journal import selectors as journal_selectors
from nexus.journal import services as journal
from nexus.journal.models import (
    Cohort,
    Entry,
    Milestone,
    MilestoneProgress,
    MilestoneStatus,
    Visibility,
)
from nexus.knowledge import services as knowledge
from nexus.knowledge.models import Article, LearningPath
from nexus.mentorship.models import Rubric
from nexus.mentorship.services import milestones as mentorship
from nexus.mentorship.services.rubrics import rubric_create

DOMAIN = "demo.nexus.local"
PEOPLE = {
    "mentor": ("Morgan Mentor", Role.MENTOR),
    "lena": ("Lena Learner", Role.LEARNER),
    "omar": ("Omar Ops", Role.LEARNER),
    "priya": ("Priya Frontend", Role.LEARNER),
}
PATH_TITLE = "From first model to a fast API"
PATH_DESCRIPTION = (
    "Five notes to read in order: why a list endpoint goes slow, how to fix it and keep it "
    "fixed with a test, when a cache helps, and how to describe the change in a commit."
)
PATH_STEPS = [
    "the-n1-query-problem",
    "query-optimisation-with-select_related-and-prefetch_related",
    "test-the-query-count",
    "caching-with-redis-in-django",
    "commit-messages-that-help-reviewers",
]
API_NAME = "Lending Library"
COHORT_NAME = "Demo cohort"
RUBRIC_NAME = "Project milestone"
RUBRIC_CRITERIA = [
    {"name": "Correctness", "scale": 4, "levels": ["Broken", "Partly works", "Works", "Robust"]},
    {"name": "Tests", "scale": 3, "levels": ["None", "Happy path", "Edges and failures"]},
    {"name": "Documentation", "scale": 3, "levels": ["None", "A README", "README and API docs"]},
]

# Three versions of one small API: v2 adds an operation; v3 makes the loan's due date required
# and drops the old renewal operation, which breaks what the front-end learner declared they use.
_SPEC_HEAD = """openapi: 3.0.3
info: {title: Lending Library, version: "%s"}
paths:
  /books:
    get:
      operationId: listBooks
      summary: Books on the shelves
      parameters:
        - {name: author, in: query, schema: {type: string}}
      responses:
        "200":
          description: The books
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Book"}}
  /loans:
    post:
      operationId: borrowBook
      summary: Borrow a book
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/NewLoan"}
      responses:
        "201":
          description: The loan
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Loan"}
              example: {id: 12, book: 3, due: "2026-03-01"}
        "409": {description: The book is already out}
"""
_RENEW = """  /loans/{loanId}/renew:
    post:
      operationId: renewLoan
      summary: Keep a book two more weeks
      parameters:
        - {name: loanId, in: path, required: true, schema: {type: integer}}
      responses:
        "200": {description: The renewed loan}
"""
_RETURN = """  /loans/{loanId}:
    delete:
      operationId: returnBook
      summary: Bring a book back
      parameters:
        - {name: loanId, in: path, required: true, schema: {type: integer}}
      responses:
        "204": {description: Returned}
"""
_SCHEMAS = """components:
  schemas:
    Book:
      type: object
      required: [id, title]
      properties:
        id: {type: integer}
        title: {type: string}
        author: {type: string}
    NewLoan:
      type: object
      required: [%s]
      properties:
        book: {type: integer}
        due: {type: string, format: date}
    Loan:
      type: object
      properties:
        id: {type: integer}
        book: {type: integer}
        due: {type: string, format: date}
"""
SPECS = [
    _SPEC_HEAD % "1.0" + _RENEW + _SCHEMAS % "book",
    _SPEC_HEAD % "1.1" + _RENEW + _RETURN + _SCHEMAS % "book",
    _SPEC_HEAD % "2.0" + _RETURN + _SCHEMAS % "book, due",
]

ANSWERED = {
    "title": "Celery task runs twice after a worker restart",
    "body": (
        "A task that sends a welcome e-mail ran twice when the worker was restarted during a "
        "deploy. `acks_late` is on. How do I stop the second e-mail?"
    ),
    "technologies": ["celery", "rabbitmq"],
    "tags": ["idempotency", "workers"],
}
ACCEPTED_SOLUTION = (
    "With `acks_late` the broker redelivers a task whose worker died before acknowledging it, so "
    "the task must be safe to run twice. Store a key per e-mail (the user id and the kind) in a "
    "table with a unique constraint and skip the send when the insert fails."
)
OPEN = [
    {
        "title": "Docker build re-installs every package on each change",
        "body": (
            "Any edit to a Python file makes `docker build` download all the dependencies "
            "again, which takes minutes. The Dockerfile copies the project, then installs."
        ),
        "technologies": ["docker"],
        "tags": ["build-cache"],
    },
    {
        "title": "GraphQL query for a list takes one query per row",
        "body": (
            "Listing 50 articles with their author through GraphQL runs 51 SQL queries. "
            "The REST endpoint for the same list runs 2."
        ),
        "technologies": ["graphql", "django-orm"],
        "tags": ["n-plus-one"],
    },
]
# A learner's month-by-month worklog: (days ago, minutes, topics, what they did).
ENTRIES = [
    (80, 90, ["django"], "Models and migrations for the loan app; the admin lists books."),
    (74, 60, ["postgresql"], "Indexes: an index on `loan.due` made the overdue page fast."),
    (66, 120, ["django"], "Wrote tests for the borrow view, including the book that is out."),
    (52, 75, ["rest"], "Serializers and a viewset for books, with pagination."),
    (45, 90, ["rest"], "Token auth; a 401 and a 403 are not the same thing."),
    (38, 45, ["postgresql"], "Counted the queries of the list endpoint and pinned them in a test."),
    (24, 100, ["celery"], "A Celery worker sends the reminder e-mails; retries back off."),
    (17, 80, ["docker"], "A compose file with the app, the worker, RabbitMQ and PostgreSQL."),
    (9, 60, ["redis"], "Cached the catalogue page for a minute; invalidated on a new book."),
    (3, 50, ["celery"], "Made the reminder task idempotent with a unique key per loan."),
]


def load_showcase(*, author: User) -> dict[str, int]:
    """Build what is missing of the showcase; returns how many of each thing it created."""
    created: dict[str, int] = {}
    people = {key: _person(key, created) for key in PEOPLE}
    _path(author, created)
    _api(author, people, created)
    _challenges(people, created)
    _cohort(people, created)
    return created


def _count(created: dict[str, int], what: str) -> None:
    created[what] = created.get(what, 0) + 1


def _person(key: str, created: dict[str, int]) -> User:
    display_name, role = PEOPLE[key]
    email = f"{key}@{DOMAIN}"
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        # No password: the demo people are shown, not signed in as.
        user = User.objects.create_user(email, None, display_name=display_name, role=role)
        _count(created, "people")
    return user


def _path(author: User, created: dict[str, int]) -> None:
    if LearningPath.objects.filter(title=PATH_TITLE).exists():
        return
    # The imported notes, in reading order; a note the import did not make is left out.
    steps = [slug for slug in PATH_STEPS if Article.objects.filter(slug=slug).exists()]
    knowledge.learning_path_create(
        author=author,
        title=PATH_TITLE,
        description=PATH_DESCRIPTION,
        articles=steps,
    )
    _count(created, "learning paths")


def _api(author: User, people: dict[str, User], created: dict[str, int]) -> None:
    api = Api.objects.filter(name=API_NAME).first()
    if api is None:
        api = api_create(
            actor=people["mentor"],
            name=API_NAME,
            description="Borrow, renew and return books: the demo's API with three versions.",
        )
        _count(created, "apis")
    for number, raw in enumerate(SPECS, start=1):
        if number == len(SPECS) and not ApiConsumer.objects.filter(api=api).exists():
            # The consumer declares before the breaking version, so the alert reaches them.
            consumer_declare(
                api=api, actor=people["priya"], operations=["POST /loans/{loanId}/renew"]
            )
            _count(created, "api consumers")
        _, new = spec_version_create(api=api, actor=people["mentor"], raw=raw, source="paste")
        if new:
            _count(created, "spec versions")


def _challenge(person: User, spec: dict[str, Any], created: dict[str, int]) -> Challenge:
    challenge = Challenge.objects.filter(title=spec["title"]).first()
    if challenge is None:
        challenge = challenges.challenge_create(
            author=person,
            title=spec["title"],
            body=spec["body"],
            technologies=spec["technologies"],
            tags=spec["tags"],
        )
        _count(created, "challenges")
    return challenge


def _challenges(people: dict[str, User], created: dict[str, int]) -> None:
    answered = _challenge(people["omar"], ANSWERED, created)
    if answered.accepted_solution_id is None:
        solution = challenges.solution_create(
            challenge=answered, author=people["mentor"], body=ACCEPTED_SOLUTION
        )
        challenges.solution_vote(solution=solution, user=people["lena"], value=1)
        challenges.challenge_vote(challenge=answered, user=people["lena"], value=1)
        challenges.solution_accept(challenge=answered, solution=solution, actor=people["omar"])
        _count(created, "accepted solutions")
    for spec in OPEN:
        _challenge(people["lena"], spec, created)


def _cohort(people: dict[str, User], created: dict[str, int]) -> None:
    mentor, lena = people["mentor"], people["lena"]
    today = clock.today()
    cohort = Cohort.objects.filter(name=COHORT_NAME).first()
    if cohort is None:
        program = journal_selectors.default_program()
        if program is None:
            return  # the seeded program was deleted: no cohort to show
        cohort = journal.cohort_create(
            actor=mentor,
            program=program,
            name=COHORT_NAME,
            start_date=today - timedelta(days=95),
            mentors=[mentor],
        )
        for key in ("lena", "omar", "priya"):
            journal.cohort_add_learner(actor=mentor, cohort=cohort, learner=people[key])
        _count(created, "cohorts")
    if not Entry.objects.filter(author=lena).exists():
        for days_ago, minutes, topics, body in ENTRIES:
            journal.entry_create(
                author=lena,
                date=_not_before(today - timedelta(days=days_ago), cohort.start_date),
                body=body,
                minutes_spent=minutes,
                visibility=Visibility.MENTORS,
                topics=topics,
            )
            _count(created, "journal entries")
    _milestones(lena, mentor, created)


def _rubric(mentor: User, milestones: list[Milestone], created: dict[str, int]) -> Rubric:
    """The mentor's rubric, on the first milestones (made once)."""
    rubric = Rubric.objects.filter(name=RUBRIC_NAME).first()
    if rubric is None:
        rubric = rubric_create(actor=mentor, name=RUBRIC_NAME, criteria=RUBRIC_CRITERIA)
        for milestone in milestones:
            mentorship.milestone_rubric_set(actor=mentor, milestone=milestone, rubric=rubric)
        _count(created, "rubrics")
    return rubric


def _scores(rubric: Rubric, given: dict[str, int]) -> list[dict[str, object]]:
    """Scores for the rubric's criteria that it still has (someone may have edited it)."""
    names = {criterion["name"] for criterion in rubric.versions.order_by("-number")[0].criteria}
    return [{"criterion": name, "score": score} for name, score in given.items() if name in names]


def _not_before(day: date, start: date) -> date:
    return max(day, start)


def _milestones(learner: User, mentor: User, created: dict[str, int]) -> None:
    """Milestone 1 reviewed and done, 2 submitted for review, 3 under way."""
    progress = {
        row.milestone.number: row
        for row in MilestoneProgress.objects.filter(learner=learner).select_related("milestone")
    }
    first, second, third = (progress.get(number) for number in (1, 2, 3))
    rubric = _rubric(mentor, [row.milestone for row in (first, second) if row is not None], created)
    if first is not None and first.status == MilestoneStatus.NOT_STARTED:
        mentorship.milestone_submit(
            progress=first,
            actor=learner,
            repository_url="https://git.example.com/lena/lending-library",
            note="The loan app with its models and admin.",
        )
        mentorship.milestone_review(
            progress=first,
            reviewer=mentor,
            decision="changes_requested",
            comment="Good models; the loan rules need tests before this is done.",
            scores=_scores(rubric, {"Correctness": 3, "Tests": 1, "Documentation": 2}),
        )
        mentorship.milestone_submit(
            progress=first,
            actor=learner,
            repository_url="https://git.example.com/lena/lending-library",
            note="Tests for every loan rule, overdue loans included.",
        )
        mentorship.milestone_review(
            progress=first,
            reviewer=mentor,
            decision="approved",
            comment="Clean models, good tests.",
            scores=_scores(rubric, {"Correctness": 4, "Tests": 3, "Documentation": 2}),
        )
        _count(created, "milestones reviewed")
    if second is not None and second.status == MilestoneStatus.NOT_STARTED:
        mentorship.milestone_submit(
            progress=second,
            actor=learner,
            repository_url="https://git.example.com/lena/lending-library",
            deployed_url="https://library.example.com/api/",
            note="The REST API, documented with OpenAPI.",
        )
        _count(created, "milestones submitted")
    if third is not None and third.status == MilestoneStatus.NOT_STARTED:
        journal.progress_update(
            progress=third,
            actor=learner,
            status=MilestoneStatus.IN_PROGRESS,
            note="Worker and compose file done; deployment next.",
        )
        _count(created, "milestones started")
