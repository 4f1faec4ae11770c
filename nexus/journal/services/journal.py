"""Writes of the journal proper: entries, reflections, programs and milestone progress."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import NotRequired, TypedDict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, QuerySet

from nexus.accounts.models import User
from nexus.core import clock, conditional, events
from nexus.core.markdown import render_markdown
from nexus.journal import policies, selectors
from nexus.journal.models import (
    MAX_BODY_BYTES,
    MINUTES_PER_DAY,
    Cohort,
    Entry,
    LearnerTopic,
    Milestone,
    MilestoneProgress,
    MilestoneStatus,
    Program,
    ProgramMonth,
    Reflection,
    Visibility,
)
from nexus.knowledge import services as knowledge
from nexus.knowledge.models import Article, Technology

LEARNER_STATUSES = {
    MilestoneStatus.NOT_STARTED,
    MilestoneStatus.IN_PROGRESS,
    MilestoneStatus.SUBMITTED,
}


def _check_body(body: str) -> None:
    if not body.strip():
        raise ValidationError({"body": ["Write something about the day."]}, code="required")
    if len(body.encode()) > MAX_BODY_BYTES:
        raise ValidationError(
            {"body": [f"The body is over {MAX_BODY_BYTES // 1024} KiB."]}, code="too_long"
        )


def _check_date(day: date, cohort: Cohort | None) -> None:
    if day > clock.today():
        raise ValidationError({"date": ["An entry cannot be dated in the future."]}, code="future")
    if cohort is not None and day < cohort.start_date:
        raise ValidationError(
            {"date": [f"Your cohort {cohort.name} starts on {cohort.start_date:%Y-%m-%d}."]},
            code="before_cohort",
        )


def _check_minutes(day: date, minutes: int, logged: int) -> None:
    """`minutes` more on a day with `logged` minutes already."""
    if minutes < 0:
        raise ValidationError({"minutes_spent": ["Time spent cannot be negative."]}, "negative")
    if logged + minutes > MINUTES_PER_DAY:
        raise ValidationError(
            {
                "minutes_spent": [
                    f"That makes {logged + minutes} minutes on {day:%Y-%m-%d}; "
                    f"a day has {MINUTES_PER_DAY}."
                ]
            },
            code="over_a_day",
        )


def _check_choices(confidence: int, visibility: str) -> None:
    if not 1 <= confidence <= 5:
        raise ValidationError({"confidence": ["Confidence is from 1 to 5."]}, code="range")
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": ["Choose private, mentors or public."]}, "invalid")


def _lock_author(author: User) -> None:
    # Serialises one author's writes so two entries cannot both squeeze under the 24-hour cap.
    User.objects.select_for_update().filter(pk=author.pk).first()


def _resolve_topics(
    slugs: Sequence[str], known: Mapping[str, Technology] | None = None
) -> list[Technology]:
    return knowledge.technologies_resolve(slugs=slugs, field="topics", limit=None, known=known)


def _resolve_articles(
    slugs: Sequence[str], author: User, known: Mapping[str, Article] | None = None
) -> list[Article]:
    if known is None:
        known = {
            article.slug: article for article in selectors.articles_by_slug(slugs, user=author)
        }
    missing = sorted(set(slugs) - set(known))
    if missing:
        raise ValidationError({"articles": [f"Unknown article: {', '.join(missing)}."]})
    return [known[slug] for slug in dict.fromkeys(slugs)]


def entry_create(
    *,
    author: User,
    date: date,
    body: str,
    minutes_spent: int = 0,
    confidence: int = 3,
    visibility: str = Visibility.PRIVATE,
    topics: Sequence[str] = (),
    articles: Sequence[str] = (),
) -> Entry:
    """Write a worklog entry for a day that has not run out of hours."""
    draft = EntryDraft(date, body, minutes_spent, confidence, visibility, topics, articles)
    (written,) = entries_create(author=author, drafts=[draft])
    if isinstance(written, ValidationError):
        raise written
    return written


@dataclass(frozen=True)
class EntryDraft:
    """One entry for `entries_create`: what `entry_create` takes besides the author."""

    date: date
    body: str
    minutes_spent: int = 0
    confidence: int = 3
    visibility: str = Visibility.PRIVATE
    topics: Sequence[str] = ()
    articles: Sequence[str] = ()


@transaction.atomic
def entries_create(*, author: User, drafts: Sequence[EntryDraft]) -> list[Entry | ValidationError]:
    """`entry_create` for several entries of one author in a fixed number of statements: each
    draft is checked as one alone would be, in order (an earlier draft's minutes count against a
    later one's day), and is written, or refused with its own error, without the others failing."""
    if not policies.can_write_journal(author):
        raise PermissionDenied("Sign in to write in the journal.")
    if not drafts:
        return []
    cohort = selectors.cohort_of(learner=author)
    _lock_author(author)
    logged = selectors.minutes_by_day(author=author, days={draft.date for draft in drafts})
    topic_slugs = {slug for draft in drafts for slug in draft.topics}
    known_topics = {tech.slug: tech for tech in Technology.objects.filter(slug__in=topic_slugs)}
    article_slugs = {slug for draft in drafts for slug in draft.articles}
    known_articles = {
        article.slug: article for article in selectors.articles_by_slug(article_slugs, user=author)
    }
    results: list[Entry | ValidationError] = []
    written: list[tuple[Entry, list[Technology], list[Article]]] = []
    for draft in drafts:
        try:
            _check_body(draft.body)
            _check_choices(draft.confidence, draft.visibility)
            _check_date(draft.date, cohort)
            _check_minutes(draft.date, draft.minutes_spent, logged.get(draft.date, 0))
            technologies = _resolve_topics(draft.topics, known_topics)
            linked = _resolve_articles(draft.articles, author, known_articles)
        except ValidationError as exc:
            results.append(exc)
            continue
        logged[draft.date] = logged.get(draft.date, 0) + draft.minutes_spent
        entry = Entry(
            author=author,
            date=draft.date,
            body=draft.body,
            body_html=render_markdown(draft.body).html,
            minutes_spent=draft.minutes_spent,
            confidence=draft.confidence,
            visibility=draft.visibility,
        )
        written.append((entry, technologies, linked))
        results.append(entry)
    if not written:
        return results
    Entry.objects.bulk_create([entry for entry, _topics, _articles in written])
    Entry.topics.through.objects.bulk_create(
        [
            Entry.topics.through(entry_id=entry.pk, technology_id=tech.pk)
            for entry, technologies, _articles in written
            for tech in technologies
        ]
    )
    Entry.articles.through.objects.bulk_create(
        [
            Entry.articles.through(entry_id=entry.pk, article_id=article.pk)
            for entry, _topics, linked in written
            for article in linked
        ]
    )
    touched = {tech.pk for _entry, technologies, _articles in written for tech in technologies}
    learner_topics_refresh(learner=author, technology_ids=sorted(touched))
    events.publish_many(
        "journal.entry_created",
        [
            events.Announcement(subject=entry, actor=author, payload={"date": str(entry.date)})
            for entry, _topics, _articles in written
        ],
    )
    return results


@transaction.atomic
def entry_update(
    *,
    entry: Entry,
    actor: User,
    date: date | None = None,
    body: str | None = None,
    minutes_spent: int | None = None,
    confidence: int | None = None,
    visibility: str | None = None,
    topics: Sequence[str] | None = None,
    articles: Sequence[str] | None = None,
    expected_etag: str | None = None,
) -> Entry:
    """Change an entry; fields left out (None) keep their value, a stale expected_etag all."""
    if not policies.can_edit_journal_item(actor, entry):
        raise PermissionDenied("Only the author edits an entry.")
    conditional.check_if_match(expected_etag, Entry.objects.select_for_update().get(pk=entry.pk))
    new_date = entry.date if date is None else date
    new_minutes = entry.minutes_spent if minutes_spent is None else minutes_spent
    if body is not None:
        _check_body(body)
        entry.body, entry.body_html = body, render_markdown(body).html
    _check_choices(
        entry.confidence if confidence is None else confidence,
        entry.visibility if visibility is None else visibility,
    )
    if date is not None:
        _check_date(new_date, selectors.cohort_of(learner=entry.author))
    _lock_author(entry.author)
    logged = selectors.minutes_on(author=entry.author, day=new_date, exclude_id=entry.pk)
    _check_minutes(new_date, new_minutes, logged)
    touched = set(entry.topics.values_list("pk", flat=True))
    entry.date, entry.minutes_spent = new_date, new_minutes
    if confidence is not None:
        entry.confidence = confidence
    if visibility is not None:
        entry.visibility = visibility
    if topics is not None:
        entry.topics.set(_resolve_topics(topics))
    if articles is not None:
        entry.articles.set(_resolve_articles(articles, entry.author))
    entry.save()
    touched |= set(entry.topics.values_list("pk", flat=True))
    learner_topics_refresh(learner=entry.author, technology_ids=touched)
    events.publish("journal.entry_updated", subject=entry, actor=actor)
    return entry


@transaction.atomic
def entry_delete(*, entry: Entry, actor: User, expected_etag: str | None = None) -> None:
    """Remove an entry (worklogs are the author's own notes, so this is a real delete)."""
    if not policies.can_edit_journal_item(actor, entry):
        raise PermissionDenied("Only the author deletes an entry.")
    conditional.check_if_match(expected_etag, Entry.objects.select_for_update().get(pk=entry.pk))
    events.publish("journal.entry_deleted", subject=entry, actor=actor)
    touched = list(entry.topics.values_list("pk", flat=True))
    author = entry.author
    entry.delete()
    learner_topics_refresh(learner=author, technology_ids=touched)


@transaction.atomic
def learner_topics_refresh(
    *, learner: User | None = None, technology_ids: Iterable[int] | None = None
) -> int:
    """Recount stored per-learner topic totals from the entries (one learner, or everyone)."""
    pairs = Entry.topics.through.objects.all()
    stored = LearnerTopic.objects.all()
    if learner is not None:
        pairs, stored = pairs.filter(entry__author=learner), stored.filter(learner=learner)
    if technology_ids is not None:
        ids = list(technology_ids)
        pairs, stored = pairs.filter(technology_id__in=ids), stored.filter(technology_id__in=ids)
    counts = (
        pairs.values("entry__author_id", "technology_id")
        .annotate(n=Count("id"), last=Max("entry__date"))
        .order_by()
    )
    rows = [
        LearnerTopic(
            learner_id=row["entry__author_id"],
            technology_id=row["technology_id"],
            entries=row["n"],
            last_date=row["last"],
        )
        for row in counts
    ]
    stored.delete()
    LearnerTopic.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


@transaction.atomic
def reflection_save(
    *,
    author: User,
    month: date,
    went_well: str = "",
    was_hard: str = "",
    to_change: str = "",
    visibility: str = Visibility.PRIVATE,
) -> Reflection:
    """Write or rewrite the author's reflection on a month."""
    if not policies.can_write_journal(author):
        raise PermissionDenied("Sign in to write in the journal.")
    first = month.replace(day=1)
    if first > clock.today():
        raise ValidationError({"month": ["You cannot reflect on a month yet to come."]}, "future")
    _check_choices(3, visibility)
    reflection, _ = Reflection.objects.update_or_create(
        author=author,
        month=first,
        defaults={
            "went_well": went_well,
            "was_hard": was_hard,
            "to_change": to_change,
            "visibility": visibility,
        },
    )
    events.publish("journal.reflection_saved", subject=reflection, actor=author)
    return reflection


class NumberedChange(TypedDict):
    """A change to one month or milestone of a program, found by its number."""

    number: int
    title: NotRequired[str]
    description: NotRequired[str]
    topics: NotRequired[Sequence[str]]


@transaction.atomic
def program_update(
    *,
    program: Program,
    actor: User,
    title: str | None = None,
    description: str | None = None,
    months: Sequence[NumberedChange] | None = None,
    milestones: Sequence[NumberedChange] | None = None,
) -> Program:
    """Edit a program's text, its months (title, description, topics) and milestones, by number."""
    if not policies.can_edit_program(actor, program):
        raise PermissionDenied("Only mentors and admins edit programs.")
    if title is not None:
        if not title.strip():
            raise ValidationError({"title": ["A program needs a title."]}, code="required")
        program.title = title.strip()
    if description is not None:
        program.description = description
    program.save()
    if months is not None:
        _update_numbered(program.months.all(), months, "months")
    if milestones is not None:
        _update_numbered(program.milestones.all(), milestones, "milestones")
    events.publish("journal.program_updated", subject=program, actor=actor)
    return program


def _update_numbered(
    rows: QuerySet[ProgramMonth] | QuerySet[Milestone],
    changes: Sequence[NumberedChange],
    field: str,
) -> None:
    by_number: dict[int, ProgramMonth | Milestone] = {row.number: row for row in rows}
    for change in changes:
        row = by_number.get(change["number"])
        if row is None:
            raise ValidationError({field: [f"No {field[:-1]} number {change['number']}."]})
        if "title" in change:
            row.title = change["title"]
        if "description" in change:
            row.description = change["description"]
        if not row.title.strip():
            raise ValidationError({field: ["Every one needs a title."]}, code="required")
        row.save()
        if "topics" in change and isinstance(row, ProgramMonth):
            row.topics.set(_resolve_topics(change["topics"]))


@transaction.atomic
def progress_update(
    *,
    progress: MilestoneProgress,
    actor: User,
    status: str | None = None,
    repository_url: str | None = None,
    deployed_url: str | None = None,
    evidence: Sequence[dict[str, str]] | None = None,
    note: str | None = None,
) -> MilestoneProgress:
    """A learner's own work on a milestone; they may submit it, only a review marks it done."""
    if not policies.can_update_progress(actor, progress):
        raise PermissionDenied("Only the learner works on their milestone.")
    if status is not None:
        if status not in LEARNER_STATUSES:
            raise ValidationError(
                {"status": ["Choose not started, in progress or submitted; a mentor marks done."]},
                code="invalid",
            )
        if progress.status == MilestoneStatus.DONE:
            raise ValidationError({"status": ["This milestone is done and reviewed."]}, "done")
        if status == MilestoneStatus.SUBMITTED and progress.status != status:
            progress.submitted_at = clock.now()
        progress.status = status
    if repository_url is not None:
        progress.repository_url = repository_url
    if deployed_url is not None:
        progress.deployed_url = deployed_url
    if note is not None:
        progress.note = note
    if evidence is not None:
        progress.evidence = [
            {key: str(item.get(key, ""))[:500] for key in ("kind", "title", "url")}
            for item in evidence[:50]
        ]
    progress.full_clean(exclude=["learner", "milestone", "reviewer"])
    progress.save()
    if status == MilestoneStatus.SUBMITTED:
        events.publish("journal.milestone_submitted", subject=progress, actor=actor)
    return progress


@transaction.atomic
def progress_review(
    *, progress: MilestoneProgress, reviewer: User, approve: bool, comment: str
) -> MilestoneProgress:
    """A mentor's review: approve marks the milestone done, otherwise it goes back in progress."""
    if not policies.can_review_progress(reviewer, progress):
        raise PermissionDenied("Mentors and admins review milestones, never their own.")
    if progress.status != MilestoneStatus.SUBMITTED:
        raise ValidationError({"status": ["Only a submitted milestone can be reviewed."]}, "state")
    if not approve and not comment.strip():
        raise ValidationError({"comment": ["Say what to change."]}, code="required")
    now = clock.now()
    progress.status = MilestoneStatus.DONE if approve else MilestoneStatus.IN_PROGRESS
    progress.completed_at = now if approve else None
    progress.reviewer, progress.review_comment, progress.reviewed_at = reviewer, comment, now
    progress.save()
    events.publish(
        "journal.milestone_reviewed",
        subject=progress,
        actor=reviewer,
        payload={"approved": approve, "learner": progress.learner_id},
    )
    return progress
