"""GraphQL of mentorship: rubrics, milestone threads, and the submit / review mutations; the same
selectors, policies and services as REST."""

import datetime
from typing import Any

import strawberry
from strawberry.types import Info
from strawberry_django.permissions import IsAuthenticated

from nexus.core.auth import authenticated_user
from nexus.core.graphql import FieldError, MutationErrors, NotFound, pk_or_not_found
from nexus.journal import selectors as journal_selectors
from nexus.journal.models import MilestoneProgress
from nexus.mentorship import policies, selectors
from nexus.mentorship.models import MilestoneReview, MilestoneSubmission, Rubric
from nexus.mentorship.services import milestones as milestone_services
from nexus.mentorship.services import rubrics as rubric_services


@strawberry.type(name="RubricCriterion")
class CriterionType:
    name: str
    scale: int
    levels: list[str]


@strawberry.type(name="Rubric")
class RubricType:
    id: strawberry.ID
    name: str
    description: str
    version: int
    criteria: list[CriterionType]
    archived: bool


def _rubric(rubric: Rubric) -> RubricType:
    current = rubric.versions.all()[0]
    return RubricType(
        id=strawberry.ID(str(rubric.pk)),
        name=rubric.name,
        description=rubric.description,
        version=current.number,
        criteria=[CriterionType(**criterion) for criterion in current.criteria],
        archived=rubric.archived_at is not None,
    )


@strawberry.type(name="RubricScore")
class ScoreType:
    criterion: str
    score: int
    comment: str


@strawberry.type(name="MentorshipPerson")
class PersonType:
    id: strawberry.ID
    display_name: str


@strawberry.type(name="MilestoneReview")
class ReviewType:
    id: strawberry.ID
    round: int
    reviewer: PersonType
    decision: str
    comment: str
    comment_html: str
    rubric_name: str | None
    rubric_version: int | None
    scores: list[ScoreType]
    created_at: datetime.datetime


def _review(review: MilestoneReview) -> ReviewType:
    version = review.rubric_version
    return ReviewType(
        id=strawberry.ID(str(review.pk)),
        round=review.submission.round,
        reviewer=PersonType(
            id=strawberry.ID(str(review.reviewer_id)), display_name=review.reviewer.display_name
        ),
        decision=review.decision,
        comment=review.comment,
        comment_html=review.comment_html,
        rubric_name=version.rubric.name if version else None,
        rubric_version=version.number if version else None,
        scores=[
            ScoreType(criterion=row.criterion, score=row.score, comment=row.comment)
            for row in review.scores.all()
        ],
        created_at=review.created_at,
    )


@strawberry.type(name="MilestoneSubmission")
class SubmissionType:
    id: strawberry.ID
    round: int
    note: str
    repository_url: str
    deployed_url: str
    submitted_at: datetime.datetime
    review: ReviewType | None


def _submission(submission: MilestoneSubmission) -> SubmissionType:
    review = getattr(submission, "review", None)
    return SubmissionType(
        id=strawberry.ID(str(submission.pk)),
        round=submission.round,
        note=submission.note,
        repository_url=submission.repository_url,
        deployed_url=submission.deployed_url,
        submitted_at=submission.submitted_at,
        review=_review(review) if review else None,
    )


@strawberry.input(name="RubricScoreInput")
class ScoreInput:
    criterion: str
    score: int
    comment: str = ""


@strawberry.input(name="RubricCriterionInput")
class CriterionInput:
    name: str
    scale: int
    levels: list[str] = strawberry.field(default_factory=list)


@strawberry.type
class RubricResult:
    rubric: RubricType | None = None
    errors: list[FieldError] = strawberry.field(default_factory=list)


def _rubric_result(rubric_id: int) -> RubricResult:
    fresh = selectors.rubric_list_with_versions(include_archived=True).get(pk=rubric_id)
    return RubricResult(rubric=_rubric(fresh))


@strawberry.type
class SubmitMilestoneResult:
    submission: SubmissionType | None = None
    errors: list[FieldError] = strawberry.field(default_factory=list)


