"""Rubrics, and reviews scored against them (of milestones and of articles)."""

from nexus.mentorship.models.rubrics import (
    Criterion,
    Decision,
    Rubric,
    RubricVersion,
    ScoredReview,
    ScoreRow,
)

__all__ = ["Criterion", "Decision", "Rubric", "RubricVersion", "ScoreRow", "ScoredReview"]
