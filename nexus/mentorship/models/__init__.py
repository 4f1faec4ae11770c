"""Rubrics, and reviews scored against them (of milestones and of articles)."""

from nexus.mentorship.models.articles import (
    ArticleReview,
    ArticleReviewRequest,
    ArticleReviewScore,
    AuthorArticleReview,
    ProgramArticleReview,
    ReviewComment,
    ReviewRequestStatus,
)
from nexus.mentorship.models.milestones import (
    MilestoneReminder,
    MilestoneReview,
    MilestoneRubric,
    MilestoneScore,
    MilestoneSubmission,
    ReminderKind,
)
from nexus.mentorship.models.rubrics import (
    Criterion,
    Decision,
    Rubric,
    RubricVersion,
    ScoredReview,
    ScoreRow,
)

__all__ = [
    "ArticleReview",
    "ArticleReviewRequest",
    "ArticleReviewScore",
    "AuthorArticleReview",
    "Criterion",
    "Decision",
    "MilestoneReminder",
    "MilestoneReview",
    "MilestoneRubric",
    "MilestoneScore",
    "MilestoneSubmission",
    "ProgramArticleReview",
    "ReminderKind",
    "ReviewComment",
    "ReviewRequestStatus",
    "Rubric",
    "RubricVersion",
    "ScoreRow",
    "ScoredReview",
]