@strawberry.type
class ScoreMilestoneResult:
    review: ReviewType | None = None
    # Set with a `review_conflict` error: the review that got there first.
    conflict: ReviewType | None = None
    errors: list[FieldError] = strawberry.field(default_factory=list)


def _progress(info: Info, id: strawberry.ID) -> tuple[Any, MilestoneProgress]:
    user = authenticated_user(info.context.request)
    progress = journal_selectors.progress_get(viewer=user, progress_id=pk_or_not_found(id))
    if progress is None:
        raise NotFound(field="id", message="No such milestone.")
    return user, progress


@strawberry.type
class Query:
    @strawberry.field(extensions=[IsAuthenticated()])
    def rubrics(self, info: Info) -> list[RubricType]:
        return [_rubric(rubric) for rubric in selectors.rubric_list_with_versions()]

    @strawberry.field(extensions=[IsAuthenticated()])
    def milestone_thread(self, info: Info, id: strawberry.ID) -> list[SubmissionType] | None:
        """Every round of a milestone with its review, for the learner and their mentors (null
        for anyone else, as for a milestone that does not exist)."""
        try:
            user, progress = _progress(info, id)
        except NotFound:
            return None
        if not policies.can_view_milestone_thread(user, progress):
            return None
        return [_submission(row) for row in selectors.milestone_thread(progress=progress)]


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def create_rubric(
        self,
        info: Info,
        name: str,
        criteria: list[CriterionInput],
        description: str = "",
    ) -> RubricResult:
        """A new rubric (mentors and admins), its criteria as version 1."""
        rubric = rubric_services.rubric_create(
            actor=authenticated_user(info.context.request),
            name=name,
            description=description,
            criteria=[strawberry.asdict(criterion) for criterion in criteria],
        )
        return _rubric_result(rubric.pk)

    @strawberry.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def update_rubric(
        self,
        info: Info,
        id: strawberry.ID,
        name: str | None = None,
        description: str | None = None,
        criteria: list[CriterionInput] | None = None,
        archived: bool | None = None,
    ) -> RubricResult:
        """Rename, redescribe or archive a rubric; changed criteria make a new version."""
        user = authenticated_user(info.context.request)
        rubric = selectors.rubric_get(rubric_id=pk_or_not_found(id))
        if rubric is None:
            raise NotFound(field="id", message="No such rubric.")
        rubric_services.rubric_update(
            actor=user,
            rubric=rubric,
            name=name,
            description=description,
            criteria=None if criteria is None else [strawberry.asdict(c) for c in criteria],
        )
        if archived is not None:
            rubric_services.rubric_archive(actor=user, rubric=rubric, archived=archived)
        return _rubric_result(rubric.pk)

    @strawberry.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def submit_milestone(
        self,
        info: Info,
        id: strawberry.ID,
        note: str | None = None,
        repository_url: str | None = None,
        deployed_url: str | None = None,
    ) -> SubmitMilestoneResult:
        user, progress = _progress(info, id)
        submission = milestone_services.milestone_submit(
            progress=progress,
            actor=user,
            note=note,
            repository_url=repository_url,
            deployed_url=deployed_url,
        )
        fresh = selectors.milestone_thread(progress=progress).get(pk=submission.pk)
        return SubmitMilestoneResult(submission=_submission(fresh))

    @strawberry.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def score_milestone(
        self,
        info: Info,
        id: strawberry.ID,
        decision: str,
        scores: list[ScoreInput] | None = None,
        comment: str = "",
    ) -> ScoreMilestoneResult:
        """Review a submitted milestone against its rubric: approved or changes_requested."""
        user, progress = _progress(info, id)
        try:
            review = milestone_services.milestone_review(
                progress=progress,
                reviewer=user,
                decision=decision,
                comment=comment,
                scores=[strawberry.asdict(score) for score in scores or []],
            )
        except milestone_services.ReviewConflict as conflict:
            winner = selectors.review_get(review_id=conflict.review.pk)
            return ScoreMilestoneResult(
                conflict=_review(winner),
                errors=[FieldError(field="__all__", message=str(conflict), code="review_conflict")],
            )
        return ScoreMilestoneResult(review=_review(selectors.review_get(review_id=review.pk)))
