"""Rubrics, and reviews scored against them (of milestones and of articles)."""

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
    "Criterion",
    "Decision",
    "MilestoneReminder",
    "MilestoneReview",
    "MilestoneRubric",
    "MilestoneScore",
    "MilestoneSubmission",
    "ReminderKind",
    "Rubric",
    "RubricVersion",
    "ScoreRow",
    "ScoredReview",
]
